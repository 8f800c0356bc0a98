"""The workflow API: rounds, ward proposals and district decisions, through the same services as the pages.

Errors are {"code", "message"}: 403 for a role without the permission, 404 outside the user's units,
409 when someone acted first (proposal_not_open, proposal_changed), 422 for bad input.
Times must carry their UTC offset (e.g. 2021-09-09T06:00:00+07:00).
"""

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.clock import next_local_time, plausible
from phaodai.core.errors import InvalidInput
from phaodai.core.schemas import Strict
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors, services
from phaodai.zoning.errors import LevelNotInTable, TableNotInForce
from phaodai.zoning.models import Decision, Level, Proposal, ProposalItem, Round

router = Router(tags=["zoning"])
TEXT_MAX = 2000


class UnitRef(Schema):
    code: str
    name: str


class TableRef(Schema):
    code: str
    version: int


class CountsOut(Schema):
    total: int
    submitted: int
    late: int
    returned: int
    decided: int
    not_submitted: int


class ProposalBrief(Schema):
    id: int
    ward: UnitRef
    status: str
    version: int
    late: bool
    submitted_at: datetime | None


class RoundBrief(Schema):
    id: int
    title: str
    district: UnitRef
    table: TableRef
    deadline: datetime
    effective_at: datetime
    status: str
    counts: CountsOut


class RoundOut(RoundBrief):
    proposals: list[ProposalBrief]


class RoundIn(Strict):
    district: str = Field(max_length=5, description="District code, e.g. 004")
    table: str = Field(max_length=40, description="Criteria table code, e.g. LB-2021-09")
    table_version: int | None = Field(None, ge=1, description="Default: the version valid at the effect")
    wards: list[str] | None = Field(None, max_length=100, description="Ward codes; default: every ward")
    deadline: datetime
    effective_at: datetime | None = Field(None, description="Default: the 06:00 after the deadline")
    title: str = Field("", max_length=200)


class LevelOut(Schema):
    code: str
    name: str
    severity: int
    colour: str
    regime: str


class EvaluationOut(Schema):
    matched_row: str | None = None
    rule: str = ""
    values: dict[str, Any] = {}
    missing: list[str] = []
    held_by: str | None = None


class ItemOut(Schema):
    area: UnitRef
    suggested_level: str
    proposed_level: str
    justification: str
    decided_level: str | None
    district_reason: str
    evaluation: EvaluationOut


class DecisionBrief(Schema):
    id: int
    number: str
    signatory: str
    issued_by: UnitRef
    issued_at: datetime
    effective_at: datetime


class ProposalOut(ProposalBrief):
    round: int
    table: TableRef
    deadline: datetime
    effective_at: datetime
    classified_at: datetime | None
    return_reason: str
    levels: list[LevelOut]
    items: list[ItemOut]
    decision: DecisionBrief | None


class LevelIn(Strict):
    level: str = Field(max_length=20, description="A level code of the round's table, e.g. KV2")
    justification: str = Field(
        "", max_length=TEXT_MAX, description="Required when it differs from the suggestion"
    )


class VersionIn(Strict):
    version: int | None = Field(
        None, ge=1, description="The version you read (compare-and-set); omit for a retry"
    )


class ReturnIn(VersionIn):
    reason: str = Field(max_length=TEXT_MAX)


class ChangeIn(Strict):
    area_code: str = Field(max_length=40)
    level: str = Field(max_length=20)
    reason: str = Field("", max_length=TEXT_MAX)


class DecisionIn(VersionIn):
    number: str = Field(max_length=60)
    signatory: str = Field(max_length=120)
    changes: list[ChangeIn] = Field(
        [], max_length=1000, description="Areas whose level differs from the ward's"
    )
    effective_at: datetime | None = Field(None, description="Default: the round's planned effect")


class AssignmentOut(Schema):
    area: str
    level: str
    regime: str
    effective_from: datetime
    reason: str


class DecisionOut(DecisionBrief):
    proposal: int
    assignments: list[AssignmentOut]


# Shaping -------------------------------------------------------------------------------------------


def _unit(unit: Any) -> dict[str, str]:
    return {"code": unit.code, "name": unit.full_name}


def _counts(counts: selectors.RoundCounts) -> dict[str, int]:
    fields = ("total", "submitted", "late", "returned", "decided", "not_submitted")
    return {name: getattr(counts, name) for name in fields}


