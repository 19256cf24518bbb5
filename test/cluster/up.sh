#!/usr/bin/env bash
# Brings up the one-machine Slurm test cluster (munge, slurmdbd on MariaDB, slurmctld, four slurmd
# "nodes" nid001–nid004 in partition standard-g, then sshd via sshd.sh when present).
# Idempotent: running it again with everything up changes nothing.
#   --no-accounting   run slurmctld with accounting_storage/none (slurmdbd stopped); sacct then
#                     answers "accounting storage is disabled", like clusters without slurmdbd.
# Without the flag it switches back to accounting on.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ACCOUNTING=1
for arg in "$@"; do
  case "$arg" in
    --no-accounting) ACCOUNTING=0 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg (use --no-accounting or nothing)" ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "must run as root (daemons run as root; /etc/slurm is written)"
  exec sudo -E bash "$0" "$@"
fi

# ---------------------------------------------------------------- packages (only when missing)
missing=()
need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || missing+=("$2"); }
need munged munge
need slurmctld slurmctld
need slurmd slurmd
need sbatch slurm-client
need slurmdbd slurmdbd
need sshd openssh-server
need bwrap bubblewrap
if [ "$ACCOUNTING" = 1 ] && ! [ -x /usr/sbin/mariadbd ] && ! mysqladmin -h "$DB_HOST" -P "$DB_PORT" -uroot ping >/dev/null 2>&1; then
  missing+=(mariadb-server)
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing missing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${missing[@]}" || die "apt-get install ${missing[*]} failed"
fi

mkdir -p "$RUNTIME_DIR"/{state,log,run} "$SLURM_ETC"

# ---------------------------------------------------------------- container runtime
# `singularity` on bubblewrap and the image clusters/local.yaml names (see test/cluster/singularity)
if ! cmp -s "$SCRIPT_DIR/singularity" /usr/local/bin/singularity; then
  log "installing the test singularity in /usr/local/bin"
  install -m 0755 "$SCRIPT_DIR/singularity" /usr/local/bin/singularity
fi
if [ ! -f "$RUNTIME_DIR/image/neox-local.img" ] || [ "$SCRIPT_DIR/make-image.sh" -nt "$RUNTIME_DIR/image/neox-local.img" ]; then
  log "writing the test container image"
  bash "$SCRIPT_DIR/make-image.sh" "$RUNTIME_DIR/image/neox-local.img"
fi
for n in "${NODES[@]}"; do mkdir -p "$RUNTIME_DIR/spool/$n"; done

# ---------------------------------------------------------------- munge
mkdir -p /run/munge /var/log/munge /var/lib/munge /etc/munge
if [ ! -s /etc/munge/munge.key ]; then
  log "creating munge key"
  if command -v mungekey >/dev/null || [ -x /usr/sbin/mungekey ]; then
    /usr/sbin/mungekey --create --keyfile=/etc/munge/munge.key
  else
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
  fi
fi
chown -R munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge
chmod 0700 /etc/munge; chmod 0600 /etc/munge/munge.key; chmod 0755 /run/munge
if ! (munge -n | unmunge) >/dev/null 2>&1; then
  log "starting munged"
  runuser -u munge -- /usr/sbin/munged --force
  for _ in $(seq 1 20); do (munge -n | unmunge) >/dev/null 2>&1 && break; sleep 0.25; done
  (munge -n | unmunge) >/dev/null 2>&1 || die "munged does not answer (see /var/log/munge/munged.log)"
fi

