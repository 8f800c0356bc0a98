"""The declarations API (mounted at /api/v1/declarations)."""

from ninja import Router

router = Router(tags=["declarations"])
