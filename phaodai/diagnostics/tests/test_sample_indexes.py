"""diagnostics_sample keeps the indexes its queries use and no others (an import pays each on every row).

Each query below is one the code runs; on PostgreSQL its plan must use the index named beside it
(sequential scans off, as the test tables are tiny). The indexes diagnostics 0003 dropped served none.
"""

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from phaodai.core.clock import hanoi
from phaodai.diagnostics import providers
from phaodai.diagnostics.models import Outcome, Sample

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans and indexes")

# Index name -> its definition as pg_indexes gives it, less the "CREATE [UNIQUE] INDEX name ON
# public.diagnostics_sample USING btree " prefix. lab_id keeps Django's own foreign-key index.
INDEXES = {
    "diagnostics_sample_pkey": "(id)",
    "sample_code_unique": "(code)",
    "sample_scope_collected": "(path, collected_at)",
    "sample_person": "(person_id, collected_at)",
    "sample_waiting": "(collected_at) WHERE ((outcome)::text = 'pending'::text)",
    "sample_positive": "(path, resulted_at) WHERE ((outcome)::text = 'positive'::text)",
    "sample_session": "(session_id) WHERE (session_id IS NOT NULL)",
    "sample_pool": "(pool_id) WHERE (pool_id IS NOT NULL)",
    "sample_retest_of": "(retest_of_id) WHERE (retest_of_id IS NOT NULL)",
    "sample_job_positive": "(import_job_id) WHERE ((outcome)::text = 'positive'::text)",
}
PERSON = uuid.UUID("6f1c7a0e-3b1e-4f8e-9a6e-2f8e3c1d2b4a")
SEPT_20 = hanoi(2021, 9, 20, 0, 0)


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'diagnostics_sample'")
        return {name: definition.split(" USING btree ", 1)[1] for name, definition in cursor.fetchall()}


@postgres_only
def test_the_sample_table_has_exactly_the_indexes_its_queries_use() -> None:
    found = _indexes()
    lab = [name for name, definition in found.items() if definition == "(lab_id)"]
    assert len(lab) == 1  # the laboratory's foreign key (turnaround per laboratory, a laboratory deleted)
    del found[lab[0]]
    assert found == INDEXES


def test_the_sample_code_is_unique_by_one_index_only() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Sample._meta.db_table)
    on_code = [c for c in constraints.values() if c["columns"] == ["code"]]
    assert len(on_code) == 1 and on_code[0]["unique"]
    # no index on these columns alone: sample_person leads with person_id; nothing reads by creation
    alone = {tuple(c["columns"]) for c in constraints.values() if c["index"] or c["unique"]}
    assert not alone & {("created_at",), ("person_id",)}


