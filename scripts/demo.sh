#!/usr/bin/env bash
# The main job end to end: set up, start the sandboxed Asterisk, run the controller with the
# example configuration, send a stream of simulated callers at simulated telephonists, and show
# what happened to every call.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup.sh
export CALLROUTER_AMI_SECRET=${CALLROUTER_AMI_SECRET:-sandbox-secret}
bash scripts/asterisk-sandbox.sh start
.venv/bin/python -m callrouter.sandbox.demo --config configs/callrouter.example.yaml --workdir var/demo "$@"
