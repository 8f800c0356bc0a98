"""Deriving F-levels from cases and exposures, set-wise, and keeping them current.

`derive_all` rebuilds every person's level from scratch in a few INSERT … SELECT statements, one per
level (F0 from the cases still within the tracing horizon, F1 from exposures to an F0 inside the case's
window, F2 from exposures to an F1 after their own exposure and within the chain window…), then the
clusters. `derive_from` relaxes levels outward from a few persons (a new case, new contacts): levels
only ever move up (towards F0) there, so a new F0 with 50 contacts touches a few hundred rows, not the
whole graph. The full rebuild (nightly, or after a correction that lowers a level) is the reference;
both give every person the same level.

Plain SQL over plain columns (dates, ids), no date arithmetic and only window functions that SQLite and
PostgreSQL both have, so one code path serves both.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db import connection, transaction

from phaodai.cases.models import Case, Exposure, TraceLevel, TracingRule


@dataclass(frozen=True)
class Derivation:
    """How many persons are at each level after a derivation (index 0 = F0)."""

    levels: tuple[int, ...]
    clusters: int = 0


def _tables() -> dict[str, str]:
    person = apps.get_model("people", "Person")
    return {
        "trace": TraceLevel._meta.db_table,
        "exposure": Exposure._meta.db_table,
        "case": Case._meta.db_table,
        "person": person._meta.db_table,
    }


def rule_at(day: date) -> TracingRule:
    """The tracing rule in force on `day` (the latest that has started, if several overlap)."""
    rule = (
        TracingRule.objects.filter(valid_from__lte=day)
        .exclude(valid_until__lt=day)
        .order_by("-valid_from", "-pk")
        .first()
    )
    if rule is None:
        raise LookupError(f"no tracing rule in force on {day}")
    return rule


def _counts(cursor: Any, trace: str) -> tuple[int, ...]:
    cursor.execute(f"SELECT level, COUNT(*) FROM {trace} GROUP BY level ORDER BY level")  # noqa: S608
    found = dict(cursor.fetchall())
    top = max(found, default=-1)
    return tuple(found.get(level, 0) for level in range(top + 1))


# The full rebuild ---------------------------------------------------------------------------------


def derive_all(as_of: date) -> Derivation:
    """Rebuild every person's F-level as of the local date `as_of`, then the clusters."""
    from phaodai.cases.clusters import assign_all_clusters

    rule = rule_at(as_of)
    t = _tables()
    horizon = as_of - timedelta(days=rule.horizon_days)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {t['trace']}")  # noqa: S608
        # F0: each person's latest case still within the horizon.
        cursor.execute(
            f"""
            INSERT INTO {t["trace"]} (person_id, level, via_id, root_case_id, exposed_on, next_from,
                                      next_until, path, cluster_id)
            SELECT person_id, 0, NULL, id, confirmed_on, window_start, window_end, path, cluster_id
            FROM (
                SELECT c.*, ROW_NUMBER() OVER (
                           PARTITION BY c.person_id ORDER BY c.confirmed_on DESC, c.id DESC
                       ) AS rn
                FROM {t["case"]} c
                WHERE c.confirmed_on >= %s AND c.confirmed_on <= %s
            ) latest
            WHERE rn = 1
            """,  # noqa: S608
            [horizon, as_of],
        )
        for level in range(1, rule.depth + 1):
            _insert_level(cursor, t, level, as_of)
        levels = _counts(cursor, t["trace"])
    clusters = assign_all_clusters(as_of)
    return Derivation(levels, clusters)


def _insert_level(cursor: Any, t: dict[str, str], level: int, as_of: date) -> None:
    """Everyone exposed to someone at `level - 1` inside that person's window and not yet traced.

    Of several such exposures the earliest wins (then the lowest via id), so a rebuild is deterministic.
    Each end of a link is joined on its own index (person, day), starting from the (small) previous
    level, so the links table is probed, not scanned.
    """
    branch = """
        SELECT e.{other}_id AS other, tr.person_id AS via, tr.root_case_id AS root_case_id,
               e.exposed_on AS exposed_on
        FROM {trace} tr
        JOIN {exposure} e ON e.{one}_id = tr.person_id
                         AND e.exposed_on >= tr.next_from AND e.exposed_on <= tr.next_until
        WHERE tr.level = %s AND e.exposed_on <= %s
    """
    from_low = branch.format(other="high", one="low", trace=t["trace"], exposure=t["exposure"])
    from_high = branch.format(other="low", one="high", trace=t["trace"], exposure=t["exposure"])
    cursor.execute(
        f"""
        INSERT INTO {t["trace"]} (person_id, level, via_id, root_case_id, exposed_on, next_from, next_until,
                                  path, cluster_id)
        SELECT other, %s, via, candidates.root_case_id, candidates.exposed_on, candidates.exposed_on,
               c.chain_window_end, p.unit_path, NULL
        FROM (
            SELECT link.*,
                   ROW_NUMBER() OVER (PARTITION BY link.other ORDER BY link.exposed_on, link.via) AS rn
            FROM ({from_low} UNION ALL {from_high}) link
            WHERE NOT EXISTS (SELECT 1 FROM {t["trace"]} seen WHERE seen.person_id = link.other)
        ) candidates
        JOIN {t["case"]} c ON c.id = candidates.root_case_id
        JOIN {t["person"]} p ON p.id = candidates.other
        WHERE rn = 1
        """,  # noqa: S608
        [level, level - 1, as_of, level - 1, as_of],
    )


