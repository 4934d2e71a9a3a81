"""Helpers that belong to one lesson each, so the notebooks' cells stay a few lines long.

* :mod:`.common`: what a function logged, read back as JSON lines, and Mermaid output (any lesson);
* :mod:`.architecture`: 01_architecture (the seed's diagram deployed and followed, the three
  invocation models, scaling from zero, a bill from REPORT lines);
* :mod:`.seed_iac`: 03_infrastructure_as_code;
* :mod:`.triggers` and :mod:`.filters`: 04_triggers (every trigger wired and read back, resource
  policies, event filter patterns evaluated locally).

Import the module a lesson needs: ``from reference_app.lab.lessons import architecture``.
"""
