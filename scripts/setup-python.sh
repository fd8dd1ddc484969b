#!/usr/bin/env bash
# Creates .venv with the pinned Python tools (moto's server) the local runtime and tests use.
# Idempotent: does nothing when .venv already matches requirements-dev.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.requirements-dev.sha256
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ -x .venv/bin/moto_server ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
echo "$want" > "$stamp"
echo "setup-python: installed $(.venv/bin/python -m pip --disable-pip-version-check show moto | grep ^Version) into .venv" >&2
