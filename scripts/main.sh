#!/usr/bin/env bash
# The main job on the embedded defaults: list the library and build a slab
# model for every candidate (results/slabs/*.extxyz).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${ZNSCREEN_VENV:-$repo/.venv}
cd "$repo"
"$venv/bin/znscreen" candidates
"$venv/bin/znscreen" slab --all
