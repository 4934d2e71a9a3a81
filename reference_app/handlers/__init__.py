"""Deployable Lambda handlers. Nothing here imports the lab tooling."""
