#!/usr/bin/env bash
# Creates .venv with the pinned Python tools (moto's server, cfn-lint) the local runtime and tests use.
# Idempotent: does nothing when .venv already matches requirements-dev.txt. A first run takes about a
# minute, so it says so and shows its progress (on stderr, which npm start and CI show as it comes).
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.requirements-dev.sha256
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ -x .venv/bin/moto_server ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

say() { echo "setup-python: $*" >&2; }
took() { echo "$((SECONDS - started)) s"; }
started=$SECONDS
say "installing the AWS emulator (moto) and cfn-lint into .venv from PyPI; first run only, usually under a minute."
if ! python3 -m venv .venv >/dev/null; then
  say "python3 -m venv failed: install Python 3 with its venv module (Debian and Ubuntu: apt-get install python3-venv)."
  exit 1
fi
say "[1/3] created .venv ($(took))"

# pip's own output goes to a log, shown only if it fails.
log=.venv/setup-python.log
pip() { .venv/bin/python -m pip --disable-pip-version-check "$@"; }
if ! pip install --progress-bar off --upgrade pip >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  say "upgrading pip failed (full output in $log)."
  exit 1
fi
say "[2/3] upgraded pip ($(took))"

# pip's "Collecting" lines, one per package it resolves: a progress line every 10 packages.
if ! pip install --progress-bar off -r requirements-dev.txt 2>&1 | tee -a "$log" | {
  count=0
  while IFS= read -r line; do
    case "$line" in
      Collecting\ *)
        count=$((count + 1))
        if [ $((count % 10)) -eq 0 ]; then say "[3/3] downloaded $count packages ($(took))"; fi
        ;;
      Installing\ collected\ packages:*) say "[3/3] downloaded $count packages; installing them, the longest step (about 20 s) ($(took))" ;;
    esac
  done
}; then
  tail -n 20 "$log" >&2
  say "installing requirements-dev.txt failed (full output in $log). PyPI must be reachable on the first run."
  exit 1
fi
echo "$want" > "$stamp"
say "installed moto $(pip show moto | sed -n 's/^Version: //p') into .venv in $(took)."
