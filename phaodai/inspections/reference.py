"""The shipped reference data: violation kinds with their fine bands, and a checklist per target kind.

Loaded after every migrate or flush (like the zoning catalogue), idempotently: rows that exist are
left alone, so an operator's later corrections (e.g. a verified band) survive an upgrade.
"""

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from phaodai.inspections.models import Checklist, ViolationKind

DATA = Path(__file__).resolve().parent / "data"


def load_json(name: str) -> dict[str, Any]:
    with (DATA / name).open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
        return data


def ensure_reference_data(using: str = "default") -> None:
    """Create whatever shipped violation kind or checklist is missing."""
    with transaction.atomic(using=using):
        ensure_violation_kinds(using)
        ensure_checklists(using)


def ensure_violation_kinds(using: str = "default") -> None:
    data = load_json("violation_kinds.json")
    kinds = ViolationKind.objects.using(using)
    known = set(kinds.values_list("code", flat=True))
    kinds.bulk_create(
        ViolationKind(
            code=spec["code"],
            description=spec["description"],
            description_en=spec["description_en"],
            legal_basis=spec["legal_basis"],
            fine_min=spec["fine_min"],
            fine_max=spec["fine_max"],
            organisation_multiplier=data["organisation_multiplier"],
            measures=spec["measures"],
            suspends_plan=spec["suspends_plan"],
            to_verify=spec.get("to_verify", False),
            note=spec.get("note", ""),
            order=order,
        )
        for order, spec in enumerate(data["kinds"])
        if spec["code"] not in known
    )


def ensure_checklists(using: str = "default") -> None:
    checklists = Checklist.objects.using(using)
    known = set(checklists.values_list("code", "version"))
    checklists.bulk_create(
        Checklist(
            code=spec["code"],
            version=spec.get("version", 1),
            target_kind=spec["target_kind"],
            title=spec["title"],
            title_en=spec["title_en"],
            items=spec["items"],
        )
        for spec in load_json("checklists.json")["checklists"]
        if (spec["code"], spec.get("version", 1)) not in known
    )
