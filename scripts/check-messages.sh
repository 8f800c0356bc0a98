#!/usr/bin/env bash
# Check that the message catalogues under phaodai/locale compile, the way Django's compilemessages
# compiles them (msgfmt --check-format), without writing anything. Skipped while there is no
# phaodai/locale yet; then the Vietnamese catalogue must exist.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCALE=phaodai/locale
if [ ! -d "$LOCALE" ]; then
  echo "check-messages: no $LOCALE yet; nothing to check"
  exit 0
fi
if [ ! -f "$LOCALE/vi/LC_MESSAGES/django.po" ]; then
  echo "error: $LOCALE exists but has no Vietnamese catalogue $LOCALE/vi/LC_MESSAGES/django.po (make messages)" >&2
  exit 1
fi
command -v msgfmt >/dev/null 2>&1 || scripts/apt-install.sh gettext

status=0
while IFS= read -r -d '' po; do
  mo=${po%.po}.mo
  if ! msgfmt --check-format -o /dev/null "$po"; then
    echo "error: $po does not compile" >&2
    status=1
    continue
  fi
  # Django reads the compiled .mo: say so when it is missing or older than its .po.
  if [ ! -f "$mo" ]; then
    echo "warning: $mo is missing (make messages compiles it)" >&2
  elif ! cmp -s "$mo" <(msgfmt --check-format -o - "$po"); then
    echo "warning: $mo differs from what $po compiles to (make messages)" >&2
  fi
  echo "check-messages: $po compiles ($(msgfmt --statistics -o /dev/null "$po" 2>&1))"
done < <(find "$LOCALE" -name '*.po' -print0 | sort -z)

# Every message in the code must have a Vietnamese translation (decision 0009): re-extract into the
# catalogue, list what is untranslated or fuzzy, then put the committed catalogue back untouched.
VI_PO="$LOCALE/vi/LC_MESSAGES/django.po"
saved=$(mktemp)
cp "$VI_PO" "$saved"
trap 'cp "$saved" "$VI_PO"; rm -f "$saved"' EXIT
env -u DATABASE_URL .venv/bin/python manage.py makemessages -l vi --no-obsolete --no-location \
  --ignore ".venv/*" --ignore "var/*" --ignore "tests/*" --ignore "*/tests/*" --ignore "bench/*" >/dev/null
missing=$(msgattrib --untranslated --no-obsolete "$VI_PO"; msgattrib --only-fuzzy --no-obsolete "$VI_PO")
missing=$(printf '%s\n' "$missing" | grep '^msgid "' | grep -v '^msgid ""$' || true)
if [ -n "$missing" ]; then
  echo "error: these messages have no Vietnamese translation (make messages, then translate $VI_PO):" >&2
  printf '%s\n' "$missing" >&2
  status=1
else
  echo "check-messages: every message has a Vietnamese translation"
fi
exit "$status"
