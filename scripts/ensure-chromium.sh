#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (Playwright drives it
# through `executable_path`; Playwright's own browser download is not used).
set -euo pipefail

CHROMIUM=${PHAODAI_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  "$(dirname "$0")/apt-install.sh" chromium
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "error: $CHROMIUM is still missing after installing Debian's chromium package" >&2
  exit 1
fi
