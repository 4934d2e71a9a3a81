"""Helpers that belong to one lesson each, so the notebooks' cells stay a few lines long.

* :mod:`.common`: what a function logged, read back as JSON lines, and Mermaid output (any lesson);
* :mod:`.architecture`: 01_architecture (the seed's diagram deployed and followed, the three
  invocation models, scaling from zero, a bill from REPORT lines);
* :mod:`.handler_anatomy`: 02_handler (the anatomy handler's parts, response shapes, users_api raw and
  Powertools, logging, packaging, layers);
* :mod:`.seed_iac`: 03_infrastructure_as_code;
* :mod:`.triggers` and :mod:`.filters`: 04_triggers (every trigger wired and read back, resource
  policies, event filter patterns evaluated locally);
* :mod:`.error_handling`: 05_error_handling (queues to read failures from, attempts counted from
  the logs, the seed's handler, stream bisection replayed);
* :mod:`.patterns`: 09_patterns (fan-out, a saga, event sourcing, CQRS and three small pipelines,
  deployed in one call and driven);
* :mod:`.parallel`: deploy what a lesson uses up front, several functions at a time (02, 05).

Import the module a lesson needs: ``from reference_app.lab.lesson_helpers import architecture``.
"""
