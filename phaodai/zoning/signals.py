"""What zoning tells the apps that depend on it (zoning cannot import them: they import zoning).

`places_decided` is sent once a decision that places areas or units under a level or regime has been
committed: `decision`, `places` (the areas and units it covers) and `effective_at`. Receivers run
after the commit, so a receiver's failure never undoes the decision; it is logged instead.
"""

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.dispatch import Signal

places_decided = Signal()

log = logging.getLogger(__name__)


def announce(decision: Any, places: Sequence[Any], effective_at: datetime) -> None:
    """Send `places_decided` after the surrounding transaction commits."""

    def send() -> None:
        results = places_decided.send_robust(
            sender=type(decision), decision=decision, places=list(places), effective_at=effective_at
        )
        for receiver, outcome in results:
            if isinstance(outcome, Exception):
                log.error("places_decided receiver %r failed", receiver, exc_info=outcome)

    transaction.on_commit(send)
