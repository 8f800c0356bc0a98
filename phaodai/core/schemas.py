"""The base of every API input schema: unknown fields refused, text that PostgreSQL cannot store refused."""

from typing import Any

from ninja import Schema
from pydantic import ConfigDict, model_validator


def unstorable(value: Any) -> bool:
    """Whether a value holds a string PostgreSQL cannot store: a NUL, or a lone surrogate (not UTF-8)."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(unstorable(key) or unstorable(item) for key, item in value.items())
    if isinstance(value, list):
        return any(unstorable(item) for item in value)
    return False


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        if unstorable(data):
            raise ValueError("Text must not contain NUL or invalid Unicode characters.")
        return data
