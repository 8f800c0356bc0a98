"""Reads the tracing pages need beyond the selectors: the home page's day, display rows of contacts and
of a cluster's chain (with names only for officers in scope), and the choices of the pages' selects.

Everything starts from a scoped selector (cases_visible_to, clusters_visible_to, may_trace); what is
added here is presentation: labels, ward names, which names an officer may see, bounded lists.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.cases import selectors
from phaodai.cases.models import Case, Cluster, Exposure, TraceLevel
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of
from phaodai.people import selectors as people
from phaodai.territory import selectors as territory

CASES_PER_PAGE = 50
CLUSTERS_PER_PAGE = 50
HOME_CLUSTERS = 10
UNKNOWN_SOURCE_DAYS = 14
MAX_CONTACTS_LISTED = 500
MAX_NODES_DRAWN = 1500  # beyond this the browser struggles; the table still lists the links
MAX_NODES_LISTED = 500
MAX_LINKS_LISTED = 2000
AREA_SEARCH_LIMIT = 40


# Paging -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a list newest first; `next_after` is the cursor of the next page (None on the last)."""

    items: list[Any]
    next_after: int | None


def newest_first(rows: QuerySet[Any], time_field: str, after: int | None, limit: int) -> Page:
    """Keyset pagination on (time_field, pk) descending; the cursor is read within `rows` (scoped)."""
    ordered = rows.order_by(f"-{time_field}", "-pk")
    if after is not None:
        anchor = rows.filter(pk=after).values_list(time_field, flat=True).first()
        if anchor is not None:
            ordered = ordered.filter(
                Q(**{f"{time_field}__lt": anchor}) | Q(**{time_field: anchor, "pk__lt": after})
            )
    found = list(ordered[: limit + 1])
    more = len(found) > limit
    return Page(found[:limit], found[limit - 1].pk if more else None)


def parse_id(raw: str | None) -> int | None:
    """A positive id typed in a query string, or None. ASCII digits only: str.isdigit() also accepts
    "²" or "١", which int() then refuses or reads; and short enough for the database's integers."""
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 15:
        return None
    return int(raw) or None


def cursor(raw: str | None) -> int | None:
    return parse_id(raw)


# Units and areas ----------------------------------------------------------------------------------------


def tracer_wards(user: Any) -> list[Any]:
    """The wards where the user traces (a district officer: the district's wards), district first."""
    found: dict[str, Any] = {}
    for path in paths_of(user, Perm.TRACE):
        unit = territory.unit_by_path(path)
        if unit is None:
            continue
        if unit.level == "ward":
            found[unit.code] = unit
        else:
            below = territory.within(unit).filter(level="ward").select_related("parent")
            found.update((ward.code, ward) for ward in below)
    return sorted(found.values(), key=lambda ward: (ward.parent.code, ward.code))


@dataclass
class AreaChoices:
    """The residential areas a contact row may name: the source's ward, the officer's own wards, what
    the officer searched for, and whatever was already chosen."""

    choices: list[tuple[str, Any]] = field(default_factory=list)
    areas: dict[str, Any] = field(default_factory=dict)
    found: int = 0  # how many areas the search matched

    def add(self, area: Any, ward: Any, group: str) -> None:
        if area.code in self.areas:
            return
        self.areas[area.code] = area
        label = f"{area.name} — {ward.full_name}"
        for name, options in self.choices:
            if name == group:
                options.append((area.code, label))
                return
        self.choices.append((group, [(area.code, label)]))


