"""Reads of zoning: what is in force where and when, the public catalogue, and scoped workflow objects."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm, require_perm
from phaodai.core.errors import NotPermitted
from phaodai.core.jurisdiction import (
    common_path,
    covers,
    get_in_scope_or_404,
    paths_of,
    require_within,
    scope,
)
from phaodai.core.language import localized  # noqa: F401 — pages read it from here
from phaodai.core.text import search_key
from phaodai.zoning import rules
from phaodai.zoning.models import (
    Activity,
    Assignment,
    CriteriaTable,
    Decision,
    Level,
    Proposal,
    ProposalItem,
    Regime,
    RegimeRule,
    Round,
)

ASSIGNMENT_RELATED = ("level", "regime", "decision", "decision__issued_by")


@dataclass(frozen=True)
class Placement:
    """The assignment in force for a place at an instant: its level, regime, since when and by what."""

    assignment: Assignment

    @property
    def level(self) -> Level | None:
        return self.assignment.level

    @property
    def regime(self) -> Regime:
        return self.assignment.regime

    @property
    def since(self) -> datetime:
        return self.assignment.effective_from

    @property
    def decision(self) -> Decision:
        return self.assignment.decision

    @property
    def severity(self) -> int | None:
        return self.level.severity if self.level else None

    @property
    def colour(self) -> str:
        return self.level.colour if self.level else "#607d8b"


def in_force_at(at: datetime) -> QuerySet[Assignment]:
    return Assignment.objects.filter(effective_from__lte=at).filter(
        Q(effective_until__isnull=True) | Q(effective_until__gt=at)
    )


def _pick(assignments: Iterable[Assignment]) -> Placement | None:
    assignments = list(assignments)
    if len(assignments) == 1:  # the common case: only the city-wide or the area's own decision
        return Placement(assignments[0])
    by_key = {a.id: a for a in assignments}
    best = rules.most_specific(rules.Candidate(a.id, a.depth, a.effective_from) for a in by_key.values())
    return Placement(by_key[best.key]) if best else None


def placement_of_area(area: Any, at: datetime) -> Placement | None:
    """The most specific assignment in force for the area at `at` (the area, its ward, district, city)."""
    targets = rules.target_paths(area.path, area.code)
    candidates = in_force_at(at).filter(target_path__in=targets).select_related(*ASSIGNMENT_RELATED)
    return _pick(candidates)


def placement_of_unit(unit: Any, at: datetime) -> Placement | None:
    """The assignment in force for the unit itself (or inherited from above it) at `at`."""
    candidates = in_force_at(at).filter(target_path__in=rules.target_paths(unit.path))
    return _pick(candidates.select_related(*ASSIGNMENT_RELATED))


def placements_of_areas(areas: Sequence[Any], at: datetime) -> dict[int, Placement | None]:
    """Placements of many areas in one query: assignments of their units and of the areas themselves."""
    if not areas:
        return {}
    in_force = in_force_at(at).select_related(*ASSIGNMENT_RELATED)
    # Unit targets are computed per ward (hundreds), not per area (thousands).
    unit_targets = {path: rules.target_paths(path) for path in {area.path for area in areas}}
    # Area assignments come from one range scan under the areas' common path, kept for those asked about.
    unit_paths = {t for ts in unit_targets.values() for t in ts}
    common = common_path([area.path for area in areas])
    wanted = {area.id for area in areas}
    by_target: dict[str, list[Assignment]] = defaultdict(list)
    by_area: dict[int, list[Assignment]] = defaultdict(list)
    query = Q(target_path__in=unit_paths) | Q(area__isnull=False, target_path__startswith=common)
    for assignment in in_force.filter(query):
        if assignment.area_id is None:
            by_target[assignment.target_path].append(assignment)
        elif assignment.area_id in wanted:
            by_area[assignment.area_id].append(assignment)
    # What covers a ward's units is the same for all its areas: pick it once per ward.
    ward_best = {
        path: _pick([a for target in targets for a in by_target.get(target, ())])
        for path, targets in unit_targets.items()
    }
    result: dict[int, Placement | None] = {}
    for area in areas:
        inherited = ward_best[area.path]
        own = by_area.get(area.id)
        if not own:
            result[area.id] = inherited
        else:
            result[area.id] = _pick([*own, *([inherited.assignment] if inherited else [])])
    return result


def decisions_marker() -> tuple[int, int]:
    """(count, newest id) of decisions: changes whenever assignments change (each change comes with a
    decision), even when two decisions commit out of id order."""
    marker = Decision.objects.aggregate(count=Count("pk"), newest=Max("pk"))
    return (marker["count"] or 0, marker["newest"] or 0)


def assignment_spans() -> list[tuple[int, str, int, datetime, datetime | None]]:
    """Every assignment as (id, target path, depth, from, until): what in-memory look-ups need."""
    rows = Assignment.objects.values_list("pk", "target_path", "depth", "effective_from", "effective_until")
    return list(rows)


def placement_by_assignment(pk: int) -> Placement:
    return Placement(Assignment.objects.select_related(*ASSIGNMENT_RELATED).get(pk=pk))


@dataclass(frozen=True)
class RuleView:
    activity: Activity
    rule: RegimeRule
    regime_code: str  # the regime (itself or an ancestor) the rule comes from


def regime_chain(regime: Regime) -> list[Regime]:
    """The regime and its ancestors, root first."""
    chain = [regime]
    seen = {regime.pk}
    while chain[0].extends_id is not None and chain[0].extends_id not in seen:
        parent = Regime.objects.get(pk=chain[0].extends_id)
        seen.add(parent.pk)
        chain.insert(0, parent)
    return chain


def effective_rules(regime: Regime) -> list[RuleView]:
    """One rule per activity after inheritance, in catalogue order."""
    chain = regime_chain(regime)
    codes = {r.pk: r.code for r in chain}
    rows = RegimeRule.objects.filter(regime__in=chain).select_related("activity")
    by_activity: dict[int, RuleView] = {}
    depth = {r.pk: i for i, r in enumerate(chain)}
    for row in sorted(rows, key=lambda r: depth[r.regime_id]):
        by_activity[row.activity_id] = RuleView(row.activity, row, codes[row.regime_id])
    return sorted(by_activity.values(), key=lambda view: (view.activity.order, view.activity.code))


def regimes() -> QuerySet[Regime]:
    return Regime.objects.select_related("extends").order_by("order", "code")


def regime_by_code(code: str) -> Regime | None:
    return Regime.objects.select_related("extends").filter(code=code).first()


def activities() -> QuerySet[Activity]:
    return Activity.objects.order_by("order", "code")


# Criteria tables ------------------------------------------------------------------------------


def published_tables() -> QuerySet[CriteriaTable]:
    return CriteriaTable.objects.filter(status=CriteriaTable.Status.PUBLISHED).select_related("issued_by")


def published_table(code: str, version: int | None = None) -> CriteriaTable | None:
    """The latest published version of a table (or the version asked for)."""
    tables = published_tables().filter(code=code)
    if version is not None:
        tables = tables.filter(version=version)
    return tables.order_by("-version").first()


def table_valid_at(code: str, at: datetime) -> CriteriaTable | None:
    return (
        published_tables()
        .filter(code=code, valid_from__lte=at)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=at))
        .order_by("-version")
        .first()
    )


def levels_of(table: CriteriaTable) -> QuerySet[Level]:
    return Level.objects.filter(table=table).select_related("regime").order_by("-severity")


def rule_table(table: CriteriaTable) -> rules.Table:
    """The pure form of a published table, rebuilt (and re-checked) from what was published."""
    return rules.table_from_compiled(table.compiled)


def tables_visible_to(user: Any) -> QuerySet[CriteriaTable]:
    """Tables a user may author: drafts and published ones issued within their units."""
    return scope(CriteriaTable.objects.select_related("issued_by"), user, "path", Perm.AUTHOR_CRITERIA)


def table_for(user: Any, pk: int) -> CriteriaTable:
    return get_in_scope_or_404(
        CriteriaTable.objects.select_related("issued_by"), user, perm=Perm.AUTHOR_CRITERIA, pk=pk
    )


def authoring_units(user: Any) -> list[Any]:
    """The districts and city in which the user may issue criteria tables."""
    from phaodai.territory import selectors as territory

    codes = [path.strip("/").split("/")[-1] for path in paths_of(user, Perm.AUTHOR_CRITERIA)]
    units = [territory.unit_by_code(code) for code in codes]
    return [unit for unit in units if unit is not None and unit.level != "ward"]


def ward_for_indicators(user: Any, code: str) -> Any:
    """A ward whose indicators the user may enter: 403 without the permission, 404 (logged) elsewhere."""
    from phaodai.territory import selectors as territory

    ward = territory.unit_by_code(code)
    if ward is None or ward.level != "ward":
        raise Http404
    require_within(user, Perm.ENTER_INDICATORS, path=ward.path, object_type="territory.unit", object_id=code)
    return ward


# Decisions ------------------------------------------------------------------------------------


def decisions() -> QuerySet[Decision]:
    return Decision.objects.select_related("issued_by", "proposal__ward").order_by("-effective_at", "number")


def decision_by_pk(pk: int) -> Decision | None:
    return decisions().filter(pk=pk).first()


def assignments_of(decision: Decision) -> QuerySet[Assignment]:
    return decision.assignments.select_related("area", "unit", "level", "regime").order_by("target_path")


# Rounds and proposals (scoped) ----------------------------------------------------------------


def rounds_visible_to(user: Any) -> QuerySet[Round]:
    """Rounds of the user's districts (deciders) or of the districts containing their wards (proposers)."""
    deciding = scope(Round.objects.all(), user, "path", Perm.DECIDE_LEVELS)
    proposing_wards = scope(Proposal.objects.all(), user, "path", Perm.PROPOSE_LEVELS).values("round_id")
    return (
        Round.objects.filter(Q(pk__in=deciding.values("pk")) | Q(pk__in=proposing_wards))
        .select_related("district", "table")
        .order_by("-effective_at", "district__code")
    )


