"""Plain JSON for the public API (see schemas.py for the shapes)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from phaodai.portal import criteria
from phaodai.portal.lookups import ActivityAnswer, Answer
from phaodai.portal.moments import local_iso
from phaodai.zoning import selectors as zoning


def _iso(moment: datetime | None) -> str | None:
    return local_iso(moment) if moment else None


def regime_ref(regime: Any) -> dict[str, Any]:
    return {
        "code": regime.code,
        "name": zoning.localized(regime, "name"),
        "short_name": zoning.localized(regime, "short_name"),
        "basis": zoning.localized(regime, "basis"),
        "to_verify": regime.to_verify,
    }


def regime_brief(regime: Any) -> dict[str, Any]:
    return {
        **regime_ref(regime),
        "extends": regime.extends.code if regime.extends_id else None,
        "summary": zoning.localized(regime, "summary"),
    }


def decision_brief(decision: Any) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "number": decision.number,
        "title": decision.title,
        "issued_by": decision.issued_by.full_name,
        "issued_by_code": decision.issued_by.code,
        "signatory": decision.signatory,
        "effective_at": local_iso(decision.effective_at),
        "issued_at": local_iso(decision.issued_at),
        "supersedes_within": decision.supersedes_within,
    }


def activity_json(activity: ActivityAnswer) -> dict[str, Any]:
    return {
        "code": activity.code,
        "name": activity.name,
        "group": activity.group,
        "status": activity.status,
        "conditions": activity.conditions,
        "conditions_text": activity.phrases,
        "note": activity.note,
        "to_verify": activity.to_verify,
        "basis": activity.basis,
        "from_regime": activity.from_regime,
    }


def activities_json(answer: Answer) -> list[dict[str, Any]]:
    """The activities as JSON, kept with the regime's rulebook (one per language)."""
    if answer.book is None:
        return [activity_json(a) for a in answer.activities]
    return answer.book.in_language("json", lambda: [activity_json(a) for a in answer.activities])


def answer_json(answer: Answer) -> dict[str, Any]:
    placement = answer.placement
    if placement is None:
        return {
            "at": local_iso(answer.at),
            "level": None,
            "level_name": None,
            "colour": None,
            "regime": None,
            "since": None,
            "until": None,
            "decision": None,
            "reason": "",
            "activities": [],
            "message": _("No measure regime is in force here at this time."),
        }
    assignment = placement.assignment
    return {
        "at": local_iso(answer.at),
        "level": placement.level.code if placement.level else None,
        "level_name": answer.level_name,
        "colour": placement.level.colour if placement.level else None,
        "regime": regime_ref(placement.regime),
        "since": local_iso(placement.since),
        "until": _iso(assignment.effective_until),
        "decision": decision_brief(placement.decision),
        "reason": assignment.reason,
        "activities": activities_json(answer),
        "message": None,
    }


def decision_json(decision: Any, assignments: Iterable[Any]) -> dict[str, Any]:
    rows = []
    for assignment in assignments:
        place = assignment.area or assignment.unit
        rows.append(
            {
                "kind": "area" if assignment.area_id else "unit",
                "code": place.code,
                "name": place.name if assignment.area_id else place.full_name,
                "level": assignment.level.code if assignment.level else None,
                "level_name": zoning.localized(assignment.level, "name") if assignment.level else None,
                "regime": assignment.regime.code,
                "effective_from": local_iso(assignment.effective_from),
                "effective_until": _iso(assignment.effective_until),
                "reason": assignment.reason,
            }
        )
    return {**decision_brief(decision), "assignments": rows}


def table_brief(table: Any) -> dict[str, Any]:
    return {
        "code": table.code,
        "version": table.version,
        "name": zoning.localized(table, "name"),
        "issued_by": table.issued_by.full_name,
        "issued_by_code": table.issued_by.code,
        "basis": table.basis,
        "valid_from": local_iso(table.valid_from),
        "valid_until": _iso(table.valid_until),
    }


def table_json(view: criteria.TableView) -> dict[str, Any]:
    levels = [
        {
            "code": lv.level.code,
            "name": lv.name,
            "severity": lv.level.severity,
            "colour": lv.level.colour,
            "regime": regime_ref(lv.level.regime),
        }
        for lv in view.levels
    ]
    rows = [
        {
            "label": row.label,
            "level": row.level,
            "conditions": [
                {"indicator": c.indicator, "op": c.op, "value": c.value, "text": c.words}
                for c in row.conditions
            ],
            "text": row.text,
            "logic": row.logic,
        }
        for lv in view.levels
        for row in lv.rows
    ]
    return {
        **table_brief(view.table),
        "levels": levels,
        "rows": rows,
        "modifiers": list(view.table.modifiers or []),
        "modifiers_text": view.modifiers,
        "default_level": view.default_level,
        "indicators": view.indicators,
        "compiled": view.table.compiled or {},
    }
