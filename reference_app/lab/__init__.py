"""Lab tooling: emulator lifecycle, client factory, packaging, deployment, triggers, logs and the CLI."""