def round_for(user: Any, pk: int) -> Round:
    round_ = rounds_visible_to(user).filter(pk=pk).first()
    if round_ is None:
        # Outside the user's units (or missing): 404, with the attempt logged when it exists.
        get_in_scope_or_404(Round.objects.all(), user, perm=Perm.DECIDE_LEVELS, pk=pk)
    assert round_ is not None
    return round_


def rounds_for_district(district: Any) -> QuerySet[Round]:
    return Round.objects.filter(district=district).select_related("table")


def require_desk(user: Any) -> None:
    """The zoning desk is for those who propose (wards) or decide (districts, the city): 403 otherwise."""
    if not (has_perm(user, Perm.PROPOSE_LEVELS) or has_perm(user, Perm.DECIDE_LEVELS)):
        raise NotPermitted()


def proposal_acting_on(user: Any, pk: int, perm: str) -> Proposal:
    """403 for a role without `perm`; 404 (logged) for a proposal outside the user's units."""
    require_perm(user, perm)
    return proposal_for(user, pk, perm)


def proposals_shown(user: Any, round_: Round) -> tuple[list[Proposal], bool]:
    """A round's proposals the user may see, and whether they decide it (a ward sees only its own)."""
    proposals = list(proposals_of(round_))
    deciding = has_perm(user, Perm.DECIDE_LEVELS, within=round_.path)
    if not deciding:
        proposals = [p for p in proposals if covers(user, p.path, Perm.PROPOSE_LEVELS)]
    return proposals, deciding


