"""Zoning workflow: rounds, classification, ward proposals, district decisions and assignments (S3–S5).

Each transition is a compare-and-set on the proposal's status and version, so of two concurrent
attempts exactly one wins and the other gets a conflict; a decided proposal is locked.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, now, plausible
from phaodai.core.errors import InvalidInput
from phaodai.core.jurisdiction import require_within
from phaodai.core.locks import serialise
from phaodai.territory import selectors as territory
from phaodai.zoning import indicators, rules, selectors, signals
from phaodai.zoning.authoring import (  # noqa: F401  (re-exported: other apps use services only)
    IndicatorEntry,
    LevelInput,
    RowInput,
    enter_indicators,
    publish_table,
    save_draft_table,
)
from phaodai.zoning.errors import (
    AssignmentClash,
    DecisionNumberTaken,
    EffectiveTimeInPast,
    JustificationRequired,
    LevelNotInTable,
    ProposalChanged,
    ProposalIncomplete,
    ProposalNotOpen,
    TableNotInForce,
)
from phaodai.zoning.models import (
    Assignment,
    CriteriaTable,
    Decision,
    Level,
    Proposal,
    ProposalItem,
    Regime,
    Round,
)

ROUND_TYPE, PROPOSAL_TYPE, DECISION_TYPE = "zoning.round", "zoning.proposal", "zoning.decision"
EDITABLE = (Proposal.Status.DRAFT, Proposal.Status.RETURNED)
# pg_advisory_xact_lock's key: recording decisions that place areas or units under a regime.
_DECISION_LOCK = 5_208_001


def _serialise_decisions() -> None:
    """One decision recorded at a time, city-wide, so that a superseding directive and a district's
    decision recorded at the same moment each see the other: the directive ends the decision's
    assignments, or the decision's assignments are born ended (_superseded_at). Decisions are a few a
    day; holding one lock for a few milliseconds each costs nothing."""
    serialise(_DECISION_LOCK)


def _future(moment: datetime, clock: Clock, field: str) -> None:
    if not plausible(moment):
        raise InvalidInput(field=field)
    if moment <= clock():
        raise EffectiveTimeInPast(field=field)


def open_round(
    *,
    by: Any,
    district: Any,
    table: CriteriaTable,
    deadline: datetime,
    effective_at: datetime,
    title: str = "",
    ward_codes: Sequence[str] | None = None,
    clock: Clock = now,
) -> Round:
    """Ask the district's wards (all, or those named) to classify their areas under `table`."""
    require_within(
        by, Perm.AUTHOR_CRITERIA, path=district.path, object_type="territory.unit", object_id=district.code
    )
    if district.level != "district":
        raise InvalidInput(field="district")
    _future(effective_at, clock, "effective_at")
    if not plausible(deadline) or deadline > effective_at:
        raise InvalidInput(field="deadline")
    in_force = selectors.table_valid_at(table.code, effective_at)
    if in_force is None or in_force.pk != table.pk or not district.path.startswith(table.path):
        raise TableNotInForce(field="table")
    wards = list(territory.children_of(district))
    if ward_codes is not None:
        wanted = set(ward_codes)
        wards = [w for w in wards if w.code in wanted]
        if len(wards) != len(wanted) or not wards:
            raise InvalidInput(field="wards")
    with transaction.atomic():
        round_ = Round.objects.create(
            district=district,
            table=table,
            title=title.strip() or f"{table.code} — {district.full_name}",
            deadline=deadline,
            effective_at=effective_at,
            opened_by=by,
            path=district.path,
        )
        Proposal.objects.bulk_create(Proposal(round=round_, ward=ward, path=ward.path) for ward in wards)
        audit.record(
            actor=by,
            action="zoning.open_round",
            object_type=ROUND_TYPE,
            object_id=round_.pk,
            unit_path=district.path,
            after={"table": table.pk, "effective_at": effective_at.isoformat()},
            clock=clock,
        )
    return round_


def _locked_open(proposal: Proposal, statuses: Sequence[str], version: int | None) -> Proposal:
    """Lock the proposal row and check it is in one of `statuses` (and at `version`, when given)."""
    current = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if current.status not in statuses:
        raise ProposalNotOpen(status=current.status)
    if version is not None and current.version != version:
        raise ProposalChanged()
    return current


def _transition(proposal: Proposal, statuses: Sequence[str], version: int | None, **changes: Any) -> Proposal:
    """Compare-and-set: move the proposal only if nobody moved it meanwhile (works on SQLite too)."""
    guard = Q(pk=proposal.pk, status__in=statuses)
    if version is not None:
        guard &= Q(version=version)
    if not Proposal.objects.filter(guard).update(version=F("version") + 1, **changes):
        current = Proposal.objects.get(pk=proposal.pk)
        if current.status not in statuses:
            raise ProposalNotOpen(status=current.status)
        raise ProposalChanged()
    return Proposal.objects.select_related("round", "round__table", "ward").get(pk=proposal.pk)


