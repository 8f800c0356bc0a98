"""The shipped reference data: the activity catalogue, the regimes and the two criteria tables.

Loaded after every migrate or flush (like the units), idempotently: rows that exist are left alone,
so an operator's later edits survive an upgrade.
"""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from phaodai.zoning import rules
from phaodai.zoning.models import Activity, CriteriaRow, CriteriaTable, Level, Regime, RegimeRule

DATA = Path(__file__).resolve().parent / "data"


def load_json(name: str) -> dict[str, Any]:
    with (DATA / name).open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
        return data


def ensure_reference_data(using: str = "default") -> None:
    """Create whatever shipped activity, regime, rule or table is missing."""
    with transaction.atomic(using=using):
        ensure_catalogue(using)
        ensure_criteria_tables(using)


def ensure_catalogue(using: str = "default") -> None:
    catalogue = load_json("catalogue.json")
    activities = Activity.objects.using(using)
    known = set(activities.values_list("code", flat=True))
    activities.bulk_create(
        Activity(code=a["code"], group=a["group"], name=a["name"], name_en=a["name_en"], order=i)
        for i, a in enumerate(catalogue["activities"])
        if a["code"] not in known
    )
    by_code = {a.code: a for a in activities.all()}
    for order, spec in enumerate(catalogue["regimes"]):
        regime = Regime.objects.using(using).filter(code=spec["code"]).first()
        if regime is not None:
            continue
        parent = Regime.objects.using(using).get(code=spec["extends"]) if spec.get("extends") else None
        regime = Regime.objects.using(using).create(
            code=spec["code"],
            name=spec["name"],
            name_en=spec["name_en"],
            short_name=spec["short_name"],
            short_name_en=spec["short_name_en"],
            basis=spec["basis"],
            basis_en=spec["basis_en"],
            summary=spec.get("summary", ""),
            summary_en=spec.get("summary_en", ""),
            extends=parent,
            to_verify=spec.get("to_verify", False),
            order=order,
        )
        RegimeRule.objects.using(using).bulk_create(
            RegimeRule(
                regime=regime,
                activity=by_code[activity],
                status=rule["status"],
                conditions=rule.get("conditions", {}),
                note=rule.get("note", ""),
                note_en=rule.get("note_en", ""),
                to_verify=rule.get("to_verify", False),
            )
            for activity, rule in spec["rules"].items()
        )


def ensure_criteria_tables(using: str = "default") -> None:
    from phaodai.territory.selectors import unit_by_code

    for spec in load_json("criteria_tables.json")["tables"]:
        tables = CriteriaTable.objects.using(using)
        if tables.filter(code=spec["code"], version=spec["version"]).exists():
            continue
        issuer = unit_by_code(spec["issued_by"])
        if issuer is None:  # units not loaded on this database yet
            continue
        build_shipped_table(spec, issuer, using)


def build_shipped_table(spec: dict[str, Any], issuer: Any, using: str = "default") -> CriteriaTable:
    """A published table from its JSON description (checked by the same rules as the form)."""
    levels = [rules.LevelSpec(lv["severity"], lv["code"], lv["name"]) for lv in spec["levels"]]
    severity_of = {lv["code"]: lv["severity"] for lv in spec["levels"]}
    checked = rules.build_table(
        code=spec["code"],
        levels=levels,
        rows=[(row["label"], severity_of[row["level"]], row["conditions"]) for row in spec["rows"]],
        modifiers=spec.get("modifiers", []),
    )
    valid_from = datetime.fromisoformat(spec["valid_from"])
    valid_until = datetime.fromisoformat(spec["valid_until"]) if spec.get("valid_until") else None
    table = CriteriaTable.objects.using(using).create(
        code=spec["code"],
        version=spec["version"],
        name=spec["name"],
        name_en=spec.get("name_en", ""),
        issued_by=issuer,
        basis=spec["basis"],
        valid_from=valid_from,
        valid_until=valid_until,
        status=CriteriaTable.Status.PUBLISHED,
        modifiers=spec.get("modifiers", []),
        compiled=rules.compile_table(checked),
        published_at=valid_from,
        path=issuer.path,
    )
    regimes = {r.code: r for r in Regime.objects.using(using).all()}
    level_rows = {}
    for lv in spec["levels"]:
        level_rows[lv["code"]] = Level.objects.using(using).create(
            table=table,
            severity=lv["severity"],
            code=lv["code"],
            name=lv["name"],
            name_en=lv["name_en"],
            colour=lv["colour"],
            regime=regimes[lv["regime"]],
        )
    CriteriaRow.objects.using(using).bulk_create(
        CriteriaRow(
            table=table,
            level=level_rows[row["level"]],
            order=order,
            label=row["label"],
            conditions=row["conditions"],
        )
        for order, row in enumerate(spec["rows"], start=1)
    )
    return table
