"""The `Idempotency-Key` header of API writes: a retry with the same key answers with the first result."""

import secrets

from django.http import HttpRequest
from django.utils.translation import gettext as _

from phaodai.core.errors import InvalidInput

KEY_MAX = 80  # every model keeping a key stores up to 80 characters


def header_key(request: HttpRequest, limit: int = KEY_MAX) -> str:
    """The key sent, stripped ("" when none), or InvalidInput naming the header."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > limit or not key.isprintable():
        raise InvalidInput(
            _("The Idempotency-Key header must be at most %(limit)s printable characters.")
            % {"limit": limit},
            field="Idempotency-Key",
        )
    return key


def new_token() -> str:
    """The idempotency key rendered in a form: a double click or a resubmitted page sends it again."""
    return secrets.token_hex(16)
