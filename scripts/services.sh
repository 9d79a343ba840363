#!/usr/bin/env bash
# Start the local Postgres and RabbitMQ when they are not running, installing
# them from Debian's packages when missing. Idempotent; fails loudly.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # name port seconds
  for _ in $(seq 1 "$3"); do port_open "$2" && return 0; sleep 1; done
  echo "services: $1 did not answer on 127.0.0.1:$2 within $3 s" >&2
  return 1
}

# PostgreSQL
if ! port_open 5432; then
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql postgresql-contrib
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_port postgres 5432 60
fi
command -v pgbench >/dev/null 2>&1 || apt_install postgresql-contrib
# Trust auth for local TCP connections is what the defaults expect.
if ! psql -h 127.0.0.1 -U postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
  echo "services: postgres runs but 'psql -h 127.0.0.1 -U postgres' is refused; allow trust auth for 127.0.0.1 in pg_hba.conf" >&2
  exit 1
fi
echo "services: postgres ready on 127.0.0.1:5432"

# RabbitMQ
if ! port_open 5672; then
  command -v rabbitmq-server >/dev/null 2>&1 || apt_install rabbitmq-server
  as_root rabbitmq-server -detached || true
  wait_port rabbitmq 5672 90
fi
echo "services: rabbitmq ready on 127.0.0.1:5672"
