"""The shipped tracing and isolation rules, loaded after every migrate or flush.

Idempotent: rows that exist are left alone, so an operator's later corrections survive an upgrade.
"""

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from phaodai.cases.models import IsolationRule, TracingRule

DATA = Path(__file__).resolve().parent / "data" / "rules.json"


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def ensure_reference_data(using: str = "default") -> None:
    with DATA.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    with transaction.atomic(using=using):
        _missing(TracingRule, data["tracing"], using)
        _missing(IsolationRule, data["isolation"], using)


def _missing(model: Any, rows: list[dict[str, Any]], using: str) -> None:
    manager = model.objects.using(using)
    known = set(manager.values_list("code", flat=True))
    manager.bulk_create(
        model(**{**row, "valid_from": _day(row["valid_from"]), "valid_until": _day(row["valid_until"])})
        for row in rows
        if row["code"] not in known
    )
