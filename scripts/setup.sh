#!/usr/bin/env bash
# README command 1: install everything, then run the main job.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/install.sh"
bash "$here/main.sh"
