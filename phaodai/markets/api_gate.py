"""The markets API: the gate part (joined in api.py)."""

from ninja import Router

router = Router(tags=["markets"])
