"""The shipped reference data of the command app: the city's departments that tasks are given to.

Loaded after every migrate or flush, idempotently: offices that exist are left alone, so an
operator's later edits survive an upgrade.
"""

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from phaodai.command.models import Office

DATA = Path(__file__).resolve().parent / "data"


def load_offices() -> list[dict[str, Any]]:
    with (DATA / "offices.json").open(encoding="utf-8") as handle:
        offices: list[dict[str, Any]] = json.load(handle)["offices"]
        return offices


def ensure_reference_data(using: str = "default") -> None:
    """Create whatever shipped office is missing (skipped while the units are not loaded yet)."""
    # The unit model through the foreign key: no import of another app's models (import contract).
    unit_model: Any = Office._meta.get_field("unit").related_model
    with transaction.atomic(using=using):
        specs = load_offices()
        units = {
            u.code: u for u in unit_model.objects.using(using).filter(code__in={s["unit"] for s in specs})
        }
        known = set(Office.objects.using(using).values_list("unit__code", "code"))
        Office.objects.using(using).bulk_create(
            Office(
                unit=units[spec["unit"]],
                code=spec["code"],
                name=spec["name"],
                name_en=spec["name_en"],
                short_name=spec.get("short_name", ""),
            )
            for spec in specs
            if spec["unit"] in units and (spec["unit"], spec["code"]) not in known
        )