def area_choices(
    user: Any, source: Any, *, query: str = "", chosen: Iterable[str] = (), labels: dict[str, str]
) -> AreaChoices:
    """Choices for the "lives in" selects; `labels` names the groups ("found", "source", "mine")."""
    result = AreaChoices()
    query = (query or "").strip()[:100]
    if query:
        wards = [u for u in territory.search_units(query, limit=5) if u.level == "ward"]
        for area in territory.search_areas(query, limit=AREA_SEARCH_LIMIT):
            result.add(area, area.ward, labels["found"])
        for ward in wards:
            for area in territory.areas_of(ward)[:AREA_SEARCH_LIMIT]:
                result.add(area, ward, labels["found"])
        result.found = len(result.areas)
    source_ward = source.residence_area.ward
    for area in territory.areas_of(source_ward):
        result.add(area, source_ward, labels["source"])
    for path in paths_of(user, Perm.TRACE):
        mine = territory.unit_by_path(path)
        if mine is not None and mine.level == "ward" and mine.pk != source_ward.pk:
            for area in territory.areas_of(mine):
                result.add(area, mine, labels["mine"])
    for code in sorted({c for c in chosen if c and c not in result.areas}):
        picked = territory.area_by_code(code)
        if picked is not None:
            result.add(picked, picked.ward, labels["found"])
    return result


# Home -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DaySummary:
    day: date
    total: int
    community: int
    quarantine: int
    others: int
    unknown_source: int  # of the day's cases
    unknown_source_14d: int
    f1: int
    f2: int


def _in_ward(rows: QuerySet[Any], ward: Any, *fields: str) -> QuerySet[Any]:
    if ward is None:
        return rows
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__startswith": ward.path})
    return rows.filter(condition)


def day_cases(user: Any, day: date, ward: Any = None) -> QuerySet[Case]:
    """The cases confirmed on a local day that the user sees (in one ward, if given)."""
    rows = selectors.cases_visible_to(user).filter(confirmed_on=day)
    return _in_ward(rows, ward, "path", "detected_path")


def day_summary(user: Any, day: date, ward: Any = None) -> DaySummary:
    """The day's counts in two queries: cases by where found and source, F1/F2 now traced."""
    since = day - timedelta(days=UNKNOWN_SOURCE_DAYS - 1)
    cases = _in_ward(
        selectors.cases_visible_to(user).filter(confirmed_on__gte=since, confirmed_on__lte=day),
        ward,
        "path",
        "detected_path",
    )
    today = Q(confirmed_on=day)
    counts = cases.aggregate(
        total=Count("pk", filter=today),
        community=Count("pk", filter=today & Q(detected_in=Case.DetectedIn.COMMUNITY)),
        quarantine=Count("pk", filter=today & Q(detected_in=Case.DetectedIn.QUARANTINE)),
        unknown=Count("pk", filter=today & Q(source_known=False)),
        unknown_14d=Count("pk", filter=Q(source_known=False)),
    )
    traced = _in_ward(selectors.traced_in(user), ward, "path")
    levels = dict(traced.order_by().values_list("level").annotate(n=Count("pk")).values_list("level", "n"))
    return DaySummary(
        day=day,
        total=counts["total"],
        community=counts["community"],
        quarantine=counts["quarantine"],
        others=counts["total"] - counts["community"] - counts["quarantine"],
        unknown_source=counts["unknown"],
        unknown_source_14d=counts["unknown_14d"],
        f1=levels.get(1, 0),
        f2=levels.get(2, 0),
    )


