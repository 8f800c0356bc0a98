"""Deriving F-levels from cases and exposures, set-wise, and keeping them current.

`derive_all` rebuilds every person's level from scratch in a few INSERT … SELECT statements, one per
level (F0 from the cases still within the tracing horizon, F1 from exposures to an F0 inside the case's
window, F2 from exposures to an F1 after their own exposure and within the chain window…), into a
temporary table; clusters are grouped right after the F0s (they depend on the F0 rows alone), so every
later level is inserted already labelled with its root case's cluster; then only the rows that differ
from the stored derivation are deleted, updated or inserted. `derive_around` re-derives, the same way,
only the persons a change can reach (a new case, new links: everyone within `depth` links of them), so a
new F0 with 50 contacts touches a few hundred rows, not the whole graph; the full rebuild (nightly:
`phaodai cases_rederive`, since time alone moves cases out of the horizon) is the reference, and both
give every person the same row.

Plain SQL over plain columns (dates, ids), no date arithmetic and only window functions that SQLite and
PostgreSQL both have, so one code path serves both.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, NamedTuple

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Field

from phaodai.cases import prepared, rules
from phaodai.cases.errors import NoRuleInForce
from phaodai.cases.models import Case, Cluster, Exposure, TraceLevel, TracingRule
from phaodai.cases.trace_rows import Around, Row, key, keys, read_around, write_changes
from phaodai.core.locks import serialise


@dataclass(frozen=True)
class Reach:
    """What a derivation around a change met: the root cases of the rows it met, before and after; which
    of its seeds are current cases (have an F0 row); and whether it made a case current (a new F0 row,
    or one with another case: e.g. a case confirmed just after midnight, current from the next day's
    first derivation on)."""

    roots: set[int]
    cases: frozenset[Any]  # seeds, keyed as keys() keys them
    made_current: bool = False
    placed: int | None = None  # the cluster the new case was put in, its rows labelled (NewCase)
    # each cluster's change in traced persons (rows above F0) by the rows written (clusters.recount)
    traced_moves: dict[int, int] = field(default_factory=dict)

    def is_case(self, person: Any) -> bool:
        return keys([person]) <= self.cases


class NewCase(NamedTuple):
    """A case just recorded, whose person is the seed of derive_around: its id, the person and the case
    it was traced from (whose row the person had)."""

    pk: int
    person: Any
    traced_from: int | None


@dataclass(frozen=True)
class Derivation:
    """How many persons are at each level after a derivation (index 0 = F0)."""

    levels: tuple[int, ...]
    clusters: int = 0


def _tables() -> dict[str, str]:
    return {
        "trace": TraceLevel._meta.db_table,
        "exposure": Exposure._meta.db_table,
        "case": Case._meta.db_table,
        "cluster": Cluster._meta.db_table,
        "person": apps.get_model("people", "Person")._meta.db_table,
        "area": apps.get_model("territory", "Area")._meta.db_table,
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
        raise NoRuleInForce(day)
    return rule


def _counts(cursor: Any, trace: str) -> tuple[int, ...]:
    cursor.execute(f"SELECT level, COUNT(*) FROM {trace} GROUP BY level ORDER BY level")  # noqa: S608
    found = dict(cursor.fetchall())
    top = max(found, default=-1)
    return tuple(found.get(level, 0) for level in range(top + 1))


# The full rebuild ---------------------------------------------------------------------------------


# The full rebuild computes the new derivation apart, in a temporary table, then writes only the rows
# that differ: an unchanged graph costs reads, not index maintenance and every row's foreign-key checks.
NEW = "cases_trace_new"
MISSING = "cases_trace_missing"  # persons of NEW without a row yet
COLUMNS = (
    *("person_id", "level", "via_id", "root_case_id", "exposed_on", "next_from", "next_until", "path"),
    "cluster_id",
)
NULLABLE = ("via_id", "cluster_id")
STALE_AFTER = 1000  # rows written to a table, after which the rebuild has PostgreSQL look at it again


def derive_all(as_of: date) -> Derivation:
    """Rebuild every person's F-level and every cluster as of the local date `as_of`."""
    from phaodai.cases import clusters

    rule = rule_at(as_of)
    t = _tables()
    horizon = rules.horizon_start(as_of, rule.horizon_days)
    with transaction.atomic(), connection.cursor() as cursor:
        serialize()
        _create_new(cursor)
        # F0: each person's latest case still within the horizon.
        cursor.execute(
            f"""
            INSERT INTO {NEW} ({", ".join(COLUMNS)}, chain_end)
            SELECT person_id, 0, NULL, id, confirmed_on, window_start, window_end, path, cluster_id,
                   chain_window_end
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
        # PostgreSQL plans what follows with NEW's real size and contents (the next levels' own sizes it
        # reads from the table's pages when planning them)
        cursor.execute(f"ANALYZE {NEW}")
        # Clusters depend on the F0s alone: grouped first, so every later level is inserted labelled.
        clusters.persist_all(cursor, trace=NEW)
        cursor.execute(
            f"""
            UPDATE {NEW} SET cluster_id = c.cluster_id FROM {t["case"]} c
            WHERE c.id = {NEW}.root_case_id AND ({NEW}.cluster_id IS NULL OR {NEW}.cluster_id <> c.cluster_id)
            """  # noqa: S608
        )
        for level in range(1, rule.depth + 1):
            _insert_level(cursor, t, level, as_of)
        _apply_new(cursor, t["trace"])
        active = clusters.refresh_all(cursor, as_of)
        levels = _counts(cursor, t["trace"])
    return Derivation(levels, active)


def _column_type(column: str) -> str:
    """The trace table's type for a column, as this database spells it (uuid or char(32)…)."""
    field = TraceLevel._meta.get_field(column.removesuffix("_id"))
    assert isinstance(field, Field)
    return str(field.db_type(connection))


def _create_new(cursor: Any) -> None:
    """NEW has the trace table's columns plus `chain_end`, the root case's chain window end (the next
    levels' window closes then), so that no level has to join the cases again."""
    columns = ", ".join(f"{name} {_column_type(name)}" for name in COLUMNS)
    for name in (NEW, MISSING):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMPORARY TABLE {NEW} ({columns}, chain_end {_column_type('next_until')})")
    cursor.execute(f"CREATE UNIQUE INDEX {NEW}_person ON {NEW} (person_id)")
    cursor.execute(f"CREATE TEMPORARY TABLE {MISSING} (person_id {_column_type('person_id')} PRIMARY KEY)")


def _apply_new(cursor: Any, trace: str) -> None:
    """Make the trace table equal to NEW, writing only the rows that differ; then drop NEW."""
    # First which persons are new, so that inserting them never probes the table it grows.
    cursor.execute(
        f"""
        INSERT INTO {MISSING} (person_id)
        SELECT n.person_id FROM {NEW} n
        WHERE NOT EXISTS (SELECT 1 FROM {trace} t WHERE t.person_id = n.person_id)
        """  # noqa: S608
    )
    written = cursor.rowcount
    cursor.execute(
        f"DELETE FROM {trace} WHERE NOT EXISTS (SELECT 1 FROM {NEW} n WHERE n.person_id = {trace}.person_id)"  # noqa: S608
    )
    written += cursor.rowcount
    changed = " OR ".join(
        f"{trace}.{c} <> n.{c}" + (f" OR ({trace}.{c} IS NULL) <> (n.{c} IS NULL)" if c in NULLABLE else "")
        for c in COLUMNS[1:]
    )
    cursor.execute(
        f"""
        UPDATE {trace} SET {", ".join(f"{c} = n.{c}" for c in COLUMNS[1:])}
        FROM {NEW} n WHERE n.person_id = {trace}.person_id AND ({changed})
        """  # noqa: S608
    )
    written += cursor.rowcount
    cursor.execute(
        f"""
        INSERT INTO {trace} ({", ".join(COLUMNS)})
        SELECT {", ".join(f"n.{c}" for c in COLUMNS)}
        FROM {MISSING} m JOIN {NEW} n ON n.person_id = m.person_id
        """  # noqa: S608
    )
    for name in (NEW, MISSING):
        cursor.execute(f"DROP TABLE {name}")
    if written > STALE_AFTER:
        # PostgreSQL's statistics of the table are stale until autovacuum comes by: counting the
        # clusters' contacts (a join with it) would be planned as if it were still empty.
        cursor.execute(f"ANALYZE {trace}")


def _insert_level(cursor: Any, t: dict[str, str], level: int, as_of: date) -> None:
    """Everyone exposed to someone at `level - 1` inside that person's window and not yet traced.

    Of several such exposures the earliest wins (then the lowest via id), so a rebuild is deterministic.
    Each end of a link is joined on its own index (person, day), starting from the (small) previous
    level, so the links table is probed, not scanned; the root case's cluster and chain window come
    along from the previous level's row.
    """
    branch = """
        SELECT e.{other}_id AS other, tr.person_id AS via, tr.root_case_id AS root_case_id,
               e.exposed_on AS exposed_on, tr.chain_end AS chain_end, tr.cluster_id AS cluster_id
        FROM {trace} tr
        JOIN {exposure} e ON e.{one}_id = tr.person_id
                         AND e.exposed_on >= tr.next_from AND e.exposed_on <= tr.next_until
        WHERE tr.level = %s AND e.exposed_on <= %s
    """
    from_low = branch.format(other="high", one="low", trace=NEW, exposure=t["exposure"])
    from_high = branch.format(other="low", one="high", trace=NEW, exposure=t["exposure"])
    cursor.execute(
        f"""
        INSERT INTO {NEW} ({", ".join(COLUMNS)}, chain_end)
        SELECT other, %s, via, root_case_id, exposed_on, exposed_on, chain_end, p.unit_path, cluster_id,
               chain_end
        FROM (
            SELECT link.*,
                   ROW_NUMBER() OVER (PARTITION BY link.other ORDER BY link.exposed_on, link.via) AS rn
            FROM ({from_low} UNION ALL {from_high}) link
            WHERE NOT EXISTS (SELECT 1 FROM {NEW} seen WHERE seen.person_id = link.other)
        ) candidates
        JOIN {t["person"]} p ON p.id = candidates.other
        WHERE rn = 1
        """,  # noqa: S608
        [level, level - 1, as_of, level - 1, as_of],
    )


# Incremental ----------------------------------------------------------------------------------------


def derive_around(
    seeds: Iterable[Any],
    as_of: date,
    *,
    added: Iterable[tuple[Any, Any, date]] = (),
    new_case: NewCase | None = None,
    paths: Iterable[tuple[Any, str]] = (),
    writes: list[prepared.Statement] | None = None,
) -> Reach:
    """Re-derive, exactly as the full rebuild would as of `as_of`, every row a change at `seeds`
    (persons with a new case, or new links) reaches; return the root cases of the rows met, before
    and after, and which seeds are current cases.

    The rebuild gives each person the least (level, exposure day, via id) over their neighbours one
    level up whose window holds the exposure, or F0 for a case within the horizon. So a person's row
    can change only when their own case or links change (the seeds, recomputed from all their links)
    or a neighbour's row changes: then, if that neighbour was their via, they are recomputed from all
    their links; otherwise the changed neighbour can only offer a better row than the one they keep.
    Changes spread outward round by round (one statement per round at most: the links of everyone who
    may spread next are read with the rows they reach, so a new F0 needs two reads; on PostgreSQL the
    statements are prepared, see prepared.py) and levels move both ways (an F1 who turns positive
    takes their F2s up to F1; another F0's earlier exposure re-roots a contact, and the persons below
    them with it).

    `added`: when the change is only these new links (one, other, day) between seeds. A seed's stored
    row is then the least over their other links, so the new links are offered to them like a
    changed neighbour's row, instead of recomputing them from all their links; and only their links
    from the earliest day that can spread are read (read_around's `since`): a new F1's neighbours met
    inside their window, not the weeks of links before it. A seed whose stored F0 row is no longer
    current is recomputed in full.

    `new_case`: the seed's case just recorded. When the rows read around it tell its cluster (see
    _place_new_case) the case is put in it first, so that its rows are written labelled, once (`placed` in
    the Reach); otherwise the caller groups it (clusters.assign_clusters_for). `paths`: the residence
    paths the caller has at hand (person, path): their rows are written without reading them again.
    `writes`: on PostgreSQL the rows' writes are added to it, unsent, for the caller to send with the
    clusters' (clusters.recount and assign_clusters_for's `pending`): a round trip fewer.
    """
    seeds = keys(seeds)
    offered = _both_ways(added)
    near = _Neighbourhood(as_of)
    since = {person: min(day for _other, day in links) for person, links in offered.items()} or None
    depth, firsts = _locked_first_read(near, seeds, since)
    placed = _place_new_case(near, firsts, new_case) if new_case is not None else None
    if new_case is not None and placed is not None:
        person = key(new_case.person)
        firsts[person] = replace(firsts[person], cluster=placed)  # the rows rooted at it take it
    before: dict[Any, Row | None] = {}  # each changed person's stored row
    recompute: set[Any] = set(seeds)
    offers: dict[Any, list[tuple[Any, date]]] = {}
    if offered:  # seeds with no new link, or whose F0 row is no longer current, are recomputed
        stale_f0 = {p for p in seeds if p not in firsts and (row := near.rows.get(p)) and row.level == 0}
        recompute, offers = (seeds - offered.keys()) | stale_f0, offered
    first_round = True
    for _round in range(4 * (depth + 2)):
        if not recompute and not offers:
            break
        near.load(links_of=recompute, rows_of=recompute | offers.keys())
        changed: dict[Any, Row | None] = {}
        for person in recompute | offers.keys():
            kept = near.rows.get(person)
            if first_round and person in firsts:
                row = firsts[person]  # a seed's current case
            elif kept is not None and kept.level == 0 and not (first_round and person in seeds):
                row = kept  # a case: only a change to the person's own cases moves it
            elif person in recompute:
                row = near.best(person, near.links[person], depth)
            else:
                row = near.best(person, offers[person], depth, keep=kept)
            if row != kept:
                changed[person] = row
        for person in changed:
            before.setdefault(person, near.rows.get(person))
        recompute, offers = near.spread(changed, depth)
        first_round = False
    else:
        raise RuntimeError("re-deriving around a change did not settle")  # levels are bounded: never
    written = write_changes(before, near.rows, {key(person): path for person, path in paths}, deferred=writes)
    met = before.keys() | seeds
    roots = {row.root_case for person in met for row in (before.get(person), near.rows.get(person)) if row}
    cases = frozenset(person for person in seeds if (row := near.rows.get(person)) and row.level == 0)
    return Reach(roots, cases, _made_current(before, near.rows), placed, _traced_moves(before, written))


def _place_new_case(near: "_Neighbourhood", firsts: dict[Any, Row], new_case: NewCase) -> int | None:
    """The cluster of a new case, from the rows read around its person, as clusters.assign_clusters_for
    would find it: the one cluster of the current cases it is linked to (each an F0 neighbour met
    inside either's window, and the case it was traced from: the root of the person's row), or a new
    cluster (made now, the case in it) when it is linked to none. None, for the walk to decide, when
    they are in several clusters (a merge), when the person was already a current case, or when the
    case is not current. Every group is settled in its cluster before (as every service leaves them),
    so the groups of those cases need no walk."""
    from phaodai.cases import clusters

    person = key(new_case.person)
    assert person not in near.read_from  # all its links are read (a new case: its links are not windowed)
    first, old = firsts.get(person), near.rows.get(person)
    if first is None or first.root_case != new_case.pk or (old is not None and old.level == 0):
        return None
    met: set[int | None] = set()
    if new_case.traced_from is not None:
        if old is None or old.root_case != new_case.traced_from:
            return None
        met.add(old.cluster)
    for other, day in near.links[person]:
        row = near.rows.get(other)
        if row is None or row.level != 0:
            continue
        if first.next_from <= day <= first.next_until or row.next_from <= day <= row.next_until:
            met.add(row.cluster)
    if None in met or len(met) > 1:
        return None
    return met.pop() if met else clusters.start_cluster(new_case.pk)


def _both_ways(added: Iterable[tuple[Any, Any, date]]) -> dict[Any, list[tuple[Any, date]]]:
    """Each end of these links, keyed as the derivation keys persons, with the other ends and days."""
    offered: dict[Any, list[tuple[Any, date]]] = {}
    keyed = str if connection.vendor == "postgresql" else None  # as key(), once for all
    for one, other, day in added:
        a, b = (keyed(one), keyed(other)) if keyed else (one, other)
        offered.setdefault(a, []).append((b, day))
        offered.setdefault(b, []).append((a, day))
    return offered


def _traced_moves(before: dict[Any, Row | None], written: dict[Any, Row | None]) -> dict[int, int]:
    """How many traced persons (rows above F0) each cluster gains or loses by the rows `written`."""
    moves: Counter[int] = Counter()
    for person, new in written.items():
        old = before[person]
        if old is not None and old.level > 0 and old.cluster is not None:
            moves[old.cluster] -= 1
        if new is not None and new.level > 0 and new.cluster is not None:
            moves[new.cluster] += 1
    return {cluster: n for cluster, n in moves.items() if n}


def _made_current(before: dict[Any, Row | None], rows: dict[Any, Row | None]) -> bool:
    """Whether a changed person now has an F0 row they did not have before (a case made current)."""
    for person, old in before.items():
        row = rows.get(person)
        if (
            row is not None
            and row.level == 0
            and (old is None or (old.level, old.root_case) != (0, row.root_case))
        ):
            return True
    return False


def _locked_first_read(
    near: "_Neighbourhood", seeds: set[Any], since: dict[Any, date] | None = None
) -> tuple[int, dict[Any, Row]]:
    """serialize(); the depth of the rule in force; and the first read: the seeds' links (from the
    days `since` gives, see read_around), the rows they reach, the seeds' own rows and F0 rows (their
    cases within the rule's horizon) — with the next hop's links when the seeds are few and all their
    links are read (a new case: its neighbours, offered F1, spread next; read ahead, a round trip
    fewer, a few dozen links read in vain if the seed changes nothing).

    One round trip on PostgreSQL: the lock with the rule (read as rule_at reads it), then the read as a
    second statement, so that it sees what the lock's previous holder committed."""
    as_of, ahead = near.as_of, len(seeds) <= READ_AHEAD and since is None
    links_of = seeds if since is None else set(since)
    if connection.vendor != "postgresql":
        rule = rule_at(as_of)
        serialize()
        within = (rules.horizon_start(as_of, rule.horizon_days), as_of)
        around = near.load(
            links_of=links_of,
            rows_of=seeds,
            first_cases_within=within,
            and_reached=ahead,
            since=since,
        )
        return rule.depth, around.firsts
    locked: prepared.Statement = (
        "cases_locked_rule",
        _LOCKED_RULE,
        ("bigint", "date"),
        [DERIVATION_LOCK, as_of],
    )
    around = near.load(
        links_of=links_of,
        rows_of=seeds,
        first_cases_within=(None, as_of),
        and_reached=ahead,
        before=locked,
        since=since,
    )
    assert around.before is not None
    depth, horizon_days = around.before
    if depth is None:
        raise NoRuleInForce(as_of)
    horizon = rules.horizon_start(as_of, horizon_days)  # each seed's latest case: its F0 row if within
    return depth, {person: row for person, row in around.firsts.items() if row.exposed_on >= horizon}


# The lock, this transaction's settings (no parallel workers for reads of a few hundred rows: their
# start-up cost 7-25 ms against 3 ms of work on the bench's 5,000,000 links; the prepared statements'
# generic plans, see prepared.py) and the rule in force on $2.
_LOCKED_RULE = f"""
    SELECT r.depth, r.horizon_days
    FROM (SELECT pg_advisory_xact_lock($1), set_config('max_parallel_workers_per_gather', '0', true),
                 set_config('plan_cache_mode', 'force_generic_plan', true)) locked
    LEFT JOIN LATERAL (
        SELECT depth, horizon_days FROM {TracingRule._meta.db_table}
        WHERE valid_from <= $2 AND (valid_until IS NULL OR valid_until >= $2)
        ORDER BY valid_from DESC, id DESC LIMIT 1
    ) r ON true
"""  # noqa: S608


# Seeds whose next hop is read with them: a new case (one seed), whose neighbours are all offered F1
# and spread next. Not a contact added (two seeds): its source is often an F0 with hundreds of
# neighbours whose rows do not change, and reading their links in vain would hold the city-wide lock.
READ_AHEAD = 1


class _Neighbourhood:
    """The links and stored rows read so far around a change, and the rows as they are re-derived."""

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.links: dict[Any, list[tuple[Any, date]]] = {}
        self.rows: dict[Any, Row | None] = {}
        self.read_from: dict[Any, date] = {}  # persons whose links were read from a day on only: that day

    def load(
        self,
        *,
        links_of: set[Any],
        rows_of: set[Any],
        first_cases_within: tuple[date | None, date] | None = None,
        and_reached: bool = False,
        before: prepared.Statement | None = None,
        since: dict[Any, date] | None = None,
        windowed_ok: Iterable[Any] = (),
    ) -> Around:
        """Read the links of `links_of` not read yet (or read only from a day on, except for the persons
        `windowed_ok`, whose links from that day on are enough), with the stored rows of the persons they
        reach and of `rows_of` not read yet (one statement, none when everything is known); given a
        horizon and a day, the F0 rows of `rows_of` too (in the Around returned; see read_around for
        `before` and `since`); `and_reached` (the first read only, while no links are known): the
        links of every person reached as well. Rows already read are kept: they may have been
        re-derived since."""
        assert not (and_reached and self.links)  # a person's links are read once, or appear twice
        missing = links_of - self.links.keys()
        missing |= (links_of & self.read_from.keys()) - set(windowed_ok)
        unread = rows_of - self.rows.keys()
        around = read_around(
            missing, unread, first_cases_within, and_reached=and_reached, before=before, since=since
        )
        for person in missing:
            self.read_from.pop(person, None)
        self.read_from.update(around.read_from)
        for person in missing | around.reached:
            self.links[person] = []
        for one, other, day in around.links:
            self.links[one].append((other, day))
        for person, row in around.rows.items():
            self.rows.setdefault(person, row)
        return around

    def best(
        self, person: Any, links: Iterable[tuple[Any, date]], depth: int, keep: "Row | None" = None
    ) -> "Row | None":
        """The least row these links offer the person (or `keep`, if it is less)."""
        # the least key and whose row offers it; one Row is built at the end (hundreds of calls a change)
        rows, as_of = self.rows, self.as_of
        least = None if keep is None else (keep.level, keep.exposed_on, keep.via)
        offered: Row | None = None
        for other, day in links:
            source = rows.get(other)
            if source is None or source.level >= depth or day > as_of:
                continue
            if not source.next_from <= day <= source.next_until:
                continue
            key = (source.level + 1, day, other)
            if least is None or key < least:
                least, offered = key, source
        if offered is None or least is None:
            return keep
        level, day, other = least
        return Row(level, other, offered.root_case, day, day, offered.chain_end, "", offered.cluster,
                   offered.chain_end)  # fmt: skip

    def spread(
        self, changed: dict[Any, "Row | None"], depth: int
    ) -> tuple[set[Any], dict[Any, list[tuple[Any, date]]]]:
        """Apply this round's changes; return who to recompute (their via changed) and who to offer the
        changed rows to (everyone else next to a changed person who had or has children's levels)."""
        recompute: set[Any] = set()
        offers: dict[Any, list[tuple[Any, date]]] = {}
        parents = []
        olds = {}
        for person, row in changed.items():
            old = olds[person] = self.rows.get(person)
            self.rows[person] = row
            if any(r is not None and r.level < depth for r in (old, row)):
                parents.append(person)
        # A parent whose links were read from a day on only (a seed, contacts added) spreads from them
        # if both its windows, before and after, open on or after that day: no link before it can
        # carry the row it gives, nor one it gave.
        self.load(links_of=set(parents), rows_of=set(), windowed_ok=self._windowed_enough(parents, olds))
        ahead: set[Any] = set()  # offered a level that has children: may spread in turn
        for parent in parents:
            row = self.rows[parent]
            begets = row is not None and row.level + 1 < depth
            for other, day in self.links[parent]:
                current = self.rows.get(other)
                if current is not None and current.via == parent:
                    recompute.add(other)
                else:
                    offers.setdefault(other, []).append((parent, day))
                    if begets:
                        ahead.add(other)
        offers = {person: links for person, links in offers.items() if person not in recompute}
        # Who may spread in turn: everyone recomputed, and everyone offered a level that has children.
        # Their links are read now, in one statement, so that the next round and its spreading read
        # none (a new F0: two reads in all, not three).
        # (links from a day on may do for a seed offered a row now: checked when it spreads, as above)
        self.load(links_of=recompute | ahead, rows_of=set(), windowed_ok=ahead - recompute)
        return recompute, offers

    def _windowed_enough(self, persons: Iterable[Any], olds: dict[Any, "Row | None"]) -> set[Any]:
        """Those of these persons whose links were read from a day on only, and whose rows before
        (`olds`) and now both open their windows on or after that day."""
        return {
            person
            for person in persons
            if (day := self.read_from.get(person)) is not None
            and all(row is None or row.next_from >= day for row in (olds[person], self.rows[person]))
        }


def serialize() -> None:
    """One derivation at a time (PostgreSQL: a transaction-scoped advisory lock; SQLite serializes
    writers itself): two officers adding contacts at once would otherwise each derive from a graph
    missing the other's links, and write over each other's rows. The incremental derivation takes the
    same lock inside its first statement on PostgreSQL (_LOCKED_RULE)."""
    serialise(DERIVATION_LOCK)


DERIVATION_LOCK = 20210723  # any constant shared by every derivation (the date of Directive 17/CT-UBND)
