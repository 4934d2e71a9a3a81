"""A learner's kernels talk to their server over Unix sockets in a short folder of their private /tmp."""

from reference_app.lab.room import learner_users


def test_learner_kernels_use_unix_sockets_in_a_short_private_folder():
    assert "--KernelManager.transport=ipc" in learner_users.KERNEL_ARGS
    assert learner_users.RUNTIME_DIR.startswith("/tmp/")  # the sandbox gives each learner their own /tmp
    longest = f"{learner_users.RUNTIME_DIR}/kernel-{'0' * 36}-ipc-4"
    assert len(longest.encode()) < 107  # a Unix socket's sun_path
