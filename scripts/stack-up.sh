#!/usr/bin/env bash
# Starts everything the tests and the demo talk to, idempotently: Redis, MariaDB (for slurmdbd), the
# 4-node Slurm cluster with accounting, and sshd on 127.0.0.1:2222. Services this kind of machine
# already runs are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "[stack] starting redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi

if ! mariadb -uroot -e 'select 1' >/dev/null 2>&1; then
  echo "[stack] starting mariadb"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 30); do mariadb -uroot -e 'select 1' >/dev/null 2>&1 && break; sleep 1; done
fi

bash test/cluster/up.sh

# the dashboard browser tests drive Debian's chromium through playwright-core (no browser download)
if [ ! -x /usr/bin/chromium ]; then
  echo "[stack] installing chromium"
  apt-get install -y --no-install-recommends chromium >/dev/null
fi

# test/metrics starts a real Prometheus (and promtool) on loopback; Debian's package, never its service
if [ ! -x /usr/bin/prometheus ] || [ ! -x /usr/bin/promtool ]; then
  echo "[stack] installing prometheus"
  apt-get install -y --no-install-recommends prometheus >/dev/null
fi
