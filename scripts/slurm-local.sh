#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for the tests and for trying the
# slurm profile on a laptop (Debian's slurm-wlm and munge, as root).
#
#   scripts/slurm-local.sh start DIR [CPUS]   configure in DIR and start munged
#                                             (if none runs), slurmctld, slurmd;
#                                             prints the SLURM_CONF to export
#   scripts/slurm-local.sh stop DIR           cancel its jobs, stop what start
#                                             started, keep DIR's logs
#
# The node offers CPUS job slots (default: the core count; more than the
# cores is allowed, for tests that need several jobs at once). Ports are
# picked free; nothing outside DIR is changed but munge's run directory.
set -euo pipefail
action=${1:?usage: slurm-local.sh start|stop DIR [CPUS]}
dir=${2:?usage: slurm-local.sh start|stop DIR [CPUS]}
cpus=${3:-$(nproc)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
conf=$dir/slurm.conf

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])'; }
stop_pidfile() {
  local file=$1
  [ -f "$file" ] || return 0
  local pid; pid=$(cat "$file")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$file"
}

case $action in
start)
  for tool in munged slurmctld slurmd sinfo; do
    command -v "$tool" >/dev/null || { echo "slurm-local: $tool not found (apt-get install slurm-wlm munge)" >&2; exit 1; }
  done
  if ! pgrep -x munged >/dev/null; then
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- munged
    echo "$(pgrep -x -n munged)" > "$dir/munged.pid"
  fi
  host=$(hostname -s)
  memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  mkdir -p "$dir/state" "$dir/spool"
  cat > "$conf" <<EOF
# one-node SLURM written by scripts/slurm-local.sh
ClusterName=znscreen
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmdParameters=config_overrides
MinJobAge=30
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  slurmctld -f "$conf"
  slurmd -f "$conf"
  export SLURM_CONF=$conf
  for _ in $(seq 100); do
    state=$(sinfo -h -N -o %t 2>/dev/null || true)
    case $state in idle*|mix*|alloc*) break ;; esac
    sleep 0.2
  done
  case $state in
    idle*|mix*|alloc*) ;;
    *) echo "slurm-local: node not ready (state '${state}'; logs in $dir)" >&2; exit 1 ;;
  esac
  echo "export SLURM_CONF=$conf"
  ;;
stop)
  if [ -f "$conf" ]; then
    SLURM_CONF=$conf scancel --user="$(id -un)" 2>/dev/null || true
  fi
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  stop_pidfile "$dir/munged.pid"
  ;;
*)
  echo "usage: slurm-local.sh start|stop DIR [CPUS]" >&2; exit 2 ;;
esac
