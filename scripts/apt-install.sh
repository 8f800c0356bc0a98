#!/usr/bin/env bash
# Install Debian packages non-interactively: scripts/apt-install.sh PACKAGE...
# Used by the other scripts when a system tool (PostgreSQL 15, Chromium, gettext) is missing, so a
# fresh machine (CI included) gets what `make test` needs without a manual step.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 PACKAGE..." >&2
  exit 2
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "error: need the Debian package(s) '$*'; install them as root: apt-get install $*" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for a concurrent apt/dpkg run instead of failing on its lock.
apt_opts=(-q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

echo "apt-install: installing $* (apt-get update first)" >&2
"${as_root[@]}" apt-get "${apt_opts[@]}" update >/dev/null
"${as_root[@]}" apt-get "${apt_opts[@]}" install -y --no-install-recommends "$@" </dev/null >/dev/null
echo "apt-install: installed $*" >&2
