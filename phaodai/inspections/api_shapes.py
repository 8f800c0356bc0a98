"""How the inspections API answers: rows shaped as its output schemas, times in Hà Nội time.

No personal identifiers are kept on inspections (no CCCD, no phone); names of offenders and of the
persons who answer for a violation are shown only to readers of the inspection, within their units.
"""

from datetime import date, datetime
from typing import Any

from phaodai.core.clock import to_local
from phaodai.inspections import rules, selectors
from phaodai.inspections.models import Inspection, InspectionTeam, Violation, ViolationKind


def _local(moment: datetime | None) -> datetime | None:
    return to_local(moment) if moment is not None else None


def unit_ref(unit: Any) -> dict[str, str]:
    return {"code": unit.code, "name": unit.full_name}


def team_out(team: InspectionTeam) -> dict[str, Any]:
    return {
        "id": team.pk,
        "name": team.name,
        "level": team.level,
        "decision_number": team.decision_number,
        "decision_date": team.decision_date,
        "home_unit": unit_ref(team.home_unit),
        # area_units is prefetched by the selectors: sorting here costs no query.
        "area": [unit_ref(u) for u in sorted(team.area_units.all(), key=lambda u: u.code)],
        "active_from": to_local(team.active_from),
        "active_until": _local(team.active_until),
    }


def team_detail(team: InspectionTeam) -> dict[str, Any]:
    members = [
        {
            "name": m.name,
            "title": m.title,
            "role": m.role,
            "username": m.user.username if m.user is not None else None,
        }
        for m in selectors.members_of(team)
    ]
    return {**team_out(team), "members": members}


def inspection_out(inspection: Inspection) -> dict[str, Any]:
    return {
        "id": inspection.pk,
        "team": {"id": inspection.team.pk, "name": inspection.team.name},
        "target_kind": inspection.target_kind,
        "business": inspection.business_id,
        "unit": unit_ref(inspection.unit),
        "area": inspection.area.code if inspection.area is not None else None,
        "target_label": inspection.target_label,
        "surprise": inspection.surprise,
        "follow_up_of": inspection.follow_up_of_id,
        "scheduled_at": to_local(inspection.scheduled_at),
        "started_at": _local(inspection.started_at),
        "finished_at": _local(inspection.finished_at),
        "status": inspection.status,
        "result": inspection.result,
        "summary": inspection.summary,
        "version": inspection.version,
    }


def violation_out(violation: Violation) -> dict[str, Any]:
    kind = violation.kind
    return {
        "id": violation.pk,
        "inspection": violation.inspection_id,
        "kind": kind.code,
        "kind_description": kind.description,
        "kind_description_en": kind.description_en,
        "legal_basis": kind.legal_basis,
        "offender": violation.offender,
        "offender_name": violation.offender_name,
        "fine_amount": violation.fine_amount,
        "measures": list(violation.measures),
        "decision_number": violation.decision_number,
        "responsible_person": violation.responsible_person,
        "decided_at": to_local(violation.decided_at),
        "decided_by": violation.decided_by.username,
        "plan_suspended": violation.suspended_plan_id is not None,
        "reinspect_by": _local(violation.reinspect_by),
    }


def inspection_detail(inspection: Inspection) -> dict[str, Any]:
    checklist = inspection.checklist
    findings = [
        {
            "item_code": f.item_code,
            "ok": f.ok,
            "note": f.note,
            "has_photo": bool(f.photo),
            "recorded_by": f.recorded_by.username,
        }
        for f in inspection.findings.select_related("recorded_by").order_by("pk")
    ]
    violations = selectors.violations_of(inspection).select_related("decided_by")
    business = inspection.business
    return {
        **inspection_out(inspection),
        "checklist": {
            "code": checklist.code,
            "version": checklist.version,
            "title": checklist.title,
            "title_en": checklist.title_en,
            "items": [
                {"code": item["code"], "text": item.get("text", ""), "text_en": item.get("text_en", "")}
                for item in checklist.items
            ],
        },
        "findings": findings,
        "violations": [violation_out(v) for v in violations],
        "business_closed": selectors.is_closed(business) if business is not None else None,
    }


def kind_out(kind: ViolationKind) -> dict[str, Any]:
    spec = selectors.kind_spec(kind)
    person, organisation = spec.band(rules.PERSON), spec.band(rules.ORGANISATION)
    return {
        "code": kind.code,
        "description": kind.description,
        "description_en": kind.description_en,
        "legal_basis": kind.legal_basis,
        "person_band": {"low": person.low, "high": person.high},
        "organisation_band": {"low": organisation.low, "high": organisation.high},
        "measures": list(kind.measures),
        "suspends_plan": kind.suspends_plan,
        "to_verify": kind.to_verify,
        "note": kind.note,
    }


def accountability_out(unit: Any, first: date, last: date, figures: rules.Accountability) -> dict[str, Any]:
    descriptions = dict(selectors.violation_kinds().values_list("code", "description"))
    return {
        "unit": unit_ref(unit),
        "from": first,
        "to": last,
        "inspections_done": figures.inspections_done,
        "passed": figures.passed,
        "failed": figures.failed,
        "violations": figures.violations,
        "by_kind": [
            {"kind": code, "description": descriptions.get(code, code), "count": t.count, "fines": t.fines}
            for code, t in figures.by_kind.items()
        ],
        "fines_total": figures.fines_total,
        "closures": figures.closures,
        "still_closed": figures.still_closed,
        "overdue": list(figures.overdue),
        "repeat_offenders": [
            {
                "target": r.target_key,
                "label": r.label,
                "unit": r.unit,
                "violations": r.violations,
                "responsible_persons": list(r.responsible_persons),
            }
            for r in figures.repeat_offenders
        ],
        "repeat_units": [{"unit": code, "violations": n} for code, n in figures.repeat_units.items()],
    }


def overdue_out(violation: Violation) -> dict[str, Any]:
    inspection = violation.inspection
    return {
        "violation": violation.pk,
        "inspection": inspection.pk,
        "team": {"id": inspection.team.pk, "name": inspection.team.name},
        "target_label": inspection.target_label,
        "kind": violation.kind.code,
        "decision_number": violation.decision_number,
        "decided_at": to_local(violation.decided_at),
        "reinspect_by": _local(violation.reinspect_by),
    }
