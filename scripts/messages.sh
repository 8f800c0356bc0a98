#!/usr/bin/env bash
# `make messages`: update the Vietnamese and English catalogues from the code and templates, then
# compile them. Needs GNU gettext (installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v msgfmt >/dev/null 2>&1 && command -v xgettext >/dev/null 2>&1 || scripts/apt-install.sh gettext
mkdir -p phaodai/locale
ignore=(--ignore=.venv --ignore=var --ignore=build --ignore=dist --ignore=bench --ignore=tests
  --ignore='*/tests/*' --ignore=node_modules)
.venv/bin/python manage.py makemessages -l vi -l en "${ignore[@]}"
.venv/bin/python manage.py compilemessages -l vi -l en "${ignore[@]}"
