#!/usr/bin/env bash
# The main job on the embedded defaults: list the library, build a slab
# model for every candidate (results/slabs/*.extxyz), validate the mlip level
# against experiment, then screen one or two candidates of every family at
# the mlip level with the Prefect flow (embedded Prefect, two worker
# processes), check the best two with DFT (dft-check: GPAW single points on
# the mlip geometries for Zn adsorption against bulk Zn), rank them
# (results/ranking.csv, .parquet, details.json) and write the plots and HTML
# report (results/report/).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${ZNSCREEN_VENV:-$repo/.venv}
cd "$repo"
"$venv/bin/znscreen" candidates
"$venv/bin/znscreen" slab --all
"$venv/bin/znscreen" validate --level mlip
"$venv/bin/znscreen" run "Zn(0001)" "Cu(111)" "Pb(111)" "ZnO(10-10)" Ti3C2O2 "ZnS(110)" graphene \
    --level mlip --workers 2 --verify-top 2 --verify-level dft-check --verify-descriptors zn
"$venv/bin/znscreen" report
echo "main job done in $((SECONDS / 60)) min $((SECONDS % 60)) s"
