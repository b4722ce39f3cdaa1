#!/usr/bin/env bash
# The main job on the embedded defaults: list the library, build a slab
# model for every candidate (results/slabs/*.extxyz), then compute the shared
# reference energies at the mlip level into the results store
# (results/screening.db) and validate that level against experiment.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${ZNSCREEN_VENV:-$repo/.venv}
cd "$repo"
"$venv/bin/znscreen" candidates
"$venv/bin/znscreen" slab --all
"$venv/bin/znscreen" references --level mlip
"$venv/bin/znscreen" validate --level mlip
