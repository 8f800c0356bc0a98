"""The permits API (mounted at /api/v1/permits)."""

from ninja import Router

router = Router(tags=["permits"])
