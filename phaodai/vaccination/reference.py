"""The shipped vaccines and their schedules (data/products.json), loaded after every migrate or flush.

Idempotent: products that exist are left alone, so an operator's later corrections survive an upgrade.
"""

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from phaodai.vaccination.models import Product, ScheduleStep

DATA = Path(__file__).resolve().parent / "data" / "products.json"
PRODUCT_FIELDS = ("code", "name", "name_en", "manufacturer", "platform", "series_doses", "source")


def shipped_products() -> list[dict[str, Any]]:
    with DATA.open(encoding="utf-8") as handle:
        products: list[dict[str, Any]] = json.load(handle)["products"]
    return products


def ensure_reference_data(using: str = "default") -> None:
    rows = shipped_products()
    with transaction.atomic(using=using):
        known = set(Product.objects.using(using).values_list("code", flat=True))
        for row in rows:
            if row["code"] in known:
                continue
            product = Product.objects.using(using).create(
                **{name: row[name] for name in PRODUCT_FIELDS},
                interchangeable_with=list(row["interchangeable_with"]),
            )
            ScheduleStep.objects.using(using).bulk_create(
                ScheduleStep(product=product, **step) for step in row["steps"]
            )
