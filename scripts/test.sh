#!/usr/bin/env bash
# The test command (README, and .ci/run): set up, lint, type-check, then every test, including the
# end-to-end ones against the real Asterisk 22 sandbox (started by the tests themselves).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup.sh
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
.venv/bin/pytest "$@"
