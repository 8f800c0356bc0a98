"""The shipped support programmes (data/programmes.json, POLICY.md §7), loaded after every migrate or flush.

Idempotent: a (code, version) that exists is left alone, so an operator's later corrections survive an
upgrade; a changed programme ships as a new version with its own validity.
"""

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from phaodai.welfare import rules
from phaodai.welfare.models import Programme

DATA = Path(__file__).resolve().parent / "data" / "programmes.json"
FIELDS = (
    "code",
    "version",
    "name_vi",
    "name_en",
    "legal_basis",
    "funding_source",
    "criteria",
    "required_documents",
    "amount_kind",
    "amount",
    "amount_min",
    "day_caps",
    "tiers",
    "period_kind",
    "posting_days",
    "to_verify",
    "notes",
)
DATES = ("valid_from", "valid_to", "period_starts", "period_ends")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def programme_rows(path: Path = DATA) -> list[dict[str, Any]]:
    """The programmes of a data file, checked (criteria compile, kinds known); ValueError otherwise."""
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    rows = []
    for raw in data["programmes"]:
        row = {name: raw[name] for name in FIELDS if name in raw}
        row.update({name: _day(raw.get(name)) for name in DATES})
        if row["amount_kind"] not in rules.AMOUNT_KINDS or row["period_kind"] not in rules.PERIOD_KINDS:
            raise ValueError(f"{row['code']}: unknown amount or period kind")
        try:
            for criterion in rules.criteria_of(row.get("criteria", [])):
                rules.check_compiles(criterion.rule)
            if row["amount_kind"] == rules.TIERED:
                _fact, tiers = rules.tiers_of(row.get("tiers"))
                if row["amount"] != tiers[-1].amount or row.get("amount_min", 0) != tiers[0].amount:
                    raise rules.PolicyError("bad_tiers", "tiers")
        except rules.PolicyError as error:
            raise ValueError(f"{row['code']}: {error.code} {error.params}") from None
        rows.append(row)
    return rows


def ensure_programmes(using: str = "default", path: Path = DATA) -> int:
    """Create the shipped programme versions that are missing; returns how many were created."""
    rows = programme_rows(path)
    with transaction.atomic(using=using):
        manager = Programme.objects.using(using)
        known = set(manager.values_list("code", "version"))
        missing = [Programme(**row) for row in rows if (row["code"], row.get("version", 1)) not in known]
        manager.bulk_create(missing)
    return len(missing)
