"""The shipped validity of a declaration (72 hours, POLICY.md §4), put back after every migrate or flush.

The data migration 0002 adds it once; a `flush` (the test runner's, between transactional tests)
empties the table, and without a rule no declaration can be filed. Idempotent: a rule an operator
set on the same day, or the shipped one changed since, is left alone.
"""

from datetime import date
from typing import Any

from django.db import transaction

from phaodai.declarations.models import ValidityRule

SHIPPED: dict[str, Any] = {
    "code": "KBYT-72H",
    "hours": 72,
    "valid_from": date(2021, 1, 1),
    "basis": "Mã QR khai báo y tế có giá trị 72 giờ tại chốt kiểm soát (Hà Nội, 2021)",
    "basis_en": "The health-declaration QR is valid for 72 hours at checkpoints (Hà Nội, 2021)",
}


def ensure_reference_data(using: str = "default") -> None:
    rules = ValidityRule.objects.using(using)
    with transaction.atomic(using=using):
        if (
            rules.filter(code=SHIPPED["code"]).exists()
            or rules.filter(valid_from=SHIPPED["valid_from"]).exists()
        ):
            return
        rules.create(**SHIPPED)
