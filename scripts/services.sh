#!/bin/sh
# Install (Debian packages) and start what the tests need besides Python: PostgreSQL and Redis
# on loopback, for the runs of the API, review and job tests on the scale-out backends.
# Sourced by scripts/test.sh; exports PARALLAX_TEST_POSTGRES_URL and PARALLAX_TEST_REDIS_URL.
# Set PARALLAX_TEST_SERVICES=none to skip (those runs are then skipped, not failed).
[ "${PARALLAX_TEST_SERVICES:-}" = "none" ] && return 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=""
command -v pg_ctlcluster >/dev/null 2>&1 || need="$need postgresql"
command -v redis-server >/dev/null 2>&1 || need="$need redis-server"
if [ -n "$need" ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi

# PostgreSQL: Debian's cluster, started if down, with a test role that may create databases.
PG_PORT=5432
cluster=$(pg_lsclusters -h | head -n 1)
if [ -z "$cluster" ]; then
  $SUDO pg_createcluster 15 main >/dev/null
  cluster=$(pg_lsclusters -h | head -n 1)
fi
# (read, not `set --`: this file is sourced and must leave the caller's arguments alone)
read -r PG_VERSION PG_NAME PG_PORT PG_STATUS _rest <<EOC
$cluster
EOC
[ "$PG_STATUS" = "online" ] || $SUDO pg_ctlcluster "$PG_VERSION" "$PG_NAME" start
i=0
until pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; do
  i=$((i + 1)); [ $i -gt 60 ] && { echo "PostgreSQL did not start" >&2; exit 1; }
  sleep 0.5
done
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
as_postgres "psql -q -p $PG_PORT -tc \"SELECT 1 FROM pg_roles WHERE rolname='parallax_test'\" | grep -q 1 || psql -q -p $PG_PORT -c \"CREATE ROLE parallax_test LOGIN CREATEDB PASSWORD 'pa%ss:test'\""
# The password has a '%' on purpose: URLs percent-encode it, and Alembic must cope.
export PARALLAX_TEST_POSTGRES_URL="postgresql+psycopg://parallax_test:pa%25ss%3Atest@127.0.0.1:$PG_PORT/postgres"

# Redis: the scale-out job queue. A private instance on its own port, nothing persisted.
REDIS_PORT=6391
if ! redis-cli -p $REDIS_PORT ping >/dev/null 2>&1; then
  redis-server --port $REDIS_PORT --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
  i=0
  until redis-cli -p $REDIS_PORT ping >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 60 ] && { echo "Redis did not start" >&2; exit 1; }
    sleep 0.5
  done
fi
export PARALLAX_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
