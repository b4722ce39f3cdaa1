#!/usr/bin/env bash
# The main job on the embedded defaults: list the library, build a slab
# model for every candidate (results/slabs/*.extxyz), then compute the shared
# reference energies at the mlip level into the results store
# (results/screening.db), validate that level against experiment, and
# compute every descriptor (but the NEB) of three candidates at that level.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${ZNSCREEN_VENV:-$repo/.venv}
cd "$repo"
"$venv/bin/znscreen" candidates
"$venv/bin/znscreen" slab --all
"$venv/bin/znscreen" references --level mlip
"$venv/bin/znscreen" validate --level mlip
"$venv/bin/znscreen" descriptors "Zn(0001)" "Cu(111)" graphene --level mlip
