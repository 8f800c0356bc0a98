"""The interface language: Vietnamese first, English when chosen (decision 0009)."""

from typing import Any

from django.utils.translation import get_language


def english() -> bool:
    return (get_language() or "vi").startswith("en")


def localized(obj: Any, field: str) -> str:
    """`field`, or its `<field>_en` variant on English pages when it has one."""
    if english():
        value = getattr(obj, f"{field}_en", "")
        if value:
            return str(value)
    return str(getattr(obj, field))
