#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster: scripts/with-postgres.sh CMD [ARG...]
#
# The cluster lives in a fresh temporary directory, listens only on a unix socket there (no TCP),
# runs with fsync and synchronous_commit off (it is thrown away, so durability buys nothing), and is
# stopped and removed when CMD ends, fails or is interrupted. CMD sees
#   DATABASE_URL=postgres://postgres@/phaodai?host=DIR&port=PORT   (an empty database "phaodai")
#   PGHOST=DIR PGPORT=PORT PGUSER=postgres                          (for psql, createdb, ...)
# and the script exits with CMD's status. PostgreSQL 15 is installed with apt-get when missing.
# As root, the server runs as the `postgres` user (initdb refuses root); otherwise as the caller.
# PHAODAI_PG_BIN overrides where the PostgreSQL binaries are looked for.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARG...]" >&2
  exit 2
fi

DEBIAN_PG_BIN=/usr/lib/postgresql/15/bin
PG_BIN=${PHAODAI_PG_BIN:-$DEBIAN_PG_BIN}
if [ ! -x "$PG_BIN/initdb" ]; then
  echo "with-postgres: no PostgreSQL 15 at $PG_BIN; installing postgresql-15" >&2
  "$(dirname "$0")/apt-install.sh" postgresql-15
  if [ ! -x "$PG_BIN/initdb" ]; then
    PG_BIN=$DEBIAN_PG_BIN
  fi
  if [ ! -x "$PG_BIN/initdb" ]; then
    echo "error: $PG_BIN/initdb is missing after installing postgresql-15" >&2
    exit 1
  fi
fi

as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  as_pg=(runuser -u postgres --)
fi

# As root the directory must be reachable by `postgres`: /tmp, not a private TMPDIR.
if [ "${#as_pg[@]}" -gt 0 ]; then tmp_parent=/tmp; else tmp_parent=${TMPDIR:-/tmp}; fi
PGDIR=$(mktemp -d "$tmp_parent/phaodai-pg.XXXXXX")
server_started=0
child=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$server_started" -eq 1 ]; then
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PGDIR"
  exit "$status"
}
on_signal() {
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

if [ "${#as_pg[@]}" -gt 0 ]; then
  chown postgres: "$PGDIR"
fi
chmod 700 "$PGDIR"

# A free TCP port number: with listen_addresses='' it only names the socket (.s.PGSQL.PORT), but a
# free one keeps the URL valid if someone turns TCP on.
PORT=$( (python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null) || echo $((20000 + RANDOM % 20000)))

"${as_pg[@]}" "$PG_BIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
  --no-sync >"$PGDIR/initdb.log" 2>&1 || { cat "$PGDIR/initdb.log" >&2; exit 1; }

server_started=1
"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 start -o \
  "-c listen_addresses='' -c unix_socket_directories='$PGDIR' -p $PORT -c fsync=off \
   -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" >/dev/null \
  || { cat "$PGDIR/server.log" >&2; exit 1; }

export PGHOST=$PGDIR PGPORT=$PORT PGUSER=postgres PHAODAI_PG_BIN=$PG_BIN
"$PG_BIN/createdb" phaodai
export DATABASE_URL="postgres://postgres@/phaodai?host=$PGDIR&port=$PORT"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $PGDIR (port $PORT)" >&2

# In the background so a signal to this script is handled at once (stdin passed on explicitly).
set +e
"$@" <&0 &
child=$!
wait "$child"
status=$?
set -e
exit "$status"
