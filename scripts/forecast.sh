#!/usr/bin/env bash
# Install tashkent into ./.venv and forecast the built-in Kashmir scenario (the README's quickstart).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> creating ./.venv" >&2
python3 -m venv .venv
echo "==> installing tashkent and its dependencies into ./.venv (a minute or two the first time)" >&2
.venv/bin/python -m pip install --upgrade pip
.venv/bin/python -m pip install -e .
echo "==> tashkent forecast $*" >&2
.venv/bin/tashkent forecast "$@"