# ---------------------------------------------------------------- config files
render_slurm_conf() {
  cat <<EOF
# Written by neoxctl test/cluster/up.sh — the one-machine test cluster. Do not edit: re-run up.sh.
ClusterName=$CLUSTER_NAME
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
StateSaveLocation=$RUNTIME_DIR/state
SlurmdSpoolDir=$RUNTIME_DIR/spool/%n
SlurmctldLogFile=$RUNTIME_DIR/log/slurmctld.log
SlurmdLogFile=$RUNTIME_DIR/log/slurmd-%n.log
SlurmctldPidFile=$RUNTIME_DIR/run/slurmctld.pid
SlurmdPidFile=$RUNTIME_DIR/run/slurmd-%n.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# The fake nodes claim more CPUs than the machine has; take slurm.conf's word for it.
SlurmdParameters=config_overrides
# 1: a node that stopped answering comes back by itself when its slurmd registers again, but a
# node an admin (or a test) set DOWN stays DOWN until scontrol update state=resume.
ReturnToService=1
# Finished jobs stay visible to scontrol for an hour (the no-accounting status path needs them).
MinJobAge=3600
# Node failures (killed slurmd) are noticed within seconds.
SlurmdTimeout=10
InactiveLimit=0
KillWait=5
JobRequeue=1
EOF
  if [ "$ACCOUNTING" = 1 ]; then
    cat <<EOF
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=6819
# sacct must show the neoxctl:run=…;attempt=… tag to find submissions after a crash
AccountingStoreFlags=job_comment
EOF
  else
    echo "AccountingStorageType=accounting_storage/none"
  fi
  cat <<EOF
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=nid[001-004] NodeHostname=localhost NodeAddr=127.0.0.1 Port=[$((NODE_PORT_BASE + 1))-$((NODE_PORT_BASE + 4))] CPUs=$CPUS_PER_NODE RealMemory=2000 State=UNKNOWN
PartitionName=standard-g Nodes=nid[001-004] Default=YES MaxTime=INFINITE State=UP
EOF
}

render_slurmdbd_conf() {
  cat <<EOF
# Written by neoxctl test/cluster/up.sh
AuthType=auth/munge
DbdHost=localhost
DbdPort=6819
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=$DB_HOST
StoragePort=$DB_PORT
StorageUser=$DB_USER
StoragePass=$DB_PASS
StorageLoc=$DB_NAME
LogFile=$RUNTIME_DIR/log/slurmdbd.log
PidFile=$RUNTIME_DIR/run/slurmdbd.pid
EOF
}

# install_if_changed <content> <dest> <mode>: echoes "changed" when the file was (re)written
install_if_changed() {
  local content=$1 dest=$2 mode=$3
  if [ -f "$dest" ] && [ "$(cat "$dest")" = "$content" ]; then return 0; fi
  printf '%s\n' "$content" >"$dest.tmp.$$"
  chmod "$mode" "$dest.tmp.$$"
  mv "$dest.tmp.$$" "$dest"
  echo changed
}

conf_changed=$(install_if_changed "$(render_slurm_conf)" "$SLURM_CONF_FILE" 0644)
[ -n "$conf_changed" ] && log "wrote $SLURM_CONF_FILE (accounting: $([ "$ACCOUNTING" = 1 ] && echo on || echo off))"
dbd_conf_changed=$(install_if_changed "$(render_slurmdbd_conf)" "$SLURMDBD_CONF_FILE" 0600)
chown root:root "$SLURMDBD_CONF_FILE"

# ---------------------------------------------------------------- MariaDB + slurmdbd
mysql_root() { mysql -h "$DB_HOST" -P "$DB_PORT" -uroot "$@"; }
if [ "$ACCOUNTING" = 1 ]; then
  if ! mysqladmin -h "$DB_HOST" -P "$DB_PORT" -uroot ping >/dev/null 2>&1; then
    log "starting MariaDB"
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
    start-stop-daemon --start --oknodo --background --chuid mysql --exec /usr/sbin/mariadbd \
      || start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    for _ in $(seq 1 60); do mysqladmin -h "$DB_HOST" -P "$DB_PORT" -uroot ping >/dev/null 2>&1 && break; sleep 0.5; done
    mysqladmin -h "$DB_HOST" -P "$DB_PORT" -uroot ping >/dev/null 2>&1 || die "MariaDB does not answer on $DB_HOST:$DB_PORT"
  fi
  if ! mysql -h "$DB_HOST" -P "$DB_PORT" -u"$DB_USER" -p"$DB_PASS" -e "SELECT 1" "$DB_NAME" >/dev/null 2>&1; then
    log "creating database $DB_NAME and user $DB_USER"
    mysql_root <<SQL || die "could not create the accounting database/user in MariaDB"
