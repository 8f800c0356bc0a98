"""The lab result import API (/api/v1/diagnostics/imports)."""

from ninja import Router

router = Router(tags=["diagnostics"])
