"""The vaccination API."""

from ninja import Router

router = Router(tags=["vaccination"])
