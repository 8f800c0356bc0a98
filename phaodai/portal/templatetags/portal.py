"""Template helpers for the public pages: localized names and readable text on level colours."""

from typing import Any

from django import template

from phaodai.portal import maps, words
from phaodai.zoning import selectors as zoning

register = template.Library()


@register.filter
def loc(obj: Any, field: str) -> str:
    """`{{ level|loc:"name" }}`: the English variant when the page is in English and one exists."""
    return zoning.localized(obj, field) if obj is not None else ""


@register.filter
def ink(colour: str) -> str:
    """Black or white text, whichever reads on the colour."""
    return maps.ink(colour or "#e0e0e0")


@register.filter
def status_words(status: str) -> str:
    return words.status_words(status)


@register.filter
def status_symbol(status: str) -> str:
    return words.status_symbol(status)


@register.filter
def with_query(url: str, query: str) -> str:
    """`{{ url|with_query:moment.query }}`: carry the chosen instant along a link."""
    return f"{url}?{query}" if query else url
