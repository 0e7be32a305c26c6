#!/usr/bin/env bash
# Install tashkent with its test extras into ./.venv and run the test suite (the README's test command).
# Tests that need data tashkent may not redistribute read it from $TASHKENT_SHARED_DATA (default
# ../shared/data) and are skipped where it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> creating ./.venv" >&2
python3 -m venv .venv
echo "==> installing tashkent with its test and dev extras into ./.venv" >&2
.venv/bin/python -m pip install --upgrade pip
.venv/bin/python -m pip install -e '.[dev]'
echo "==> pytest" >&2
.venv/bin/python -m pytest "$@"
