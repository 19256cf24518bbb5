#!/usr/bin/env bash
# Stops the one-machine Slurm test cluster (slurmd ×4, slurmctld, slurmdbd, and sshd via sshd.sh).
# Leaves munge, MariaDB, the config and the runtime state in place so the next up.sh is quick.
#   --purge   also delete the runtime directory (saved job state, logs, spool)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PURGE=0
for arg in "$@"; do
  case "$arg" in
    --purge) PURGE=1 ;;
    *) die "unknown argument: $arg" ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then exec sudo -E bash "$0" "$@"; fi

if [ -f "$SCRIPT_DIR/sshd.sh" ]; then bash "$SCRIPT_DIR/sshd.sh" stop || log "sshd.sh stop failed (ignored)"; fi
for n in "${NODES[@]}"; do stop_pidfile "$RUNTIME_DIR/run/slurmd-$n.pid" "slurmd $n"; done
stop_pidfile "$RUNTIME_DIR/run/slurmctld.pid" slurmctld
stop_pidfile "$RUNTIME_DIR/run/slurmdbd.pid" slurmdbd
if [ "$PURGE" = 1 ]; then rm -rf "$RUNTIME_DIR"; log "removed $RUNTIME_DIR"; fi
log "down"
