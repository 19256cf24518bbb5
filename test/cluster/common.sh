# Shared settings for up.sh / down.sh (sourced, not run).
# The cluster is machine-wide (its config lives at /etc/slurm/slurm.conf, Debian's default
# SLURM_CONF), so its runtime files live in one machine-wide place too, not in a checkout.

CLUSTER_NAME=testlumi
NODES=(nid001 nid002 nid003 nid004)
NODE_PORT_BASE=17000          # nid001 → 17001 …
CPUS_PER_NODE=8               # oversubscribed on purpose: a few 1-task jobs fit on each fake node
RUNTIME_DIR=${NEOXCTL_TESTCLUSTER_DIR:-/var/lib/neoxctl-testcluster}
SLURM_ETC=/etc/slurm
SLURM_CONF_FILE=$SLURM_ETC/slurm.conf
SLURMDBD_CONF_FILE=$SLURM_ETC/slurmdbd.conf
DB_HOST=127.0.0.1
DB_PORT=3306
DB_NAME=slurm_acct_db
DB_USER=neoxctl_slurm
DB_PASS=neoxctl-test-only
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf '[cluster] %s\n' "$*"; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "must run as root (or with sudo available): $*"
  fi
}

# pid_alive <pidfile> <program>: true when the file names a live process running <program>. A pid
# file outlives its process when a machine is snapshotted and booted again, and the number may then
# belong to anything (CI saw an sshd pid file naming another process): never trust, never signal it.
pid_alive() {
  local f=$1 prog=$2 pid comm
  [ -s "$f" ] || return 1
  pid=$(cat "$f" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [ "$comm" = "$prog" ]
}

# stop_pidfile <pidfile> <label>: TERM, wait up to 15 s, then KILL
stop_pidfile() {
  local f=$1 label=$2 pid i
  pid_alive "$f" "${label%% *}" || { rm -f "$f"; return 0; }
  pid=$(cat "$f")
  log "stopping $label (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
}

node_port() { # nid003 → 17003
  local n=$1
  echo $((NODE_PORT_BASE + 10#${n#nid}))
}
