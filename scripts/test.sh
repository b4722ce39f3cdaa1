#!/usr/bin/env bash
# README command 2: run the test suite (real CHGNet and GPAW calculations at
# cheap settings; a real PostgreSQL server is started for the store tests).
# Extra arguments go to pytest, e.g. -m "not dft" to skip the GPAW tests.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${ZNSCREEN_VENV:-$repo/.venv}
cd "$repo"
exec "$venv/bin/python" -m pytest -q "$@"
