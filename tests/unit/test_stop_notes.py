"""What `down` and the next `up`/`status` say about state a stop could not save (issue 17, section 2)."""

from reference_app.lab import embedded

LOG = (
    b"2026-12-05 INFO Persistence: saved sqs state to /x/state/sqs.json\n"
    b"2026-12-05 ERROR Persistence: failed to save dynamodb: [Errno 28] No space left on device\n"
    b"2026-12-05 ERROR Persistence: failed to save lambda: [Errno 28] No space left on device\n"
)


def test_the_log_names_each_service_whose_state_was_not_saved():
    assert embedded.unsaved_services(LOG) == {
        "dynamodb": "[Errno 28] No space left on device",
        "lambda": "[Errno 28] No space left on device",
    }
    assert embedded.unsaved_services(b"Persistence: saved sqs state\n") == {}


def test_the_note_names_what_comes_back_as_it_was():
    note = embedded.unsaved_note(embedded.unsaved_services(LOG))
    assert note.startswith(
        "it could not save its tables and their items (dynamodb), functions and event source "
        "mappings (lambda) ([Errno 28] No space left on device)"
    )
    assert "come back as they were at the last stop that saved them" in note


def test_a_state_file_the_stop_did_not_rewrite_is_named(tmp_path):
    import os
    import time

    (tmp_path / "sqs.json").write_text("{}")
    (tmp_path / "lambda.json").write_text("{}")
    old = time.time() - 60
    os.utime(tmp_path / "lambda.json", (old, old))
    assert embedded.stale_state(tmp_path, since=time.time() - 5) == {"lambda": "not rewritten when it stopped"}