def classify_proposal(
    *, proposal: Proposal, by: Any, at: datetime | None = None, clock: Clock = now
) -> Proposal:
    """Run the round's table over the ward's areas: a suggested level with its reason for each.

    The ward's own changes (with their justification) are kept when the suggestion is unchanged.
    """
    require_within(
        by, Perm.PROPOSE_LEVELS, path=proposal.path, object_type=PROPOSAL_TYPE, object_id=proposal.pk
    )
    moment = at or clock()
    with transaction.atomic():
        proposal = _locked_open(proposal, EDITABLE, None)
        table = proposal.round.table
        levels = {lv.severity: lv for lv in selectors.levels_of(table)}
        areas = list(territory.areas_of(proposal.ward))
        results = classify_areas(table, areas, moment)
        # An area deactivated since the last run is no longer part of the ward's proposal.
        proposal.items.exclude(area_id__in=[area.pk for area in areas]).delete()
        existing = {item.area_id: item for item in proposal.items.all()}
        fresh, changed = [], []
        for area in areas:
            outcome = results[area.pk]
            suggested = levels[outcome.severity]
            item = existing.get(area.pk)
            if item is None:
                item = ProposalItem(proposal=proposal, area=area, proposed_level=suggested)
                fresh.append(item)
            else:
                if item.suggested_level_id != suggested.pk and not item.justification:
                    item.proposed_level = suggested
                changed.append(item)
            item.suggested_level = suggested
            item.evaluation = outcome.as_dict()
            item.updated_at = timezone.now()  # bulk_update does not apply auto_now
        ProposalItem.objects.bulk_create(fresh)
        ProposalItem.objects.bulk_update(
            changed, ["suggested_level", "proposed_level", "evaluation", "updated_at"]
        )
        Proposal.objects.filter(pk=proposal.pk).update(classified_at=clock(), version=F("version") + 1)
        audit.record(
            actor=by,
            action="zoning.classify",
            object_type=PROPOSAL_TYPE,
            object_id=proposal.pk,
            unit_path=proposal.path,
            after={"areas": len(areas), "at": moment.isoformat()},
            clock=clock,
        )
    return Proposal.objects.select_related("round", "round__table", "ward").get(pk=proposal.pk)


def classify_areas(
    table: CriteriaTable, areas: Sequence[Any], at: datetime
) -> dict[int, rules.Classification]:
    """Classify many areas set-wise: indicators gathered in a few grouped queries, then pure rules."""
    pure = selectors.rule_table(table)
    facts = [
        indicators.AreaFacts(a.id, a.code, a.kind, a.population, getattr(a, "shared_sanitation", False))
        for a in areas
    ]
    values = indicators.gather(facts, at)
    current = selectors.placements_of_areas(areas, at)
    results = {}
    table_id = table.id
    for area in areas:
        placement = current.get(area.id)
        level = placement.assignment.level if placement else None
        previous = level.severity if level is not None and level.table_id == table_id else None
        results[area.id] = rules.classify(pure, values[area.id], previous_severity=previous)
    return results


def propose_level(
    *, item: ProposalItem, by: Any, level: Level, justification: str = "", clock: Clock = now
) -> ProposalItem:
    """The ward proposes a level for one area; a level other than the suggestion needs a reason."""
    proposal = item.proposal
    require_within(
        by, Perm.PROPOSE_LEVELS, path=proposal.path, object_type=PROPOSAL_TYPE, object_id=proposal.pk
    )
    if level.table_id != proposal.round.table_id:
        raise LevelNotInTable(field="level")
    justification = justification.strip()
    with transaction.atomic():
        _locked_open(proposal, EDITABLE, None)
        item = ProposalItem.objects.select_for_update().get(pk=item.pk)
        if level.pk != item.suggested_level_id and not justification:
            raise JustificationRequired(field="justification")
        before = {"level": item.proposed_level_id, "justification": item.justification}
        item.proposed_level = level
        item.justification = justification if level.pk != item.suggested_level_id else ""
        item.save(update_fields=["proposed_level", "justification", "updated_at"])
        Proposal.objects.filter(pk=proposal.pk).update(version=F("version") + 1)
        audit.record(
            actor=by,
            action="zoning.propose_level",
            object_type=PROPOSAL_TYPE,
            object_id=proposal.pk,
            unit_path=proposal.path,
            before=before,
            after={"level": level.pk, "justification": item.justification},
            clock=clock,
        )
    return item


