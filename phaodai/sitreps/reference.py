"""The shipped report form and the two schedules of S10/S11 (data/reference.json), restored after migrate.

Existing rows keep what officials changed in them; only missing ones are created.
"""

import json
from datetime import date, time
from pathlib import Path
from typing import Any

from django.db import transaction

from phaodai.sitreps.models import FormCheck, FormField, ReportForm, Schedule, Slot

DATA = Path(__file__).parent / "data" / "reference.json"
_FIELD_KEYS = (
    "label",
    "label_en",
    "kind",
    "unit_label",
    "unit_label_en",
    "rollup",
    "required",
    "section",
    "section_en",
    "main",
)


def reference_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def ensure_reference_data(*, using: str = "default") -> None:
    from phaodai.territory.selectors import unit_by_code

    data = reference_data()
    with transaction.atomic(using=using):
        for spec in data["forms"]:
            form, _ = ReportForm.objects.using(using).get_or_create(
                code=spec["code"], defaults={"name": spec["name"], "name_en": spec["name_en"]}
            )
            for order, field in enumerate(spec["fields"]):
                defaults = {key: field[key] for key in _FIELD_KEYS} | {"order": order}
                FormField.objects.using(using).get_or_create(form=form, code=field["code"], defaults=defaults)
            for check in spec["checks"]:
                defaults = {key: check[key] for key in ("logic", "field_code", "message", "message_en")}
                FormCheck.objects.using(using).get_or_create(form=form, code=check["code"], defaults=defaults)
        for spec in data["schedules"]:
            scope = unit_by_code(spec["scope"])
            if scope is None:  # territory not loaded yet (its migration runs first; kept for safety)
                continue
            defaults = {
                key: spec[key]
                for key in (
                    "name",
                    "name_en",
                    "reporter_level",
                    "grace_minutes",
                    "lock_after_hours",
                    "open_hours_before",
                    "remind_minutes_before",
                )
            } | {
                "form": ReportForm.objects.using(using).get(code=spec["form"]),
                "scope": scope,
                "active_from": date.fromisoformat(spec["active_from"]),
                "source": Schedule.objects.using(using).filter(code=spec["source"]).first()
                if spec["source"]
                else None,
            }
            schedule, created = Schedule.objects.using(using).get_or_create(
                code=spec["code"], defaults=defaults
            )
            if created:
                for slot in spec["slots"]:
                    Slot.objects.using(using).create(
                        schedule=schedule,
                        name=slot["name"],
                        name_en=slot["name_en"],
                        at=time.fromisoformat(slot["at"]),
                        deadline=time.fromisoformat(slot["deadline"]),
                    )