CREATE DATABASE IF NOT EXISTS $DB_NAME;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
GRANT ALL ON $DB_NAME.* TO '$DB_USER'@'localhost';
GRANT ALL ON $DB_NAME.* TO '$DB_USER'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
  fi
  if [ -n "$dbd_conf_changed" ] && pid_alive "$RUNTIME_DIR/run/slurmdbd.pid" slurmdbd; then
    stop_pidfile "$RUNTIME_DIR/run/slurmdbd.pid" slurmdbd
  fi
  if ! pid_alive "$RUNTIME_DIR/run/slurmdbd.pid" slurmdbd; then
    log "starting slurmdbd"
    /usr/sbin/slurmdbd
    for _ in $(seq 1 60); do sacctmgr -n -P list cluster format=cluster >/dev/null 2>&1 && break; sleep 0.5; done
    sacctmgr -n -P list cluster format=cluster >/dev/null 2>&1 \
      || die "slurmdbd does not answer (see $RUNTIME_DIR/log/slurmdbd.log)"
  fi
  if ! sacctmgr -n -P list cluster format=cluster 2>/dev/null | grep -qx "$CLUSTER_NAME"; then
    log "registering cluster $CLUSTER_NAME in accounting"
    sacctmgr -i add cluster "$CLUSTER_NAME" >/dev/null || die "sacctmgr add cluster failed"
    conf_changed=changed   # slurmctld must (re)connect to the newly registered cluster
  fi
else
  stop_pidfile "$RUNTIME_DIR/run/slurmdbd.pid" slurmdbd
fi

# ---------------------------------------------------------------- slurmctld
ctld_pid=$RUNTIME_DIR/run/slurmctld.pid
if [ -n "$conf_changed" ] && pid_alive "$ctld_pid" slurmctld; then
  stop_pidfile "$ctld_pid" slurmctld
fi
if ! pid_alive "$ctld_pid" slurmctld; then
  log "starting slurmctld"
  /usr/sbin/slurmctld || die "slurmctld did not start (see $RUNTIME_DIR/log/slurmctld.log)"
fi
for _ in $(seq 1 60); do scontrol ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.5; done
scontrol ping 2>/dev/null | grep -q 'is UP' || die "slurmctld does not answer (see $RUNTIME_DIR/log/slurmctld.log)"

# ---------------------------------------------------------------- slurmd per fake node
for n in "${NODES[@]}"; do
  pidf=$RUNTIME_DIR/run/slurmd-$n.pid
  if ! pid_alive "$pidf" slurmd; then
    log "starting slurmd $n (port $(node_port "$n"))"
    /usr/sbin/slurmd -N "$n" || die "slurmd $n did not start (see $RUNTIME_DIR/log/slurmd-$n.log)"
  fi
done
# slurmds that kept running read a changed slurm.conf on reconfigure (restarting them is not
# needed and would disturb running jobs)
if [ -n "$conf_changed" ]; then scontrol reconfigure >/dev/null 2>&1 || true; fi

# ---------------------------------------------------------------- wait for nodes
node_states() { sinfo -h -N -p standard-g -o '%N %t' 2>/dev/null | sort -u; }
ready=
for i in $(seq 1 120); do
  states=$(node_states)
  bad=$(printf '%s\n' "$states" | awk 'NF == 2 && $2 !~ /^(idle|mix|alloc|comp)$/ {print $1 "=" $2}' | tr '\n' ' ')
  count=$(printf '%s\n' "$states" | grep -c . || true)
  if [ "$count" -eq ${#NODES[@]} ] && [ -z "$bad" ]; then ready=1; break; fi
  # a node left DOWN/DRAINED by an earlier run (e.g. an interrupted test) is returned to service
  # once its slurmd is up; only after a few seconds so fresh registrations are not raced
  if [ "$i" -eq 10 ] || [ "$i" -eq 40 ]; then
    for entry in $bad; do
      node=${entry%%=*}
      case ${entry#*=} in
        down*|drain*|drng*|fail*) log "resuming $node (${entry#*=})"; scontrol update nodename="$node" state=resume 2>/dev/null || true ;;
      esac
    done
  fi
  sleep 0.5
done
[ -n "$ready" ] || { sinfo -N -l >&2 || true; die "nodes not ready after 60 s: ${bad:-sinfo lists $count of ${#NODES[@]} nodes}"; }

# ---------------------------------------------------------------- sshd (owned by the exec side)
if [ -f "$SCRIPT_DIR/sshd.sh" ]; then
  bash "$SCRIPT_DIR/sshd.sh" start || die "sshd.sh start failed"
fi

log "up: $(sinfo -V) cluster=$CLUSTER_NAME accounting=$([ "$ACCOUNTING" = 1 ] && echo on || echo off) conf=$SLURM_CONF_FILE runtime=$RUNTIME_DIR"
sinfo -p standard-g -o '%P %a %D %t %N'
