"""Reads of cases, contacts, levels and clusters, always scoped to the acting officer.

A case is seen where the person lives and where it was found (both wards must act on it); a traced
person's level is seen where they live; a cluster where its first case lives, or by anyone who sees
one of its cases. Outside that: 404, and the attempt is logged.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm
from phaodai.cases import clusters, rules
from phaodai.cases.models import (
    Case,
    Cluster,
    Exposure,
    IsolationOrder,
    IsolationRule,
    TraceLevel,
    TracingRule,
)
from phaodai.core.errors import NotPermitted
from phaodai.core.jurisdiction import covers, log_out_of_scope, scope_q

READER_PERMS = (Perm.TRACE, Perm.ORDER_ISOLATION)


def require_tracer(user: Any) -> None:
    """403 for roles that neither trace nor isolate."""
    if not any(has_perm(user, perm) for perm in READER_PERMS):
        raise NotPermitted()


def _case_q(user: Any) -> Q:
    return scope_q(user, "path", Perm.TRACE) | scope_q(user, "detected_path", Perm.TRACE)


def cases_visible_to(user: Any) -> QuerySet[Case]:
    return Case.objects.filter(_case_q(user)).select_related(
        "residence_area", "residence_unit", "detected_unit"
    )


def case_for(user: Any, pk: int) -> Case:
    found = cases_visible_to(user).select_related("person", "cluster").filter(pk=pk).first()
    if found is None:
        other = Case.objects.filter(pk=pk).values_list("path", flat=True).first()
        if other is not None:
            log_out_of_scope(user, "cases.case", pk, other)
        raise Http404
    return found


def may_trace(user: Any, person: Any) -> bool:
    """Officers tracing where the person lives, or where one of their cases was found."""
    if covers(user, person.unit_path, Perm.TRACE):
        return True
    paths = Case.objects.filter(person=person).values_list("detected_path", flat=True)
    return any(covers(user, path, Perm.TRACE) for path in paths)


@dataclass(frozen=True)
class Status:
    """A person's tracing status: F-level, the case or link it comes from, open isolation."""

    level: int | None
    label: str | None
    via: Any
    root_case: Case | None
    exposed_on: date | None
    isolation: IsolationOrder | None


def status_of(person: Any) -> Status:
    """The status of a person the caller may see (check with may_trace or a scoped read first)."""
    row = TraceLevel.objects.select_related("root_case", "via").filter(person_id=person.pk).first()
    order = IsolationOrder.objects.filter(person=person, status__in=["active", "monitoring"]).first()
    if row is None:
        return Status(None, None, None, None, None, order)
    return Status(row.level, rules.f_label(row.level), row.via, row.root_case, row.exposed_on, order)


def contacts_of(person: Any) -> list[tuple[Any, Exposure]]:
    """Everyone linked to `person`, with the link, earliest exposure first."""
    links = (
        Exposure.objects.filter(Q(low=person) | Q(high=person))
        .select_related("low", "high")
        .order_by("exposed_on", "pk")
    )
    return [(link.high if link.low_id == person.pk else link.low, link) for link in links]


def levels_by_person(person_ids: list[Any]) -> dict[Any, int]:
    return dict(TraceLevel.objects.filter(person_id__in=person_ids).values_list("person_id", "level"))


def traced_in(user: Any, level: int | None = None) -> QuerySet[TraceLevel]:
    """The traced persons living within the user's jurisdiction (of one level, if given)."""
    rows = TraceLevel.objects.filter(scope_q(user, "path", Perm.TRACE)).select_related("person", "root_case")
    return rows.filter(level=level) if level is not None else rows


def clusters_visible_to(user: Any) -> QuerySet[Cluster]:
    seen_cases = Case.objects.filter(_case_q(user)).values("cluster_id")
    return Cluster.objects.filter(scope_q(user, "path", Perm.TRACE) | Q(pk__in=seen_cases)).select_related(
        "unit"
    )


def cluster_for(user: Any, pk: int) -> Cluster:
    found = clusters_visible_to(user).filter(pk=pk).first()
    if found is None:
        other = Cluster.objects.filter(pk=pk).values_list("path", flat=True).first()
        if other is not None:
            log_out_of_scope(user, "cases.cluster", pk, other)
        raise Http404
    return found


def traceable_ids(user: Any, persons: Iterable[tuple[Any, str]]) -> set[Any]:
    """Of (person id, residence path) pairs, the ids the user may trace: may_trace for many at once
    (residence within the user's tracing units, or one of their cases found there), in one query."""
    persons = list(persons)
    found = {pk for pk, path in persons if covers(user, path, Perm.TRACE)}
    elsewhere = [pk for pk, _path in persons if pk not in found]
    if elsewhere:
        found_here = Case.objects.filter(person_id__in=elsewhere).filter(
            scope_q(user, "detected_path", Perm.TRACE)
        )
        found.update(found_here.values_list("person_id", flat=True).distinct())
    return found


def cluster_graph(cluster: Cluster, viewer: Any = None) -> dict[str, Any]:
    """Nodes (persons with their level; no names) and edges (who was traced through whom, and when).

    For a `viewer`, persons they may not trace (living elsewhere, no case of theirs found in the
    viewer's units) keep their place and level under an alias ("p7"), not their id: an id they learned
    otherwise (a contact they named) must not tell them that person's level.
    """
    graph = clusters.graph(cluster)
    if viewer is None:
        return graph
    nodes = graph["nodes"]
    visible = {str(pk) for pk in traceable_ids(viewer, ((n["id"], n["path"]) for n in nodes))}
    alias = {n["id"]: f"p{index}" for index, n in enumerate(nodes, start=1) if n["id"] not in visible}
    return {
        **graph,
        "nodes": [{"id": alias.get(n["id"], n["id"]), "level": n["level"]} for n in nodes],
        "edges": [
            {**e, "from": alias.get(e["from"], e["from"]), "to": alias.get(e["to"], e["to"])}
            for e in graph["edges"]
        ],
    }


def unknown_source_cases(user: Any, since: date) -> QuerySet[Case]:
    return cases_visible_to(user).filter(source_known=False, confirmed_on__gte=since)


def tracing_rule_at(day: date) -> TracingRule:
    from phaodai.cases.tracing import rule_at

    return rule_at(day)


def isolation_rule_for(subject: str, day: date) -> IsolationRule | None:
    """The isolation rule in force on `day` for F0, F1, F2 or others."""
    return (
        IsolationRule.objects.filter(subject=subject, valid_from__lte=day)
        .exclude(valid_until__lt=day)
        .order_by("-valid_from", "-pk")
        .first()
    )


def has_case_since_q(person_field: str, since_field: str) -> Q:
    """A filter for another app's rows: the person in `person_field` has a case under treatment, or one
    confirmed at or after the moment in `since_field` (an earlier, closed case — a reinfection months
    later — does not count). Unscoped: the caller filters rows it already scoped, or runs without a user
    (announcing positive results)."""
    cases = Case.objects.filter(person_id=OuterRef(person_field)).filter(
        Q(outcome=Case.Outcome.ACTIVE) | Q(confirmed_at__gte=OuterRef(since_field))
    )
    return Q(Exists(cases))