def submit_proposal(
    *, proposal: Proposal, by: Any, version: int | None = None, clock: Clock = now
) -> Proposal:
    """The ward submits; late submissions are accepted and marked late; a retry changes nothing."""
    require_within(
        by, Perm.PROPOSE_LEVELS, path=proposal.path, object_type=PROPOSAL_TYPE, object_id=proposal.pk
    )
    current = Proposal.objects.get(pk=proposal.pk)
    if current.status == Proposal.Status.SUBMITTED and current.submitted_by_id == getattr(by, "pk", None):
        return current  # the same submission sent twice
    if current.classified_at is None or not current.items.exists():
        raise ProposalIncomplete()
    moment = clock()
    # A proposal the district sent back keeps the timeliness of its first submission: the ward met
    # (or missed) the deadline then, and the district may return it after the deadline.
    late = current.late if current.status == Proposal.Status.RETURNED else moment > current.round.deadline
    with transaction.atomic():
        updated = _transition(
            current,
            EDITABLE,
            version,
            status=Proposal.Status.SUBMITTED,
            submitted_at=moment,
            submitted_by=by,
            late=late,
        )
        audit.record(
            actor=by,
            action="zoning.submit_proposal",
            object_type=PROPOSAL_TYPE,
            object_id=updated.pk,
            unit_path=updated.path,
            after={"late": updated.late},
            clock=clock,
        )
    return updated


def return_proposal(
    *, proposal: Proposal, by: Any, reason: str, version: int | None = None, clock: Clock = now
) -> Proposal:
    """The district sends a submitted proposal back to the ward with a reason."""
    require_within(
        by, Perm.DECIDE_LEVELS, path=proposal.path, object_type=PROPOSAL_TYPE, object_id=proposal.pk
    )
    if not reason.strip():
        raise InvalidInput(field="reason")
    with transaction.atomic():
        updated = _transition(
            proposal,
            (Proposal.Status.SUBMITTED,),
            version,
            status=Proposal.Status.RETURNED,
            return_reason=reason.strip(),
        )
        audit.record(
            actor=by,
            action="zoning.return_proposal",
            object_type=PROPOSAL_TYPE,
            object_id=updated.pk,
            unit_path=updated.path,
            clock=clock,
        )
    return updated


@dataclass(frozen=True)
class Change:
    """The district's verdict on one area: a level other than the ward proposed, with the reason."""

    area_code: str
    level_code: str
    reason: str


def decide_proposal(
    *,
    proposal: Proposal,
    by: Any,
    number: str,
    signatory: str,
    changes: Sequence[Change] = (),
    effective_at: datetime | None = None,
    version: int | None = None,
    clock: Clock = now,
) -> Decision:
    """Approve a submitted proposal (changing some areas' levels with reasons) and assign the levels."""
    require_within(
        by, Perm.DECIDE_LEVELS, path=proposal.path, object_type=PROPOSAL_TYPE, object_id=proposal.pk
    )
    round_ = proposal.round
    effective = effective_at or round_.effective_at
    _future(effective, clock, "effective_at")
    number, signatory = number.strip(), signatory.strip()
    if not number:
        raise InvalidInput(field="number")
    if not signatory:
        raise InvalidInput(field="signatory")
    levels = {lv.code: lv for lv in selectors.levels_of(round_.table)}
    district = round_.district
    with transaction.atomic():
        _serialise_decisions()
        _transition(proposal, (Proposal.Status.SUBMITTED,), version, status=Proposal.Status.DECIDED)
        # Read after winning the transition: what the ward submitted last is what gets decided.
        items = {item.area.code: item for item in selectors.items_of(proposal)}
        verdicts = _verdicts(changes, levels, items)
        try:
            with transaction.atomic():
                decision = Decision.objects.create(
                    number=number,
                    title=round_.title,
                    issued_by=district,
                    signatory=signatory,
                    issued_at=clock(),
                    effective_at=effective,
                    proposal=proposal,
                    decided_by=by,
                    path=proposal.path,
                )
        except IntegrityError:
            raise DecisionNumberTaken(field="number") from None
        assignments = []
        ends: dict[str, datetime | None] = {}
        for code, item in items.items():
            level, reason = verdicts.get(code, (item.proposed_level, ""))
            item.decided_level = level
            item.district_reason = reason
            item.updated_at = timezone.now()  # bulk_update does not apply auto_now
            area = item.area
            if area.path not in ends:  # the same for every area of the ward
                ends[area.path] = _superseded_at(rules.target_paths(area.path), effective)
            assignments.append(
                _area_assignment(
                    decision, area, level, effective, reason or item.justification, ends[area.path]
                )
            )
        ProposalItem.objects.bulk_update(items.values(), ["decided_level", "district_reason", "updated_at"])
        try:
            with transaction.atomic():
                Assignment.objects.bulk_create(assignments)
        except IntegrityError:
            raise AssignmentClash() from None
        audit.record(
            actor=by,
            action="zoning.decide_proposal",
            object_type=DECISION_TYPE,
            object_id=decision.pk,
            unit_path=decision.path,
            after={"number": number, "effective_at": effective.isoformat(), "changes": len(verdicts)},
            clock=clock,
        )
        signals.announce(decision, [item.area for item in items.values()], effective)
    return decision


