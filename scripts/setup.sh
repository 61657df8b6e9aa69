#!/usr/bin/env bash
# Everything callrouter needs on a fresh Debian 12 machine (run as root): Debian packages, a
# Python virtualenv with the project and its dev tools, and the sandboxed Asterisk 22 chroot.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

need_apt=()
command -v debootstrap >/dev/null || need_apt+=(debootstrap)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
# Debian's Chromium: the browser tests drive it with playwright (which downloads no browser)
command -v chromium >/dev/null || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[dev]'

bash scripts/asterisk-sandbox.sh build
echo "setup done: .venv and the Asterisk sandbox in .cache/asterisk-root"
