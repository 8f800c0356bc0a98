#!/usr/bin/env bash
# `make test`: every check, in order, stopping at the first that fails, then a table of timings.
# `scripts/test.sh ID...` runs only the named steps (ids: ruff format mypy imports migrations messages
# sqlite browser postgres). See docs/operations/testing.md. Expects the .venv that `make` prepares.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=.venv/bin
export PHAODAI_FAST_PASSWORD_HASHER=1
# The browser tests must run here; PHAODAI_SKIP_BROWSER is only for a developer's quick runs.
unset PHAODAI_SKIP_BROWSER

RESULTS=$(mktemp -d "${TMPDIR:-/tmp}/phaodai-test.XXXXXX")
trap 'rm -rf "$RESULTS"' EXIT

steps=()
times=()
started=$SECONDS

ALL_IDS=(ruff format mypy imports migrations messages sqlite browser postgres)
wanted=("$@")
for id in "${wanted[@]}"; do
  if [[ " ${ALL_IDS[*]} " != *" $id "* ]]; then
    echo "usage: $0 [STEP...]; steps: ${ALL_IDS[*]}" >&2
    exit 2
  fi
done

step() {
  local id=$1 name=$2
  shift 2
  if [ "${#wanted[@]}" -gt 0 ] && [[ " ${wanted[*]} " != *" $id "* ]]; then
    return 0
  fi
  printf '\n==> %s\n' "$name"
  local t0=$SECONDS status=0
  "$@" || status=$?
  steps+=("$name")
  times+=($((SECONDS - t0)))
  if [ "$status" -ne 0 ]; then
    summary
    printf '\nFAILED: %s (exit %s)\n' "$name" "$status" >&2
    exit "$status"
  fi
}

summary() {
  printf '\n%-34s %6s\n' "step" "seconds"
  local i
  for i in "${!steps[@]}"; do
    printf '%-34s %6s\n' "${steps[$i]}" "${times[$i]}"
  done
  printf '%-34s %6s\n' "total" $((SECONDS - started))
}

# A hung test must not eat CI's 90 minutes: each pytest run is stopped after this many seconds
# (pytest's faulthandler_timeout has dumped the stuck test's traceback by then). 60 minutes: the
# PostgreSQL pass of ~8,400 tests took 18 min on an idle 2-core machine and over 40 on a busy one;
# at ~12,000 tests a busy machine passed 50.
STEP_TIMEOUT=${PHAODAI_TEST_STEP_TIMEOUT:-3600}
PYTEST=(timeout --kill-after=30 "$STEP_TIMEOUT" "$BIN/pytest")

# With pytest-xdist installed, the two database passes use both cores (measured 1.7x faster on the
# 2-core machine, on SQLite and PostgreSQL alike). PHAODAI_TEST_WORKERS=0 runs them in one process.
workers=${PHAODAI_TEST_WORKERS:-auto}
if [ "$workers" = auto ]; then
  if "$BIN/python" -c "import xdist" 2>/dev/null; then workers=2; else workers=0; fi
fi
PARALLEL=()
if [ "$workers" != 0 ]; then PARALLEL=(-n "$workers"); fi

# pytest on SQLite (the default database) whatever the caller's environment says.
pytest_sqlite() {
  env -u DATABASE_URL "${PYTEST[@]}" "$@"
}

# The default SQLite database lives under var/, which a fresh clone does not have yet.
mkdir -p var

step ruff "ruff check" "$BIN/ruff" check .
step format "ruff format --check" "$BIN/ruff" format --check .
step mypy "mypy" "$BIN/mypy" .
step imports "lint-imports" "$BIN/lint-imports"
step migrations "makemigrations --check" env -u DATABASE_URL "$BIN/python" manage.py makemigrations --check --dry-run
step messages "message catalogues compile" scripts/check-messages.sh
step sqlite "pytest on SQLite" pytest_sqlite -m "not browser" "${PARALLEL[@]}" --junitxml="$RESULTS/sqlite.xml"
step browser "chromium present" scripts/ensure-chromium.sh
step browser "browser tests (SQLite)" pytest_sqlite -m browser --junitxml="$RESULTS/browser.xml"
step postgres "pytest on PostgreSQL 15" scripts/with-postgres.sh \
  "${PYTEST[@]}" -m "not browser" "${PARALLEL[@]}" --junitxml="$RESULTS/postgres.xml"

summary
# One plain closing line over the three pytest runs.
shopt -s nullglob
reports=("$RESULTS"/*.xml)
[ "${#reports[@]}" -gt 0 ] || exit 0
"$BIN/python" - "${reports[@]}" <<'PY'
import sys
import xml.etree.ElementTree as ET

total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
for path in sys.argv[1:]:
    for suite in ET.parse(path).getroot().iter("testsuite"):
        for key in total:
            total[key] += int(suite.get(key, 0))
passed = total["tests"] - total["failures"] - total["errors"] - total["skipped"]
failed = total["failures"] + total["errors"]
print(f"\ntests: {passed} passed, {failed} failed, {total['skipped']} skipped")
PY