def _round(round_: Round, counts: selectors.RoundCounts) -> dict[str, Any]:
    return {
        "id": round_.pk,
        "title": round_.title,
        "district": _unit(round_.district),
        "table": {"code": round_.table.code, "version": round_.table.version},
        "deadline": round_.deadline,
        "effective_at": round_.effective_at,
        "status": round_.status,
        "counts": _counts(counts),
    }


def _brief(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.pk,
        "ward": _unit(p.ward),
        "status": p.status,
        "version": p.version,
        "late": p.late,
        "submitted_at": p.submitted_at,
    }


def _item(item: ProposalItem) -> dict[str, Any]:
    return {
        "area": {"code": item.area.code, "name": item.area.name},
        "suggested_level": item.suggested_level.code,
        "proposed_level": item.proposed_level.code,
        "justification": item.justification,
        "decided_level": item.decided_level.code if item.decided_level else None,
        "district_reason": item.district_reason,
        "evaluation": item.evaluation,
    }


def _decision(decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "number": decision.number,
        "signatory": decision.signatory,
        "issued_by": _unit(decision.issued_by),
        "issued_at": decision.issued_at,
        "effective_at": decision.effective_at,
    }


def _proposal(p: Proposal) -> dict[str, Any]:
    round_ = p.round
    levels = selectors.levels_of(round_.table)
    decision = selectors.decision_of(p) if p.status == Proposal.Status.DECIDED else None
    return {
        **_brief(p),
        "round": round_.pk,
        "table": {"code": round_.table.code, "version": round_.table.version},
        "deadline": round_.deadline,
        "effective_at": round_.effective_at,
        "classified_at": p.classified_at,
        "return_reason": p.return_reason,
        "levels": [
            {
                "code": lv.code,
                "name": lv.name,
                "severity": lv.severity,
                "colour": lv.colour,
                "regime": lv.regime.code,
            }
            for lv in levels
        ],
        "items": [_item(item) for item in selectors.items_of(p)],
        "decision": _decision(decision) if decision else None,
    }


def _aware(moment: datetime | None, field: str) -> datetime | None:
    if moment is not None and timezone.is_naive(moment):
        message = _("Give the time with its UTC offset, e.g. 2021-09-09T06:00:00+07:00.")
        raise InvalidInput(message, field=field)
    if moment is not None and not plausible(moment):
        raise InvalidInput(field=field)
    return moment


