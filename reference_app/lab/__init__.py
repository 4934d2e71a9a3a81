"""Lab tooling: emulator lifecycle, client factory, packaging, deployment, triggers, logs and the CLI.

Notebooks use it as ``from reference_app import lab`` and call ``lab.up()``,
``lab.client("s3")``, ``lab.deploy_function(...)``, ``lab.invoke(...)`` and so on;
the names below are loaded on first use so importing the package stays cheap.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

from . import renamed_modules

_EXPORTS = {
    "LabError": "errors",
    "resolve_backend": "config",
    "client": "clients",
    "resource": "clients",
    "arn": "clients",
    "up": "emulator",
    "down": "emulator",
    "status": "emulator",
    "require": "emulator",
    "reset": "emulator",
    "build_zip": "packaging",
    "check_imports": "import_check",
    "deploy_function": "deploy",
    "delete_function": "deploy",
    "invoke": "deploy",
    "force_cold_start": "deploy",
    "invocations": "logs",
    "wait_for_invocations": "logs",
    "invocation_log": "logs",
    "run_checks": "doctor",
    "show_checks": "notebook_shell",
    "summary": "notebook_shell",
    "load_event": "events",
    "FakeLambdaContext": "events",
    "ensure_table": "resources",
    "physical_name": "resources",
    "s3_notification": "triggers",
    "event_source_mapping": "triggers",
    "sns_subscription": "triggers",
    "eventbridge_rule": "triggers",
    "rest_api": "triggers",
    "http_api": "triggers",
    "function_url": "triggers",
    "http_call": "http",
    "HttpResponse": "http",
    "list_events": "events",
    "fidelity": "known_differences",
    "handler_names": "reference_deploys",
    "start_lesson": "lesson_helpers.start",
    "show_source": "lesson_helpers.start",
    "check": "grader",
    "hint": "grader",
    "reset_exercise": "grader",
    "try_exercise": "grader",
    "progress": "progress_store",
    "quiz": "questions",
    "mock_interview": "questions",
    "deploy_handler": "reference_deploys",
    "ensure_topic": "reference_deploys",
    "ensure_queue": "reference_deploys",
    "order_saga_state_machine": "reference_deploys",
    "lint": "iac",
    "deploy_stack": "iac",
    "stack_outputs": "iac",
    "delete_stack": "iac",
    "upload_code": "iac",
    "capabilities": "emulator_capabilities",
    "room_view": "room.view",
    "join_room": "room.reporting",
    "leave_room": "room.reporting",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # IDEs and type checkers see every export; at run time they load on first use
    from .clients import arn, client, resource
    from .config import resolve_backend
    from .deploy import delete_function, deploy_function, force_cold_start, invoke
    from .doctor import run_checks
    from .emulator import down, require, reset, status, up
    from .emulator_capabilities import capabilities
    from .errors import LabError
    from .events import FakeLambdaContext, list_events, load_event
    from .grader import check, hint, reset_exercise, try_exercise
    from .http import HttpResponse, http_call
    from .iac import delete_stack, deploy_stack, lint, stack_outputs, upload_code
    from .import_check import check_imports
    from .known_differences import fidelity
    from .lesson_helpers.start import show_source, start_lesson
    from .logs import invocation_log, invocations, wait_for_invocations
    from .notebook_shell import show_checks, summary
    from .packaging import build_zip
    from .progress_store import progress
    from .questions import mock_interview, quiz
    from .reference_deploys import deploy_handler, ensure_queue, ensure_topic, handler_names, order_saga_state_machine
    from .resources import ensure_table, physical_name
    from .room.reporting import join_room, leave_room
    from .room.view import room_view
    from .triggers import (
        event_source_mapping,
        eventbridge_rule,
        function_url,
        http_api,
        rest_api,
        s3_notification,
        sns_subscription,
    )


renamed_modules.install()  # notebooks from an earlier `lambda-lab init` import helpers by their old names


def _in_ipython() -> bool:
    return "IPython" in sys.modules


if _in_ipython():  # notebooks: the kit's errors read as one sentence, not a traceback
    from .notebook_shell import install_error_display

    install_error_display()


def __dir__() -> list[str]:
    """Tab completion in a notebook lists the lazy exports too."""
    return sorted(set(globals()) | set(_EXPORTS))


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reference_app.lab' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
