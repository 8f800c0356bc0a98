"""The diagnostics API."""

from ninja import Router

router = Router(tags=["diagnostics"])
