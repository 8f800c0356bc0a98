"""Laboratories: the shipped reference list, and finding an active one by its code."""

import json
from pathlib import Path

from django.utils.translation import gettext as _

from phaodai.core.errors import InvalidInput
from phaodai.diagnostics.models import Lab
from phaodai.territory import selectors as territory

LABS_DATA = Path(__file__).resolve().parent.parent / "data" / "labs.json"


def lab_by_code(code: str, field_name: str = "lab") -> Lab | None:
    """The active laboratory with this code; None for no code; InvalidInput for an unknown one."""
    code = (code or "").strip()
    if not code:
        return None
    lab = Lab.objects.filter(code=code, active=True).first()
    if lab is None:
        raise InvalidInput(_("There is no laboratory with this code."), field=field_name)
    return lab


def ensure_labs() -> int:
    """Load the shipped laboratories (data/labs.json) that are missing; returns how many were added.

    Idempotent: a laboratory already known by its code is left as an operator may have corrected it.
    """
    rows = json.loads(LABS_DATA.read_text(encoding="utf-8"))["labs"]
    known = set(Lab.objects.values_list("code", flat=True))
    added = 0
    for row in rows:
        unit = territory.unit_by_code(row["unit"])
        if row["code"] in known or unit is None:
            continue
        Lab.objects.create(
            code=row["code"], name=row["name"], name_en=row["name_en"], unit=unit, path=unit.path
        )
        added += 1
    return added
