#!/usr/bin/env bash
# Start the local PostgreSQL and RabbitMQ when they are not answering,
# installing them from Debian's packages when missing. Idempotent: when both
# already answer it only checks them (well under a second). Prints one line
# per service; exits non-zero with a message when one cannot be brought up.
#
# Environment: SERVICES_WAIT (seconds to wait for each service, default 90).
set -euo pipefail

WAIT=${SERVICES_WAIT:-90}
PG_HOST=127.0.0.1 PG_PORT=5432 AMQP_PORT=5672

die() { echo "services: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=""
apt_install() {
  echo "services: installing $* from Debian's packages" >&2
  if [ -z "$apt_updated" ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null || die "apt-get update failed"
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" </dev/null >/dev/null \
    || die "apt-get install $* failed"
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# wait_for NAME CHECK...: run CHECK once a second until it succeeds, at most $WAIT s.
wait_for() {
  local name=$1; shift
  local deadline=$((SECONDS + WAIT))
  echo "services: waiting up to $WAIT s for $name" >&2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 1
  done
}

# ---------------------------------------------------------------- PostgreSQL
pg_installed() { compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; }
pg_ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2
  else
    port_open "$PG_PORT"
  fi
}

if ! pg_ready; then
  pg_installed || apt_install postgresql postgresql-contrib
  pg_installed || die "postgresql is not installed and could not be installed"
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$version" ]; then
    # Packages present but no cluster (e.g. removed): create the default one.
    version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
    as_root pg_createcluster "$version" main >/dev/null || die "pg_createcluster $version main failed"
  fi
  # Fails when the cluster is already starting; the wait below decides.
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for postgres pg_ready \
    || die "postgres did not answer on $PG_HOST:$PG_PORT within $WAIT s (see /var/log/postgresql/postgresql-$version-main.log)"
fi
# The defaults expect trust auth for user postgres over local TCP.
psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -w -tAc 'SELECT 1' >/dev/null 2>&1 \
  || die "postgres answers but 'psql -h $PG_HOST -U postgres' is refused; allow trust auth for 127.0.0.1 in pg_hba.conf"
# pgbench ships with the server package (postgresql-NN); contrib for old layouts.
if ! compgen -G '/usr/lib/postgresql/*/bin/pgbench' >/dev/null; then
  apt_install postgresql-contrib
  compgen -G '/usr/lib/postgresql/*/bin/pgbench' >/dev/null || die "pgbench is still missing after installing postgresql-contrib"
fi
echo "services: postgres  ready on $PG_HOST:$PG_PORT ($(psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -w -tAc 'SHOW server_version' 2>/dev/null | cut -d' ' -f1))"

# ------------------------------------------------------------------ RabbitMQ
if ! port_open "$AMQP_PORT"; then
  command -v rabbitmq-server >/dev/null 2>&1 || apt_install rabbitmq-server
  command -v rabbitmq-server >/dev/null 2>&1 || die "rabbitmq-server is not installed and could not be installed"
  # Installing may already have started it; check before starting another.
  if ! port_open "$AMQP_PORT"; then
    # Fails when a node is already booting; the wait below decides.
    as_root rabbitmq-server -detached </dev/null || true
  fi
  wait_for rabbitmq port_open "$AMQP_PORT" \
    || die "rabbitmq did not answer on 127.0.0.1:$AMQP_PORT within $WAIT s (see /var/log/rabbitmq/)"
fi
echo "services: rabbitmq  ready on 127.0.0.1:$AMQP_PORT"
