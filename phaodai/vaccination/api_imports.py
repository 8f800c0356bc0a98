"""API of bulk dose imports, under /api/v1/vaccination."""

from ninja import Router

router = Router(tags=["vaccination"])
