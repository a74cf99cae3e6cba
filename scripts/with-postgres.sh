#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster: initdb into a temp dir, a free port on
# 127.0.0.1, ZHENGDUN_DATABASE_URL pointing at it; the cluster is removed afterwards.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL server binaries not found in $PGBIN" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/zhengdun-pg.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root.
  chown postgres:postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
chmod 700 "$dir"
cleanup() {
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -s stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${as_pg[@]}" "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
# A server keeps its working set in shared buffers (PostgreSQL's default is 128 MB, smaller than
# the benchmarks' million tasks with their indexes); the memory is only taken as it is used.
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=${PG_SHARED_BUFFERS:-1GB}" start
"${as_pg[@]}" "$PGBIN/createdb" -h "$dir" -p "$port" -U postgres zhengdun
export ZHENGDUN_DATABASE_URL="postgres://postgres@127.0.0.1:$port/zhengdun"
"$@"
