"""The markets API: the allocation part (joined in api.py)."""

from ninja import Router

router = Router(tags=["markets"])