# Incremental ----------------------------------------------------------------------------------------


@dataclass
class _Row:
    level: int
    via: Any
    root_case: int
    exposed_on: date
    next_from: date
    next_until: date


def place_case(case: Case) -> None:
    """Make the case's person F0 (replacing whatever level they had), rooted at this case."""
    person_path = (
        apps.get_model("people", "Person").objects.values_list("unit_path", flat=True).get(pk=case.person_id)
    )
    TraceLevel.objects.update_or_create(
        person_id=case.person_id,
        defaults={
            "level": 0,
            "via": None,
            "root_case": case,
            "exposed_on": case.confirmed_on,
            "next_from": case.window_start,
            "next_until": case.window_end,
            "path": person_path,
            "cluster": case.cluster,
        },
    )


def derive_from(seeds: Iterable[Any], as_of: date) -> int:
    """Relax levels outward from the traced persons among `seeds` (person ids); return rows changed."""
    rule = rule_at(as_of)
    rows = {r.person_id: r for r in TraceLevel.objects.filter(person_id__in=list(seeds))}
    frontier = {pid: _Row(r.level, r.via_id, r.root_case_id, r.exposed_on, r.next_from, r.next_until)
                for pid, r in rows.items() if r.level < rule.depth}  # fmt: skip
    changed = 0
    chain_ends = dict(
        Case.objects.filter(pk__in={r.root_case for r in frontier.values()}).values_list(
            "pk", "chain_window_end"
        )
    )
    while frontier:
        candidates = _candidates(frontier, as_of, chain_ends)
        if not candidates:
            break
        existing = dict(
            TraceLevel.objects.filter(person_id__in=list(candidates)).values_list("person_id", "level")
        )
        better = {
            pid: row for pid, row in candidates.items() if pid not in existing or existing[pid] > row.level
        }
        changed += _write(better)
        chain_ends.update(
            Case.objects.filter(
                pk__in={r.root_case for r in better.values()} - chain_ends.keys()
            ).values_list("pk", "chain_window_end")
        )
        frontier = {pid: row for pid, row in better.items() if row.level < rule.depth}
    return changed


def _candidates(frontier: dict[Any, _Row], as_of: date, chain_ends: dict[int, date]) -> dict[Any, _Row]:
    """The best new row for each person exposed to the frontier inside the frontier person's window."""
    links = links_touching(list(frontier))
    best: dict[Any, _Row] = {}
    for one, other, exposed_on in links:
        source = frontier[one]
        if not (source.next_from <= exposed_on <= source.next_until) or exposed_on > as_of:
            continue
        row = _Row(
            source.level + 1, one, source.root_case, exposed_on, exposed_on, chain_ends[source.root_case]
        )
        current = best.get(other)
        if current is None or (row.level, row.exposed_on, str(row.via)) < (
            current.level,
            current.exposed_on,
            str(current.via),
        ):
            best[other] = row
    return best


def _write(rows: dict[Any, _Row]) -> int:
    if not rows:
        return 0
    paths = dict(
        apps.get_model("people", "Person").objects.filter(pk__in=list(rows)).values_list("pk", "unit_path")
    )
    TraceLevel.objects.filter(person_id__in=list(rows)).delete()
    TraceLevel.objects.bulk_create(
        TraceLevel(
            person_id=pid,
            level=row.level,
            via_id=row.via,
            root_case_id=row.root_case,
            exposed_on=row.exposed_on,
            next_from=row.next_from,
            next_until=row.next_until,
            path=paths[pid],
        )
        for pid, row in rows.items()
    )
    return len(rows)


def links_touching(person_ids: Sequence[Any]) -> list[tuple[Any, Any, date]]:
    """Every exposure of these persons as (the person, the other, the day), read from either end."""
    found: list[tuple[Any, Any, date]] = []
    for start in range(0, len(person_ids), 5000):  # SQLite limits the parameters of one statement
        chunk = list(person_ids[start : start + 5000])
        from_low = (
            Exposure.objects.filter(low_id__in=chunk)
            .order_by()
            .values_list("low_id", "high_id", "exposed_on")
        )
        from_high = (
            Exposure.objects.filter(high_id__in=chunk)
            .order_by()
            .values_list("high_id", "low_id", "exposed_on")
        )
        found.extend(from_low.union(from_high, all=True))
    return found


def levels_of(person_ids: Sequence[Any]) -> dict[Any, int]:
    return dict(TraceLevel.objects.filter(person_id__in=list(person_ids)).values_list("person_id", "level"))