def test_a_second_sample_with_a_code_is_refused_by_the_database(sampled_person: Any) -> None:
    sample = sampled_person(1, code="HN-IDX-1")
    copy = Sample(
        code=sample.code, person_id=sample.person_id, method=sample.method, collected_at=sample.collected_at,
        path=sample.path,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


@postgres_only
def test_on_conflict_on_the_code_still_finds_its_unique_index(sampled_person: Any) -> None:
    sample = sampled_person(2, code="HN-IDX-2")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO diagnostics_sample (created_at, updated_at, code, person_id, method, "
            "collected_at, place, team, outcome, path, version) SELECT now(), now(), code, person_id, "
            "method, collected_at, '', '', 'pending', path, 1 FROM diagnostics_sample WHERE id = %s "
            "ON CONFLICT (code) DO NOTHING",
            [sample.pk],
        )
        assert cursor.rowcount == 0


def _queries() -> list[tuple[str, Any, str]]:
    """(where the code runs it, the query, the index its plan must use)."""
    samples = Sample.objects.all()
    return [
        ("services.register_sample, selectors.sample_by_code", samples.filter(code="HN-0001"),
         "sample_code_unique"),
        ("lab_import.stored_results (and the set-wise probes)", samples.filter(code__in=["A", "B"]),
         "sample_code_unique"),
        ("selectors.samples_of_person", samples.filter(person_id=PERSON).order_by("-collected_at", "-pk"),
         "sample_person"),
        ("deleting persons (PROTECT)", samples.filter(person_id__in=[PERSON]), "sample_person"),
        ("selectors.pool_members, services: a pool's members", samples.filter(pool_id=1).order_by("pk"),
         "sample_pool"),
        ("deleting pools (PROTECT)", samples.filter(pool_id__in=[1, 2]), "sample_pool"),
        ("deleting sessions (PROTECT)", samples.filter(session_id__in=[1, 2]), "sample_session"),
        ("a session's samples", samples.filter(session_id=1), "sample_session"),
        ("deleting samples (PROTECT on retest_of)", samples.filter(retest_of_id__in=[1]), "sample_retest_of"),
        ("lab_import.on_resume: a job's positives", samples.filter(import_job_id=1, outcome=Outcome.POSITIVE),
         "sample_job_positive"),
        ("selectors.waiting_since (turnaround)",
         samples.filter(outcome=Outcome.PENDING, collected_at__lt=SEPT_20).order_by("collected_at", "pk"),
         "sample_waiting"),
        ("providers.zoning_values: the wards with samples in the week",
         providers.tested_wards(["00139", "00004"], SEPT_20 - timedelta(days=7), SEPT_20),
         "sample_scope_collected"),
    ]  # fmt: skip


@postgres_only
@pytest.mark.parametrize("number", range(len(_queries())))
def test_each_query_uses_its_index(number: int) -> None:
    where, query, index = _queries()[number]
    _a_table_of_imported_samples()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # undone with the test's transaction
        plan = query.explain()
        # gone before the test's end checks the deferred foreign keys (its persons do not exist)
        cursor.execute("DELETE FROM diagnostics_sample WHERE code LIKE 'IDX-%%'")
    assert index in plan, where


def _a_table_of_imported_samples() -> None:
    """20,000 rows shaped like an import's (no session, pool or retest; few positives), analysed: the
    planner then costs each index as on a real table, whatever the suite's earlier tests left in the
    statistics (on a near-empty table every index costs the same and the plan picks any). The rows,
    the statistics go with the test's transaction; the rows are deleted before its end."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO diagnostics_sample (created_at, updated_at, code, person_id, method, collected_at, "
            "place, team, outcome, resulted_at, path, version) "
            "SELECT now(), now(), 'IDX-' || g, md5(g::text)::uuid, 'pcr', now() - interval '1 day', '', '', "
            "CASE WHEN g % 200 = 0 THEN 'positive' ELSE 'negative' END, now(), '/01/004/00139/', 1 "
            "FROM generate_series(1, 20000) AS g"
        )
        cursor.execute("ANALYZE diagnostics_sample")


@postgres_only
def test_a_pools_latest_member_is_read_through_the_pool_index() -> None:
    # lab_import.stored_pools: a correlated probe per pool.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT p.code, (SELECT MAX(m.collected_at) FROM diagnostics_sample m "
            "WHERE m.pool_id = p.id) FROM diagnostics_pool p WHERE p.code = ANY(%s)",
            [["P-1"]],
        )
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "sample_pool" in plan


@postgres_only
def test_the_tested_wards_are_found_by_one_probe_per_ward() -> None:
    # providers.zoning_values: entering sample_scope_collected at each ward's path, not reading the
    # week's samples of the whole city and joining them afterwards. The planner is not steered here.
    _a_table_of_imported_samples()
    with connection.cursor() as cursor:
        plan = providers.tested_wards(["00139", "00004"], SEPT_20 - timedelta(days=7), SEPT_20).explain()
        cursor.execute("DELETE FROM diagnostics_sample WHERE code LIKE 'IDX-%%'")
    probe = re.search(
        r"Scan using sample_scope_collected on diagnostics_sample.*\n\s*Index Cond: \(\((.*)", plan
    )
    assert probe, plan
    assert re.match(r"path = \(\w+\.path\)::text\) AND \(collected_at >= ", probe.group(1)), plan
    assert "Nested Loop" in plan and "Hash" not in plan, plan
