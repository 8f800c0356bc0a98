"""Short-hands for relief tests."""

from typing import Any

from phaodai.relief import services


def give(by: Any, unit: Any, item: str, quantity: int, key: str = "") -> Any:
    """A goods donation from a named donor (the usual way stock comes in)."""
    donation, _ = services.record_donation(
        by=by,
        unit=unit,
        kind="goods",
        item=item,
        quantity=quantity,
        donor_name="Công ty TNHH Minh Phát",
        idempotency_key=key,
    )
    return donation
