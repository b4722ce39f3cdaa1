#!/usr/bin/env bash
# The main job on the embedded defaults: list the library, build a slab
# model for every candidate (results/slabs/*.extxyz), validate the mlip level
# against experiment, then screen one or two candidates of every family at
# the mlip level with the Prefect flow (its own Prefect server, two worker
# processes) for Zn adsorption, hydrated-Zn desolvation, HER, water,
# epitaxy and electronic character, rank them (results/ranking.csv,
# .parquet, details.json) and write the plots and the HTML report with the
# pictures of every site and desolvation state (results/report/). The DFT
# check is left out to keep the job (and CI) short: the README gives its
# command and measured times.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${ZNSCREEN_VENV:-$repo/.venv}
cd "$repo"
"$venv/bin/znscreen" candidates
"$venv/bin/znscreen" slab --all
"$venv/bin/znscreen" validate --level mlip
"$venv/bin/znscreen" run "Zn(0001)" "Cu(111)" "Pb(111)" "ZnO(10-10)" Ti3C2O2 "ZnS(110)" graphene \
    --level mlip --workers 2 --descriptors zn desolvation her water epitaxy electronic
"$venv/bin/znscreen" report
echo "main job done in $((SECONDS / 60)) min $((SECONDS % 60)) s"
