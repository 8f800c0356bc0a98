"""The markets API: the prices part (joined in api.py)."""

from ninja import Router

router = Router(tags=["markets"])
