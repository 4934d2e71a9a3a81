"""01_architecture: the seed's architecture deployed and followed, invocation models, scaling, cost.

* :func:`build` deploys the seed's diagram for real: API Gateway -> ``users_api`` -> a users
  table whose stream feeds ``stream_processor`` (audit table + SNS topic), the topic feeding
  ``notifier`` (an SQS queue), and an S3 bucket feeding ``s3_processor`` (results table and
  thumbnails). :meth:`Architecture.send_traffic` drives it; :func:`follow` waits until every
  effect is visible and says which event went where, as a table and a Mermaid diagram.
* :func:`attempts` counts an asynchronous event's attempts from the function's own log;
  :func:`send_and_collect` shows the batches an SQS event source mapping delivers.
* :func:`ramp` fires waves of concurrent invocations at ``invocation_probe`` and records which
  execution environment served each one (:class:`Ramp` plots it).
* :func:`seed_languages` checks the seed's list of languages against the Lambda API's runtime
  identifiers (:func:`runtime_families`, from the installed botocore's service model).
* :func:`bill` and :func:`monthly_cost` price invocations from their REPORT lines with the
  rates of the kit's cost calculator (:mod:`reference_app.lab.cost`, from AWS's pricing page).
"""

from ..common import new_run_id, now_ms
from .costs import bill, billed_ms, cost, monthly_cost
from .invocation import (
    PROBE,
    attempts,
    deploy_probe,
    invoke_async,
    queue_arn,
    send_and_collect,
    wait_until_empty,
    who_retries,
    wire_queue,
)
from .runtimes import runtime_families, seed_languages
from .scaling import Ramp, account_concurrency, concurrency_series, peak_overlap, ramp
from .seed import HANDLERS, PREFIX, Architecture, Flow, Traffic, build, follow

__all__ = [
    "HANDLERS",
    "PREFIX",
    "PROBE",
    "Architecture",
    "Flow",
    "Ramp",
    "Traffic",
    "account_concurrency",
    "attempts",
    "bill",
    "billed_ms",
    "build",
    "concurrency_series",
    "cost",
    "deploy_probe",
    "follow",
    "invoke_async",
    "monthly_cost",
    "new_run_id",
    "now_ms",
    "peak_overlap",
    "queue_arn",
    "ramp",
    "runtime_families",
    "seed_languages",
    "send_and_collect",
    "wait_until_empty",
    "who_retries",
    "wire_queue",
]
