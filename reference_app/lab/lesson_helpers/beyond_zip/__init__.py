"""Module 12, the platform beyond the zip: durable functions run with AWS's local testing SDK,
SnapStart's runtime hooks (one snapshot restored into several environments), a wrapper script, and
a Dockerfile linted offline.

What the emulator cannot run is said where it matters; what runs, runs for real:

* :func:`run_durable` runs a durable function's handler under
  ``aws_durable_execution_sdk_python_testing`` (checkpoints, replay after a wait, step results), with
  its DynamoDB table on the emulator;
* :func:`restore` imports a SnapStart function once, runs its before-snapshot hooks, then *forks*
  that process into several "restored environments" that run the after-restore hooks and the handler:
  the same memory restored more than once, which is what SnapStart does and what makes a random
  seed or an open connection taken at init a bug;
* :class:`Ledger` is a loopback TCP service with one id per connection, standing in for a database a
  function keeps a connection to;
* :func:`lint_dockerfile` parses a Dockerfile with Docker's own parser (the ``dockerfile`` package)
  and checks it against what Lambda requires of an image.

One module per section of the lesson: :mod:`.durable`, :mod:`.snapstart`, :mod:`.images`,
:mod:`.platform` (loop detection, streaming, VPC, Managed Instances, tumbling windows), :mod:`.wrapper`.
"""

from ..common import new_run_id as new_run_id  # re-exported for the lesson
from ._shared import handler_file as handler_file
from .durable import DurableRun, durable_sagas, durable_summary, replay_counts, run_durable, saga_table
from .images import AWS_BASE, DOCKERFILE, DOCKERFILE_FIRST_TRY, Finding, findings_frame, lint_dockerfile
from .platform import (
    DEPTH_HEADER,
    GATEWAY_ENDPOINT_SERVICES,
    connection_storm,
    count_clicks,
    environments_needed,
    invoke_at_depth,
    reachability,
    reachable,
    replay_window,
    stream_events,
)
from .snapstart import Ledger, Restored, publish_snapstart, restore, restored_frame
from .wrapper import WRAPPER_SCRIPT, wrapper_demo

__all__ = [
    "AWS_BASE",
    "DEPTH_HEADER",
    "DOCKERFILE",
    "DOCKERFILE_FIRST_TRY",
    "GATEWAY_ENDPOINT_SERVICES",
    "WRAPPER_SCRIPT",
    "DurableRun",
    "Finding",
    "Ledger",
    "Restored",
    "connection_storm",
    "count_clicks",
    "durable_sagas",
    "durable_summary",
    "environments_needed",
    "findings_frame",
    "handler_file",
    "invoke_at_depth",
    "lint_dockerfile",
    "new_run_id",
    "publish_snapstart",
    "reachability",
    "reachable",
    "replay_counts",
    "replay_window",
    "restore",
    "restored_frame",
    "run_durable",
    "saga_table",
    "stream_events",
    "wrapper_demo",
]