def proposals_of(round_: Round) -> QuerySet[Proposal]:
    return round_.proposals.select_related("ward", "submitted_by").order_by("ward__code")


def proposal_for(user: Any, pk: int, perm: str = Perm.PROPOSE_LEVELS) -> Proposal:
    """A proposal within the user's units for `perm` (propose: the ward; decide: the district)."""
    related = ("round", "round__table", "round__district", "ward")
    return get_in_scope_or_404(Proposal.objects.select_related(*related), user, perm=perm, pk=pk)


def proposal_visible(user: Any, pk: int) -> Proposal:
    """A proposal the user may read, as its ward (proposer) or its district (decider)."""
    related = ("round", "round__table", "round__district", "ward")
    visible = scope(Proposal.objects.all(), user, "path", Perm.PROPOSE_LEVELS) | scope(
        Proposal.objects.all(), user, "path", Perm.DECIDE_LEVELS
    )
    proposal = Proposal.objects.select_related(*related).filter(pk=pk, pk__in=visible.values("pk")).first()
    if proposal is None:
        get_in_scope_or_404(Proposal.objects.all(), user, perm=Perm.DECIDE_LEVELS, pk=pk)
    assert proposal is not None
    return proposal


def items_of(proposal: Proposal) -> QuerySet[ProposalItem]:
    return proposal.items.select_related(
        "area", "suggested_level", "proposed_level", "decided_level"
    ).order_by("area__local_code")


