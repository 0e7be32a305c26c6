#!/usr/bin/env bash
# Install tashkent into ./.venv and forecast the built-in Kashmir scenario (the README's quickstart).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/tashkent forecast "$@"
