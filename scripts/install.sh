#!/usr/bin/env bash
# Install everything zn-screening needs on Debian (bookworm) as root, into a
# virtual environment at $ZNSCREEN_VENV (default: .venv in the repository).
# GPAW is built from source against libxc, OpenBLAS, FFTW and OpenMPI
# (ZNSCREEN_MPI=0: without MPI); the built wheel is kept in
# $ZNSCREEN_WHEELHOUSE and reused when its build configuration has not
# changed. The servers the tests start (PostgreSQL, a one-node SLURM with
# munge) are installed too; their packaged services are not used.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${ZNSCREEN_VENV:-$repo/.venv}
wheelhouse=${ZNSCREEN_WHEELHOUSE:-$HOME/.cache/zn-screening/wheels}
gpaw_version=26.7.0
mpi=${ZNSCREEN_MPI:-1}
log() { printf '[install] %s\n' "$*"; }

python=${PYTHON:-python3}
need_apt=()
# postgresql, slurm-wlm, munge: the servers the tests start (scripts/
# slurm-local.sh for SLURM); chromium: the headless browser the report test
# opens the report in; openmpi: GPAW over MPI.
packages=(libxc-dev libopenblas-dev libfftw3-dev g++ postgresql slurm-wlm munge chromium)
[ "$mpi" = 1 ] && packages+=(openmpi-bin libopenmpi-dev)
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
"$python" -c "import venv, ensurepip" 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$venv/bin/python" ]; then
  log "virtual environment: $venv"
  "$python" -m venv "$venv"
fi
# pip's own output goes to a log, shown only if a step fails.
pip_log=$venv/install.log
: > "$pip_log"
pip() {
  if ! "$venv/bin/python" -m pip --disable-pip-version-check "$@" >>"$pip_log" 2>&1; then
    tail -n 40 "$pip_log" >&2
    echo "[install] error: pip $1 failed; full log: $pip_log" >&2
    exit 1
  fi
}
pip install --upgrade pip setuptools wheel

# GPAW wheel, built once per (version, siteconfig) with the C sources as C++.
if [ "$mpi" = 1 ]; then
  config=$repo/scripts/gpaw-siteconfig-mpi.py; compiler=mpicxx
else
  config=$repo/scripts/gpaw-siteconfig.py; compiler=g++
fi
key=$(sha256sum "$config" | cut -c1-12)
gpaw_dir=$wheelhouse/gpaw-$gpaw_version-$key
wheel=$(ls "$gpaw_dir"/gpaw-"$gpaw_version"-*.whl 2>/dev/null | head -n1 || true)
if [ -n "$wheel" ] && ! "$venv/bin/python" - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
sys.exit(0 if any(n.startswith("_gpaw") and n.endswith(".so") for n in names) else 1)
PY
then
  log "cached GPAW wheel lacks its C extension; rebuilding"
  rm -f "$wheel"; wheel=""
fi
if [ -z "$wheel" ]; then
  log "building GPAW $gpaw_version (libxc, OpenBLAS, FFTW, MPI: $mpi); takes a few minutes"
  mkdir -p "$gpaw_dir"
  CC=$compiler GPAW_CONFIG=$config GPAW_BUILD_JOBS=1 \
    pip wheel --no-cache-dir --no-deps "gpaw==$gpaw_version" -w "$gpaw_dir"
  wheel=$(ls "$gpaw_dir"/gpaw-"$gpaw_version"-*.whl | head -n1)
fi

log "python packages (zn-screening, GPAW wheel, CHGNet and SevenNet on CPU torch, PostgreSQL driver, Dask)"
# --force-reinstall: an installed GPAW of the same version may have been
# built with another configuration (with or without MPI)
pip install --no-deps --force-reinstall "$wheel"
pip install "$wheel" -e "$repo[mlip,sevennet,postgres,hpc,test]"

"$venv/bin/gpaw" info | grep -E "^(libxc|FFTW|MPI enabled|_gpaw)" | sed 's/^/[install] gpaw info: /'
if ! "$venv/bin/gpaw" info | grep -E "^libxc.* yes" >/dev/null \
   || ! "$venv/bin/gpaw" info | grep -E "^FFTW +yes" >/dev/null; then
  echo "[install] error: GPAW was built without libxc or FFTW" >&2
  exit 1
fi
if [ "$mpi" = 1 ] && ! "$venv/bin/gpaw" info | grep -E "^MPI enabled +yes" >/dev/null; then
  echo "[install] error: GPAW was built without MPI (ZNSCREEN_MPI=0 builds it serial)" >&2
  exit 1
fi
log "done: $venv/bin/znscreen"
