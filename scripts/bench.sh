#!/usr/bin/env bash
# `make bench [NAME=x]`: run bench/*.py (or bench/NAME.py) on a throwaway PostgreSQL 15 and print
# their BENCH lines at the end.
#
# Each benchmark is a standalone script, run as `.venv/bin/python bench/NAME.py` from the repo root
# with DJANGO_SETTINGS_MODULE=config.settings (it calls django.setup() itself) and DATABASE_URL
# pointing at its own freshly migrated database, so benchmarks cannot disturb each other. It must
# exit 0 and print a line `BENCH name=... value=... unit=... baseline=... ratio=... target=...`.
# Files whose name starts with "_" are helpers, not benchmarks.
# Load benchmarks (public_regime) serve the project on 127.0.0.1 with gunicorn and drive it with wrk
# (Debian package `wrk`, installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--inside-postgres" ]; then
  shift
  # Migrate once into a template, then give each benchmark a copy of it.
  .venv/bin/python manage.py migrate --verbosity 0
  "$PHAODAI_PG_BIN/psql" -q -d postgres -c "ALTER DATABASE phaodai IS_TEMPLATE true" >/dev/null
  logs=$(mktemp -d)
  trap 'rm -rf "$logs"' EXIT
  failed=()
  for file in "$@"; do
    name=$(basename "$file" .py)
    db="bench_$name"
    "$PHAODAI_PG_BIN/createdb" -T phaodai "$db"
    printf '\n==> %s\n' "$file"
    t0=$SECONDS
    status=0
    DATABASE_URL="postgres://postgres@/$db?host=$PGHOST&port=$PGPORT" \
      .venv/bin/python "$file" 2>&1 | tee "$logs/$name.log" || status=$?
    echo "($file: $((SECONDS - t0)) s, exit $status)"
    if [ "$status" -ne 0 ]; then
      failed+=("$file (exit $status)")
    elif ! grep -q '^BENCH ' "$logs/$name.log"; then
      failed+=("$file (printed no BENCH line)")
    fi
  done
  printf '\n'
  cat "$logs"/*.log | grep '^BENCH ' || true
  if [ "${#failed[@]}" -gt 0 ]; then
    printf 'FAILED: %s\n' "${failed[@]}" >&2
    exit 1
  fi
  exit 0
fi

if [ -n "${1:-}" ]; then
  files=("bench/$1.py")
  if [ ! -f "${files[0]}" ]; then
    echo "error: no benchmark bench/$1.py (have: $(cd bench && ls [!_]*.py 2>/dev/null | sed 's/\.py$//' | tr '\n' ' '))" >&2
    exit 2
  fi
else
  shopt -s nullglob
  files=(bench/[!_]*.py)
  if [ "${#files[@]}" -eq 0 ]; then
    echo "bench: no benchmarks in bench/ yet"
    exit 0
  fi
fi

if ! command -v wrk >/dev/null 2>&1 && grep -q 'wrk' "${files[@]}"; then
  scripts/apt-install.sh wrk
fi

export DJANGO_SETTINGS_MODULE=config.settings PYTHONPATH=.${PYTHONPATH:+:$PYTHONPATH}
exec scripts/with-postgres.sh "$0" --inside-postgres "${files[@]}"
