"""Template helpers for the command app's public blocks: a place's published hotlines."""

from typing import Any

from django import template

from phaodai.command import selectors as command
from phaodai.core.language import localized

register = template.Library()


@register.filter
def hotline_label(hotline: Any) -> str:
    """The English label on English pages when there is one."""
    return localized(hotline, "label")


@register.inclusion_tag("portal/_hotlines.html")
def hotlines_for(unit: Any) -> dict[str, Any]:
    """`{% hotlines_for unit %}`: the unit's and the units above its published hotlines (one query)."""
    return {"hotlines": command.published_hotlines_for(unit), "place": unit}
