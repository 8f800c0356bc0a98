"""Businesses hear of zoning decisions: each one whose measures change is told (S7, issue #9 point 4)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction


def tell_businesses(decision: Any, places: Sequence[Any], effective_at: datetime, **kwargs: Any) -> None:
    """Connected to zoning's `places_decided`; runs after the decision is committed."""
    from phaodai.business.services import notify_businesses_of_level_change

    # Dated as the decision was issued, so a replayed history (the demo) reads as it happened.
    issued = decision.issued_at
    for place in places:
        with transaction.atomic():
            notify_businesses_of_level_change(place=place, effective_at=effective_at, clock=lambda: issued)
