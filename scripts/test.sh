#!/usr/bin/env bash
# README command 2: run the test suite (includes one real GPAW calculation).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${ZNSCREEN_VENV:-$repo/.venv}
cd "$repo"
exec "$venv/bin/python" -m pytest -q "$@"
