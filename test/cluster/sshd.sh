#!/usr/bin/env bash
# A real OpenSSH server for the SSH executor tests, bound to 127.0.0.1:2222 only, with its own host
# keys, an authorised client key for root, known_hosts files (good, wrong, empty, hashed) and an ssh
# client config with a plain alias, a ProxyJump alias and a benchmark account whose start-up files
# cost about a second (as module initialisation does on login nodes). Everything lives under
# /var/lib/neoxctl-testcluster/ssh (next to the Slurm cluster's runtime files, outside any checkout, so
# every clone on the machine shares one server and one key set). Idempotent: `start` on a running server only re-checks it.
#
#   bash test/cluster/sshd.sh start|stop|status|restart
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${NEOXCTL_SSHD_DIR:-${NEOXCTL_TESTCLUSTER_DIR:-/var/lib/neoxctl-testcluster}/ssh}"
PORT="${NEOXCTL_SSHD_PORT:-2222}"
ADDR=127.0.0.1
PIDFILE="$DIR/sshd.pid"
SSHD=/usr/sbin/sshd

log() { printf 'sshd.sh: %s\n' "$*" >&2; }

ensure_installed() {
  if [[ -x "$SSHD" ]] && command -v ssh-keygen >/dev/null && command -v ssh >/dev/null; then return; fi
  log "installing openssh-server and openssh-client"
  apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server openssh-client >&2
}

# Everything the server and the tests need; each file is generated once and then left alone, so
# known_hosts stays valid across restarts.
ensure_files() {
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  # privilege separation directory sshd insists on
  mkdir -p /run/sshd
  chmod 755 /run/sshd

  [[ -f "$DIR/ssh_host_ed25519_key" ]] || ssh-keygen -q -t ed25519 -N '' -C 'neoxctl-test-host' -f "$DIR/ssh_host_ed25519_key"
  [[ -f "$DIR/id_ed25519" ]] || ssh-keygen -q -t ed25519 -N '' -C 'neoxctl-test-client' -f "$DIR/id_ed25519"
  # a key that is NOT the server's: the "changed host key" known_hosts pretends the host had it
  [[ -f "$DIR/other_host_ed25519_key" ]] || ssh-keygen -q -t ed25519 -N '' -C 'neoxctl-test-other' -f "$DIR/other_host_ed25519_key"

  cp "$DIR/id_ed25519.pub" "$DIR/authorized_keys"
  chmod 600 "$DIR/authorized_keys"

  local host_pub other_pub
  host_pub="$(cut -d' ' -f1,2 "$DIR/ssh_host_ed25519_key.pub")"
  other_pub="$(cut -d' ' -f1,2 "$DIR/other_host_ed25519_key.pub")"
  {
    echo "# neoxctl test sshd host key"
    echo "[$ADDR]:$PORT $host_pub"
  } >"$DIR/known_hosts"
  {
    echo "# same host, a different key: the server's key must be refused as changed"
    echo "[$ADDR]:$PORT $other_pub"
  } >"$DIR/known_hosts.wrong"
  : >"$DIR/known_hosts.empty"
  # the hashed form OpenSSH writes with HashKnownHosts yes
  cp "$DIR/known_hosts" "$DIR/known_hosts.hashed"
  ssh-keygen -q -H -f "$DIR/known_hosts.hashed" >/dev/null 2>&1
  rm -f "$DIR/known_hosts.hashed.old"
  # the server's key revoked
  echo "@revoked * $host_pub" >"$DIR/known_hosts.revoked"
  cat "$DIR/known_hosts" >>"$DIR/known_hosts.revoked"

  ensure_bench_account

  cat >"$DIR/sshd_config.new" <<EOF
Port $PORT
ListenAddress $ADDR
HostKey $DIR/ssh_host_ed25519_key
PidFile $PIDFILE
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
# the run directory sits inside a checkout whose parents this server does not own
StrictModes no
AllowTcpForwarding yes
# OpenSSH's default, as on real login nodes: executors must stay under it
MaxSessions 10
MaxStartups 64:30:128
ClientAliveInterval 0
PrintMotd no
LogLevel VERBOSE
Subsystem sftp internal-sftp
EOF
  if cmp -s "$DIR/sshd_config.new" "$DIR/sshd_config"; then
    rm -f "$DIR/sshd_config.new"
  else
    mv "$DIR/sshd_config.new" "$DIR/sshd_config"
    CONFIG_CHANGED=1
  fi

  cat >"$DIR/ssh_config" <<EOF
# Host aliases for the executor tests (used with -F / sshConfigFile)
Host lumi-test
  HostName $ADDR
  Port $PORT
  User root
  IdentityFile $DIR/id_ed25519
  UserKnownHostsFile $DIR/known_hosts
  StrictHostKeyChecking yes

# the benchmark account: its ~/.bashrc costs about a second, as module initialisation does on LUMI
Host lumi-bench
  HostName $ADDR
  Port $PORT
  User $BENCH_USER
  IdentityFile $DIR/id_ed25519
  UserKnownHostsFile $DIR/known_hosts
  StrictHostKeyChecking yes

# reaches the same server through a jump over itself
Host lumi-jump
  HostName $ADDR
  Port $PORT
  User root
  IdentityFile $DIR/id_ed25519
  UserKnownHostsFile $DIR/known_hosts
  StrictHostKeyChecking yes
  ProxyJump lumi-test
EOF
}