def case_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Cases with what a list shows (person, cluster), without the CCCD columns."""
    return cases.select_related("person", "cluster").defer("person__cccd_ciphertext", "person__cccd_index")


def home_clusters(user: Any, ward: Any = None) -> list[Cluster]:
    rows = selectors.clusters_visible_to(user).filter(status=Cluster.Status.ACTIVE)
    return list(_in_ward(rows, ward, "path").order_by("-last_case_at", "-pk")[:HOME_CLUSTERS])


# Persons and their contacts --------------------------------------------------------------------------


def traced_person(user: Any, person_id: Any) -> Any:
    """A person for their tracing page: officers tracing where they live or where one of their cases
    was found (selectors.may_trace); 404, logged, for anyone else."""
    # Tracing reaches across wards (a contact may live anywhere), so the registry's own scoped read
    # (VIEW_PERSON where they live) is too narrow; the tracing scope is checked right below.
    person = people.person_by_id_for_tracing(person_id)
    if person is None:
        raise Http404
    if not selectors.may_trace(user, person):
        log_out_of_scope(user, "people.person", person.pk, person.unit_path)
        raise Http404
    return person


def person_facts(user: Any, person: Any) -> dict[str, Any]:
    """What the tracing pages show of a person: masked CCCD, level, via whom, root case."""
    status = selectors.status_of(person)
    via_name = ""
    if status.via is not None and covers(user, status.via.unit_path, Perm.TRACE):
        via_name = status.via.full_name
    root_visible = status.root_case is not None and (
        covers(user, status.root_case.path, Perm.TRACE)
        or covers(user, status.root_case.detected_path, Perm.TRACE)
    )
    return {
        "person": person,
        "profile": people.profile_of(person),
        "status": status,
        "via_name": via_name,
        "root_visible": root_visible,
        "may_read_registry": covers(user, person.unit_path, Perm.VIEW_PERSON),
    }


@dataclass(frozen=True)
class ContactRow:
    person_id: Any
    name: str  # "" when the officer may not see it
    ward: str
    level: int | None  # None when not traced, or not the officer's to know (level_shown False)
    level_shown: bool
    exposed_on: date
    setting: str
    traceable: bool  # whether the officer may open the contact's tracing page


def contact_rows(user: Any, person: Any) -> tuple[list[ContactRow], bool]:
    """Everyone linked to `person`, earliest first, with their current level; names only of contacts
    the officer may trace or named by it; links only to the pages the officer may open. Bounded; the
    flag says the list was cut."""
    links = list(
        Exposure.objects.filter(Q(low=person) | Q(high=person))
        .select_related("low__residence_area__ward", "high__residence_area__ward")
        .defer("low__cccd_ciphertext", "high__cccd_ciphertext")
        .order_by("exposed_on", "pk")[: MAX_CONTACTS_LISTED + 1]
    )
    cut = len(links) > MAX_CONTACTS_LISTED
    links = links[:MAX_CONTACTS_LISTED]
    others = [link.high if link.low_id == person.pk else link.low for link in links]
    levels = selectors.levels_by_person([other.pk for other in others])
    # A contact this ward named but who lives elsewhere shows by name, but their page is not ours to open.
    openable = selectors.traceable_ids(user, ((other.pk, other.unit_path) for other in others))
    rows = []
    for link, other in zip(links, others, strict=True):
        traceable, named_here = other.pk in openable, covers(user, link.path, Perm.TRACE)
        # Naming anyone by CCCD must not reveal their level (an F0 elsewhere is health data): a named
        # contact's level shows only to officers who may trace them; an unnamed one's is anonymous.
        level_shown = traceable or not named_here
        rows.append(
            ContactRow(
                person_id=other.pk,
                name=other.full_name if traceable or named_here else "",
                ward=other.residence_area.ward.full_name,
                level=levels.get(other.pk) if level_shown else None,
                level_shown=level_shown,
                exposed_on=link.exposed_on,
                setting=link.get_setting_display(),
                traceable=traceable,
            )
        )
    return rows, cut


# Clusters and their chains ----------------------------------------------------------------------------


def cluster_page(user: Any, status: str, after: int | None) -> Page:
    rows = selectors.clusters_visible_to(user).filter(status=status)
    rows = rows.annotate(unknown_source=Count("cases", filter=Q(cases__source_known=False)))
    return newest_first(rows, "last_case_at", after, CLUSTERS_PER_PAGE)


def cluster_cases(user: Any, cluster: Cluster) -> list[dict[str, Any]]:
    """The cluster's cases, first first; names only for cases the officer sees."""
    rows = (
        Case.objects.filter(cluster=cluster)
        .select_related("person", "residence_unit")
        .defer("person__cccd_ciphertext", "person__cccd_index")
        .order_by("confirmed_at", "pk")
    )
    return [
        {
            "case": case,
            "visible": covers(user, case.path, Perm.TRACE) or covers(user, case.detected_path, Perm.TRACE),
        }
        for case in rows
    ]