def _reread(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _proposal(selectors.proposal_visible(request.user, pk))


# Rounds --------------------------------------------------------------------------------------------


@router.get(
    "/rounds",
    url_name="zoning_rounds",
    response=list[RoundBrief],
    summary="Rounds of the user's district(s), or of their ward",
)
def list_rounds(request: HttpRequest) -> list[dict[str, Any]]:
    selectors.require_desk(request.user)
    rounds = list(selectors.rounds_visible_to(request.user)[:200])
    counts = selectors.round_counts(r.pk for r in rounds)
    return [_round(r, counts[r.pk]) for r in rounds]


@router.post(
    "/rounds",
    url_name="zoning_rounds",
    response={201: RoundOut},
    summary="Open a classification round (district or city)",
)
def open_round(request: HttpRequest, payload: RoundIn) -> tuple[int, dict[str, Any]]:
    require_perm(request.user, Perm.AUTHOR_CRITERIA)
    district = territory.unit_by_code(payload.district)
    if district is None:
        raise Http404
    deadline = _aware(payload.deadline, "deadline")
    assert deadline is not None
    effective = _aware(payload.effective_at, "effective_at") or next_local_time(deadline)
    if payload.table_version is None:
        table = selectors.table_valid_at(payload.table, effective)
    else:
        table = selectors.published_table(payload.table, payload.table_version)
    if table is None:
        raise TableNotInForce(field="table")
    round_ = services.open_round(
        by=request.user,
        district=district,
        table=table,
        deadline=deadline,
        effective_at=effective,
        title=payload.title,
        ward_codes=payload.wards,
    )
    return 201, _round_out(request, round_.pk)


def _round_out(request: HttpRequest, pk: int) -> dict[str, Any]:
    round_ = selectors.round_for(request.user, pk)
    proposals, _deciding = selectors.proposals_shown(request.user, round_)
    return {
        **_round(round_, selectors.count_proposals(proposals)),
        "proposals": [_brief(p) for p in proposals],
    }


@router.get(
    "/rounds/{pk}",
    url_name="zoning_round",
    response=RoundOut,
    summary="A round: which wards submitted, late, or not at all",
)
def get_round(request: HttpRequest, pk: int) -> dict[str, Any]:
    selectors.require_desk(request.user)
    return _round_out(request, pk)


# Proposals -----------------------------------------------------------------------------------------


@router.get(
    "/proposals/{pk}",
    url_name="zoning_proposal",
    response=ProposalOut,
    summary="A ward's proposal with each area's levels",
)
def get_proposal(request: HttpRequest, pk: int) -> dict[str, Any]:
    selectors.require_desk(request.user)
    return _reread(request, pk)


@router.post(
    "/proposals/{pk}/classify",
    url_name="zoning_classify",
    response=ProposalOut,
    summary="Run the round's table over the ward's areas",
)
def classify_proposal(request: HttpRequest, pk: int) -> dict[str, Any]:
    proposal = selectors.proposal_acting_on(request.user, pk, Perm.PROPOSE_LEVELS)
    services.classify_proposal(proposal=proposal, by=request.user)
    return _reread(request, pk)


@router.post(
    "/proposals/{pk}/items/{area_code}/level",
    url_name="zoning_propose_level",
    response=ItemOut,
    summary="The ward proposes a level for one area (with a justification when it differs)",
)
def propose_level(request: HttpRequest, pk: int, area_code: str, payload: LevelIn) -> dict[str, Any]:
    proposal = selectors.proposal_acting_on(request.user, pk, Perm.PROPOSE_LEVELS)
    item = selectors.items_of(proposal).filter(area__code=area_code).first()
    if item is None:
        raise Http404
    level: Level | None = selectors.levels_of(proposal.round.table).filter(code=payload.level).first()
    if level is None:
        raise LevelNotInTable(field="level")
    services.propose_level(item=item, by=request.user, level=level, justification=payload.justification)
    return _item(selectors.items_of(proposal).get(pk=item.pk))


@router.post(
    "/proposals/{pk}/submit",
    url_name="zoning_submit",
    response=ProposalOut,
    summary="Submit (late ones are marked late)",
)
def submit_proposal(request: HttpRequest, pk: int, payload: VersionIn) -> dict[str, Any]:
    proposal = selectors.proposal_acting_on(request.user, pk, Perm.PROPOSE_LEVELS)
    services.submit_proposal(proposal=proposal, by=request.user, version=payload.version)
    return _reread(request, pk)


@router.post(
    "/proposals/{pk}/return",
    url_name="zoning_return",
    response=ProposalOut,
    summary="Return a submitted proposal to the ward",
)
def return_proposal(request: HttpRequest, pk: int, payload: ReturnIn) -> dict[str, Any]:
    proposal = selectors.proposal_acting_on(request.user, pk, Perm.DECIDE_LEVELS)
    services.return_proposal(
        proposal=proposal, by=request.user, reason=payload.reason, version=payload.version
    )
    return _reread(request, pk)


@router.post(
    "/proposals/{pk}/decision",
    url_name="zoning_decision",
    response={201: DecisionOut},
    summary="Decide a submitted proposal; 409 if it was decided or returned meanwhile",
)
def decide_proposal(request: HttpRequest, pk: int, payload: DecisionIn) -> tuple[int, dict[str, Any]]:
    proposal = selectors.proposal_acting_on(request.user, pk, Perm.DECIDE_LEVELS)
    decision = services.decide_proposal(
        proposal=proposal,
        by=request.user,
        number=payload.number,
        signatory=payload.signatory,
        changes=[services.Change(c.area_code, c.level, c.reason) for c in payload.changes],
        effective_at=_aware(payload.effective_at, "effective_at"),
        version=payload.version,
    )
    decision = selectors.decision_by_pk(decision.pk) or decision
    assignments = [
        {
            "area": a.area.code if a.area else a.target_path,
            "level": a.level.code if a.level else "",
            "regime": a.regime.code,
            "effective_from": a.effective_from,
            "reason": a.reason,
        }
        for a in selectors.assignments_of(decision)
    ]
    return 201, {**_decision(decision), "proposal": proposal.pk, "assignments": assignments}