# The workflow desk ------------------------------------------------------------------------------


def proposals_visible_to(user: Any, perm: str = Perm.PROPOSE_LEVELS) -> QuerySet[Proposal]:
    """Proposals within the user's units for `perm` (a ward's own, a district's wards'), newest first."""
    proposals = Proposal.objects.select_related("round", "round__table", "ward")
    return scope(proposals, user, "path", perm).order_by("-round__effective_at", "ward__code")


@dataclass(frozen=True)
class RoundCounts:
    """How far a round's wards are: submitted (of which late), returned, decided, not yet submitted."""

    total: int = 0
    not_submitted: int = 0
    submitted: int = 0
    late: int = 0
    returned: int = 0
    decided: int = 0

    @property
    def awaiting(self) -> int:
        """Submitted proposals the district has not decided yet."""
        return self.submitted - self.decided


def _counted(rows: Iterable[tuple[str, bool, int]]) -> RoundCounts:
    tally = dict.fromkeys(("total", "not_submitted", "submitted", "late", "returned", "decided"), 0)
    for status, late, n in rows:
        tally["total"] += n
        if status == Proposal.Status.DRAFT:
            tally["not_submitted"] += n
        elif status == Proposal.Status.RETURNED:
            tally["returned"] += n
        else:  # submitted or decided: the ward has handed it in
            tally["submitted"] += n
            tally["late"] += n if late else 0
            tally["decided"] += n if status == Proposal.Status.DECIDED else 0
    return RoundCounts(**tally)


def count_proposals(proposals: Iterable[Proposal]) -> RoundCounts:
    """The counts of proposals already loaded (no query)."""
    return _counted((p.status, p.late, 1) for p in proposals)


def round_counts(round_ids: Iterable[int]) -> dict[int, RoundCounts]:
    """The counts of many rounds in one grouped query."""
    ids = list(round_ids)
    grouped: dict[int, list[tuple[str, bool, int]]] = defaultdict(list)
    rows = (
        Proposal.objects.filter(round_id__in=ids)
        .values_list("round_id", "status", "late")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for round_id, status, late, n in rows:
        grouped[round_id].append((status, late, n))
    return {round_id: _counted(grouped.get(round_id, ())) for round_id in ids}


def decision_of(proposal: Proposal) -> Decision | None:
    """The decision issued on a proposal, if any."""
    return decisions().filter(proposal=proposal).first()


# Public search -------------------------------------------------------------------------------


def search_places(query: str, limit: int = 20) -> tuple[list[Any], list[Any]]:
    """Units and areas whose names contain the query, diacritics ignored: (units, areas)."""
    from phaodai.territory import selectors as territory

    if len(search_key(query)) < 2:
        return [], []
    return territory.search_units(query, limit=limit), territory.search_areas(query, limit=limit)
