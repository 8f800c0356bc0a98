"""Signing keys, the published S23 bundle and signed passes for tests of the checkpoint rules.

CLOCK is 06:30 on 9/9/2021 in Hà Nội; the keys are made a day before, the bundle published then.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from phaodai.passes import services
from phaodai.passes.payload import PassPayload, PassType
from phaodai.passes.tests import builders as b

CLOCK = b.CLOCK
KEYS_MADE = CLOCK - timedelta(days=1)


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def keys(by: Any, when: datetime = KEYS_MADE) -> None:
    services.rotate_key(
        by=by, purpose="passes", label="Khóa ký giấy", pass_types=[str(t) for t in PassType], clock=at(when)
    )
    services.rotate_key(by=by, purpose="bundles", label="Khóa ký gói quy tắc", clock=at(when))


def published(by: Any, when: datetime = KEYS_MADE) -> Any:
    """Keys and the checkpoints bundle of the S23 rules, as the city commander publishes them."""
    keys(by, when)
    bundle, _ = services.publish_scope(by=by, scope="checkpoints", clock=at(when))
    return bundle


def sign(payload: PassPayload, when: datetime = KEYS_MADE) -> str:
    return services.sign_pass(payload=payload, clock=at(when))


def permit(**changes: Any) -> str:
    return sign(b.permit(**changes))


def declaration(**changes: Any) -> str:
    values: dict[str, Any] = {
        "type": PassType.DECLARATION,
        "pass_id": "KBYT-20210908-12",
        "valid_from": CLOCK - timedelta(hours=2),
        "valid_to": CLOCK + timedelta(hours=70),
        "holder": "Nguyễn Văn An",
        "birth_year": 1985,
        "cccd_masked": "001******234",
        "symptoms": False,
        "exposure": False,
    }
    values.update(changes)
    return sign(
        PassPayload(**values), min(CLOCK - timedelta(hours=3), values["valid_to"] - timedelta(hours=1))
    )


def vehicle(kind: PassType = PassType.VEHICLE, pass_id: str = "LX-29C12345", **changes: Any) -> str:
    values: dict[str, Any] = {
        "type": kind,
        "pass_id": pass_id,
        "valid_from": CLOCK - timedelta(days=1),
        "valid_to": CLOCK + timedelta(days=20),
        "plate": "29C-123.45",
        "organisation": "Công ty Vận tải Thăng Long",
        "cargo": "Rau củ quả",
    }
    values.update(changes)
    return sign(PassPayload(**values))
