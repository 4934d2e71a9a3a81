#!/usr/bin/env bash
# Runs each time the dev container starts: the emulator, then JupyterLab on port 8888
# in the background (its log in ~/.cache/lambda-lab-jupyter.log). The forwarded port is
# private to the Codespace's owner, so JupyterLab runs without a token there.
set -euo pipefail
cd "$(dirname "$0")/.."
lambda-lab up
if ! curl -fsS -o /dev/null http://127.0.0.1:8888/api 2>/dev/null; then
  log="${HOME}/.cache/lambda-lab-jupyter.log"
  mkdir -p "$(dirname "$log")"
  token_flag=()
  [ -n "${CODESPACES:-}" ] && token_flag=(--IdentityProvider.token=)
  nohup lambda-lab lab --keep --no-browser --ServerApp.ip=0.0.0.0 --ServerApp.port=8888 \
    "${token_flag[@]}" >"$log" 2>&1 &
  echo "JupyterLab is starting on port 8888 (log: $log)."
fi