@dataclass(frozen=True)
class Node:
    key: str  # "n1"…: no person id leaves the server through the drawing
    order: int  # cases first, then F1s, F2s… each by the day they were exposed
    label: str  # "F0 #12", "F1-3"…
    level: int
    person_id: Any
    case_id: int | None
    unknown_source: bool


@dataclass(frozen=True)
class Edge:
    source: Node
    target: Node
    exposed_on: date


@dataclass(frozen=True)
class Chain:
    nodes: list[Node]
    edges: list[Edge]
    exposures: int
    drawable: bool

    def as_json(self) -> dict[str, Any]:
        """The drawing's data: labels and levels, never names nor ids of persons."""
        return {
            "nodes": [
                {"id": n.key, "label": n.label, "level": n.level, "unknown_source": n.unknown_source}
                for n in self.nodes
            ],
            "edges": [
                {"source": e.source.key, "target": e.target.key, "exposed_on": f"{e.exposed_on:%d/%m/%Y}"}
                for e in self.edges
            ],
            "drawable": self.drawable,
        }


def chain(cluster: Cluster) -> Chain:
    """The cluster's transmission graph (selectors.cluster_graph) with stable, name-free labels."""
    graph = selectors.cluster_graph(cluster)
    cases = {
        str(person_id): (pk, known)
        for person_id, pk, known in Case.objects.filter(cluster=cluster)
        .order_by("confirmed_at", "pk")
        .values_list("person_id", "pk", "source_known")
    }
    exposed = {edge["to"]: edge["exposed_on"] for edge in graph["edges"]}
    ordered = sorted(graph["nodes"], key=lambda n: (n["level"], exposed.get(n["id"], ""), n["id"]))
    nodes: dict[str, Node] = {}
    numbers: dict[int, int] = {}
    for index, raw in enumerate(ordered, start=1):
        level = raw["level"]
        numbers[level] = numbers.get(level, 0) + 1
        case = cases.get(raw["id"]) if level == 0 else None
        label = f"F0 #{case[0]}" if case else f"F{level}-{numbers[level]}"
        nodes[raw["id"]] = Node(
            key=f"n{index}",
            order=index,
            label=label,
            level=level,
            person_id=raw["id"],
            case_id=case[0] if case else None,
            unknown_source=bool(case and not case[1]),
        )
    edges = [
        Edge(nodes[e["from"]], nodes[e["to"]], date.fromisoformat(e["exposed_on"]))
        for e in graph["edges"]
        if e["from"] in nodes and e["to"] in nodes
    ]
    edges.sort(key=lambda e: e.target.order)
    return Chain(list(nodes.values()), edges, graph["exposures"], drawable=len(nodes) <= MAX_NODES_DRAWN)


@dataclass(frozen=True)
class ListedNode:
    node: Node
    name: str
    ward: str


def listed_nodes(user: Any, nodes: Sequence[Node]) -> list[ListedNode]:
    """The side list of the chain: each node's label and ward, its name only for officers tracing
    where the person lives. Bounded to the first MAX_NODES_LISTED nodes (cases first)."""
    shown = list(nodes[:MAX_NODES_LISTED])
    persons = {
        str(row.person_id): row.person
        for row in TraceLevel.objects.filter(person_id__in=[uuid.UUID(n.person_id) for n in shown])
        .select_related("person__residence_area__ward")
        .defer("person__cccd_ciphertext", "person__cccd_index")
    }
    listed = []
    for node in shown:
        person = persons.get(node.person_id)
        if person is None:
            continue
        visible = covers(user, person.unit_path, Perm.TRACE)
        listed.append(
            ListedNode(node, person.full_name if visible else "", person.residence_area.ward.full_name)
        )
    return listed
