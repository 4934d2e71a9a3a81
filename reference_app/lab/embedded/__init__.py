"""The embedded backend: ministack, started and stopped by the kit.

ministack runs as a background process bound to 127.0.0.1, in a session of its
own, with its state, S3 data, temp files (the function workers live there), log
and pid file in a per-user folder (``lambda-lab paths`` prints it), and its extra
listeners (IoT MQTT on 8883, SFTP) switched off. If a healthy emulator already
answers on the endpoint, the kit uses it and starts nothing.

The command that starts it comes from :mod:`.runtime` (ministack, through the kit's
Lambda runtime when it applies). ``down``, and the next ``up`` after an emulator was
killed, stop leftover function workers and clear the code folders in ``tmp/``.

Its modules: :mod:`.run_folder` (paths, the pid file, the start/stop lock), :mod:`.paused`
(a paused emulator, refused at once), :mod:`.saved_state` (what a stop saved or could not)
and :mod:`.process` (start, stop, leftovers).
"""

from __future__ import annotations

from .paused import not_answering_error, paused_pid, refuse_while_paused
from .process import (
    Stopped,
    clean_leftovers,
    port_taken_error,
    start,
    stop,
    stop_pid,
    worker_processes,
)
from .run_folder import (
    LOCK_NAME,
    START_DEADLINE_S,
    STOP_GRACE_S,
    busy,
    log_file,
    owned_pid,
    pid_file,
    run_dir,
    run_path,
)
from .run_folder import _port_lock as _port_lock  # the security lesson's helper holds it while it edits
from .saved_state import (
    NO_PERSIST_NAME,
    UNSAVED_NAME,
    has_saved_state,
    last_stop_notice,
    stale_state,
    unclean_stop,
    unsaved_note,
    unsaved_services,
    wipe_saved_state,
)

__all__ = [
    "LOCK_NAME",
    "NO_PERSIST_NAME",
    "START_DEADLINE_S",
    "STOP_GRACE_S",
    "UNSAVED_NAME",
    "Stopped",
    "busy",
    "clean_leftovers",
    "has_saved_state",
    "last_stop_notice",
    "log_file",
    "not_answering_error",
    "owned_pid",
    "paused_pid",
    "pid_file",
    "port_taken_error",
    "refuse_while_paused",
    "run_dir",
    "run_path",
    "stale_state",
    "start",
    "stop",
    "stop_pid",
    "unclean_stop",
    "unsaved_note",
    "unsaved_services",
    "wipe_saved_state",
    "worker_processes",
]