# `neoxbench`: a second name for uid 0 with a home of its own (under $DIR), so that only its
# start-up file differs from root's: jobs it submits and files it writes behave exactly as root's in
# the tests and benchmarks. It has no usable password (`*`: sshd refuses a `!`-locked account even for
# keys when PAM is off) and the key that authorises it is the test
# key in $DIR/authorized_keys, accepted only by this server, which listens on 127.0.0.1 only.
BENCH_USER=neoxbench
ensure_bench_account() {
  local home="$DIR/$BENCH_USER-home"
  if ! getent passwd "$BENCH_USER" >/dev/null; then
    useradd -o -u 0 -g 0 -M -d "$home" -s /bin/bash -c 'neoxctl test sshd benchmark account' "$BENCH_USER" 2>/dev/null
  fi
  [[ "$(getent shadow "$BENCH_USER" | cut -d: -f2)" == '*' ]] || usermod -p '*' "$BENCH_USER"
  mkdir -p "$home"
  chmod 700 "$home"
  local rc
  rc="$(cat <<'RC'
# neoxctl benchmark account: every shell's start-up costs about a second, as `module` initialisation
# does on a login node. rc-runs counts start-ups (one line per shell) for the executor tests.
printf '%s\n' "$$" >>"$HOME/rc-runs"
sleep 1
RC
)"
  [[ "$(cat "$home/.bashrc" 2>/dev/null)" == "$rc" ]] || printf '%s\n' "$rc" >"$home/.bashrc"
}

# The pid file counts only when its process is an sshd reading our config: after a machine is
# snapshotted and booted again the file survives and its number may name any other process (CI once
# found pid 5884 alive, not an sshd, and gave up without starting ours).
running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid cmd
  pid="$(cat "$PIDFILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmd" == *sshd*"$DIR/sshd_config"* ]] || return 1
  echo "$pid"
}

# A test sshd left by another checkout or an older layout holds the port without our pid file;
# only a process that is an sshd started with a test config is stopped, nothing else.
stop_stale_listener() {
  local pid cmd
  for pid in $(ss -ltnpH "sport = :$PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
    cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    if [[ "$cmd" == *sshd*sshd_config* && ( "$cmd" == *neoxctl* || "$cmd" == */test/cluster/* ) ]]; then
      log "stopping a stale test sshd on port $PORT (pid $pid: $cmd)"
      kill "$pid" 2>/dev/null || true
      sleep 0.5
    fi
  done
}

# bounded: a wedged server accepts the TCP connection and then never sends its banner
probe() {
  timeout 5 ssh -F "$DIR/ssh_config" -o BatchMode=yes -o ConnectTimeout=5 lumi-test true 2>/dev/null
}

start() {
  ensure_installed
  ensure_files
  if pid="$(running_pid)"; then
    if [[ "${CONFIG_CHANGED:-0}" == 1 ]]; then
      "$SSHD" -t -f "$DIR/sshd_config"
      # sshd re-reads its configuration on SIGHUP; established sessions are untouched
      kill -HUP "$pid"
      sleep 0.3
      log "configuration changed: reloaded (pid $pid)"
    else
      log "already running (pid $pid) on $ADDR:$PORT"
    fi
  else
    stop_stale_listener
    "$SSHD" -t -f "$DIR/sshd_config"
    "$SSHD" -f "$DIR/sshd_config" -E "$DIR/sshd.log"
    for _ in $(seq 1 50); do
      running_pid >/dev/null && break
      sleep 0.1
    done
  fi
  local deadline=$((SECONDS + 10))
  while ((SECONDS < deadline)); do
    if probe; then
      log "up on $ADDR:$PORT (pid $(running_pid)); files in $DIR"
      return 0
    fi
    sleep 0.1
  done
  if [[ "${1:-}" != again ]] && pid="$(running_pid)"; then
    # a live server that refuses our key (files regenerated under it, a wedged listener): start anew once
    log "pid $pid does not accept a login; restarting it"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    # a stopped (SIGSTOP) server keeps SIGTERM pending for ever
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$PIDFILE"
    start again
    return
  fi
  log "sshd did not accept a login; see $DIR/sshd.log"
  return 1
}

stop() {
  if pid="$(running_pid)"; then
    kill "$pid"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    log "stopped (pid $pid)"
  else
    log "not running"
  fi
  rm -f "$PIDFILE"
}

status() {
  if pid="$(running_pid)" && probe; then
    echo "sshd running (pid $pid) on $ADDR:$PORT, dir $DIR"
  else
    echo "sshd not running on $ADDR:$PORT"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
