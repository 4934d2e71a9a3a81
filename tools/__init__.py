"""The kit's development tools (pre-commit hooks and the tests run them); not part of the wheel."""