def _verdicts(
    changes: Sequence[Change], levels: dict[str, Level], items: dict[str, ProposalItem]
) -> dict[str, tuple[Level, str]]:
    verdicts = {}
    for change in changes:
        if change.area_code not in items:
            raise InvalidInput(field="area", area=change.area_code)
        level = levels.get(change.level_code)
        if level is None:
            raise LevelNotInTable(field="level")
        if level.pk == items[change.area_code].proposed_level_id:
            continue
        if not change.reason.strip():
            raise JustificationRequired(field="reason")
        verdicts[change.area_code] = (level, change.reason.strip())
    return verdicts


def _area_assignment(
    decision: Decision,
    area: Any,
    level: Level,
    effective: datetime,
    reason: str,
    until: datetime | None = None,
) -> Assignment:
    target = f"{area.path}{area.code}/"
    return Assignment(
        decision=decision,
        area=area,
        target_path=target,
        depth=rules.depth_of(target),
        level=level,
        regime=level.regime,
        effective_from=effective,
        effective_until=until,
        reason=reason,
    )


def _superseded_at(above: Sequence[str], effective: datetime) -> datetime | None:
    """When a superseding directive over `above` (the target's wider paths) ends a new assignment.

    A directive already recorded ends what is decided after it just as what was decided before it,
    so the outcome does not depend on the order of recording; at the same instant the directive wins.
    """
    return Assignment.objects.filter(
        decision__supersedes_within=True, target_path__in=above, effective_from__gte=effective
    ).aggregate(end=Min("effective_from"))["end"]


def place_units_under_regime(
    *,
    by: Any,
    issuer: Any,
    units: Sequence[Any],
    regime: Regime,
    number: str,
    signatory: str,
    title: str,
    effective_at: datetime,
    supersedes_within: bool = False,
    level: Level | None = None,
    clock: Clock = now,
) -> Decision:
    """A directive placing whole units under a regime (e.g. the city under 17/CT-UBND from 06:00 24/7).

    With `supersedes_within`, every narrower assignment still open ends at the directive's effect (CT22),
    including one taking effect at that same instant, and one recorded later (see _superseded_at).
    """
    require_within(
        by, Perm.DECIDE_LEVELS, path=issuer.path, object_type="territory.unit", object_id=issuer.code
    )
    _future(effective_at, clock, "effective_at")
    if not units or any(not unit.path.startswith(issuer.path) for unit in units):
        raise InvalidInput(field="units")
    with transaction.atomic():
        _serialise_decisions()
        try:
            with transaction.atomic():
                decision = Decision.objects.create(
                    number=number.strip(),
                    title=title.strip(),
                    issued_by=issuer,
                    signatory=signatory.strip(),
                    issued_at=clock(),
                    effective_at=effective_at,
                    supersedes_within=supersedes_within,
                    decided_by=by,
                    path=issuer.path,
                )
        except IntegrityError:
            raise DecisionNumberTaken(field="number") from None
        if supersedes_within:
            for unit in units:
                (
                    Assignment.objects.filter(
                        target_path__startswith=unit.path, effective_from__lte=effective_at
                    )
                    .exclude(target_path=unit.path)
                    .filter(Q(effective_until__isnull=True) | Q(effective_until__gt=effective_at))
                    .update(effective_until=effective_at)
                )
        try:
            with transaction.atomic():
                Assignment.objects.bulk_create(
                    Assignment(
                        decision=decision,
                        unit=unit,
                        target_path=unit.path,
                        depth=rules.depth_of(unit.path),
                        level=level,
                        regime=regime,
                        effective_from=effective_at,
                        # A wider superseding directive already recorded ends this one too.
                        effective_until=_superseded_at(rules.target_paths(unit.path)[:-1], effective_at),
                    )
                    for unit in units
                )
        except IntegrityError:
            raise AssignmentClash() from None
        audit.record(
            actor=by,
            action="zoning.place_units",
            object_type=DECISION_TYPE,
            object_id=decision.pk,
            unit_path=issuer.path,
            after={"regime": regime.code, "units": [u.code for u in units]},
            clock=clock,
        )
        signals.announce(decision, units, effective_at)
    return decision
