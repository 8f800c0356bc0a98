"""The vehicles API (mounted at /api/v1/vehicles)."""

from ninja import Router

router = Router(tags=["vehicles"])
