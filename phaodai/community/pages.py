"""Helpers shared by the community pages: reading form values and turning refusals into field errors."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest

from phaodai.core.clock import HANOI
from phaodai.core.errors import DomainError
from phaodai.core.idempotency import new_token as new_token  # the pages import it from here


def form_date(value: str) -> date | str:
    """A date from an <input type=date>; the text itself when it is not one (the service refuses it)."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return value


def form_moment(value: str) -> datetime | str | None:
    """A Hà Nội moment from an <input type=datetime-local>; None when empty."""
    text = value.strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=HANOI)
    except ValueError:
        return text


def field_errors(error: DomainError) -> dict[str, str]:
    return {error.field or "general": str(error.detail)}


def posted(request: HttpRequest, *names: str, limit: int = 6000) -> dict[str, Any]:
    """The posted values, each cut at `limit` (a NUL byte never gets here: core's
    RefuseNulBytesMiddleware answers 400 to a form holding one)."""
    return {name: request.POST.get(name, "")[:limit] for name in names}


EARLIEST = date(2020, 1, 1)
LATEST = date(2100, 12, 31)


def sane_date(value: date | str, fallback: date) -> date:
    """A date from a query string within 2020–2100 (weeks around it stay computable), else `fallback`."""
    if isinstance(value, date) and EARLIEST <= value <= LATEST:
        return value
    return fallback
