"""Helpers that one lesson needs and no other (``seed_iac`` for 03_infrastructure_as_code,
``patterns`` for 09_patterns)."""
