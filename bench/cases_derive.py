"""Bench: re-deriving every F-level and cluster, against one sequential scan of the links (PostgreSQL).

    .venv/bin/python bench/cases_derive.py [--persons N] [--links L] [--cases C] [--repeat K]
    (defaults 1,000,000 persons, 5,000,000 exposure links, 20,000 F0, 2 runs)

DATABASE_URL must name a PostgreSQL database (created if missing, migrated); the bench refuses one that
already holds persons. It loads, by COPY and seeded so every run sees the same graph: N persons in bench
areas of real wards, L exposure links between random pairs (a quarter inside households of four, the
rest anywhere: workplaces, markets, neighbours) dated over the 28 days before 15/9/2021, and C cases
confirmed over the same days. It then times
  (a) the full rebuild: cases.services.rederive (every level, then every cluster), against
  (b) the baseline: one sequential scan of the links table (SELECT count(*) with index scans off),
and (c) one new F0 with 50 contacts recorded through the services (record_case + add_contacts, which
re-derive incrementally), reported as a share of (a). The last line is the BENCH line.
"""

import argparse
import os
import random
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench._common import ensure_database, setup_django, step  # noqa: E402

SEED = 20210915
AS_OF = date(2021, 9, 15)
DAYS = 28
WARDS = 60
AREAS_PER_WARD = 8
AREA_PREFIX = "BENCHF"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--links", type=int, default=5_000_000)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side, best counts (default 2)")
    return parser.parse_args()


def make_areas() -> list[Any]:
    from phaodai.core.text import search_key
    from phaodai.territory.models import Area, Unit

    wards = list(Unit.objects.filter(level="ward").order_by("code")[:WARDS])
    Area.objects.bulk_create(
        [
            Area(
                ward=ward,
                code=f"{ward.code}-{AREA_PREFIX}{n:02d}",
                local_code=f"{AREA_PREFIX}{n:02d}",
                name=f"Khu dân cư thử nghiệm {n}",
                name_key=search_key(f"Khu dân cư thử nghiệm {n}"),
                kind=Area.Kind.RESIDENTIAL_GROUP,
                path=ward.path,
            )
            for ward in wards
            for n in range(1, AREAS_PER_WARD + 1)
        ],
        ignore_conflicts=True,
    )
    return list(
        Area.objects.filter(local_code__startswith=AREA_PREFIX).select_related("ward").order_by("code")
    )


def copy_rows(table: str, columns: list[str], rows: Any) -> None:
    from django.db import connection

    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def load(args: argparse.Namespace) -> list[tuple[uuid.UUID, Any]]:
    """Persons, links and cases; returns (person id, area) for every person."""
    from django.db import connection, transaction

    from phaodai.accounts.models import User
    from phaodai.cases import rules, services
    from phaodai.cases.tracing import rule_at

    rng = random.Random(SEED)
    areas = make_areas()
    moment = datetime(2021, 9, 1, tzinfo=None).isoformat() + "+07:00"
    people: list[tuple[uuid.UUID, Any]] = [
        (uuid.UUID(int=rng.getrandbits(128), version=4), areas[i // 4 % len(areas)])
        for i in range(args.persons)
    ]
    t0 = time.perf_counter()
    with transaction.atomic():
        copy_rows(
            "people_person",
            [
                "id",
                "created_at",
                "updated_at",
                "full_name",
                "name_key",
                "sex",
                "phone",
                "residence_area_id",
                "unit_path",
                "chronic_illness",
                "disability_immobile",
                "pregnant",
                "provisional",
            ],
            (
                (
                    pid,
                    moment,
                    moment,
                    "Người thử nghiệm",
                    "nguoi thu nghiem",
                    "",
                    "",
                    area.pk,
                    area.path,
                    False,
                    False,
                    False,
                    True,
                )
                for pid, area in people
            ),
        )
    step(f"{args.persons:,} persons", t0)
    t0 = time.perf_counter()
    user = User.objects.create(username="bench-tracer")
    reporter = user.pk

    def links() -> Any:
        for _ in range(int(args.links * 1.02)):  # a few repeat a pair and day; the merge drops them
            a = rng.randrange(args.persons)
            # a quarter of the links inside the household of four, the rest anywhere
            b = (a // 4) * 4 + rng.randrange(4) if rng.random() < 0.25 else rng.randrange(args.persons)
            if a == b:
                continue
            low, high = (a, b) if str(people[a][0]) < str(people[b][0]) else (b, a)
            on = AS_OF - timedelta(days=rng.randrange(DAYS))
            setting = "household" if a // 4 == b // 4 else "other"
            reported_for, place = people[a]
            yield (
                people[low][0],
                people[high][0],
                on,
                setting,
                reported_for,
                reporter,
                place.path,
                "",
                moment,
                moment,
            )

    columns = [
        *("low_id", "high_id", "exposed_on", "setting", "reported_for_id", "reported_by_id"),
        *("path", "note", "created_at", "updated_at"),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        like = "LIKE cases_exposure INCLUDING DEFAULTS INCLUDING IDENTITY"
        cursor.execute(f"CREATE TEMP TABLE exposure_stage ({like}) ON COMMIT DROP")
        copy_rows("exposure_stage", columns, links())
        cursor.execute(
            f"""
            INSERT INTO cases_exposure ({", ".join(columns)})
            SELECT {", ".join(columns)} FROM (
                SELECT *, ROW_NUMBER() OVER (PARTITION BY low_id, high_id, exposed_on) AS rn
                FROM exposure_stage
            ) s WHERE rn = 1 LIMIT %s
            """,
            [args.links],
        )
    step(f"{args.links:,} links", t0)
    t0 = time.perf_counter()
    rule = rule_at(AS_OF)
    spec = services.spec_of(rule)
    chosen = rng.sample(range(args.persons), args.cases)
    rows = []
    for n, index in enumerate(chosen):
        pid, area = people[index]
        confirmed_on = AS_OF - timedelta(days=rng.randrange(DAYS))
        window = rules.exposure_window(confirmed_on, spec)
        at = f"{confirmed_on.isoformat()}T09:00:00+07:00"
        rows.append(
            (
                at,
                at,
                pid,
                1,
                at,
                confirmed_on,
                window.start,
                window.end,
                window.chain_end,
                f"B{n}",
                "",
                "community",
                n % 3 != 0,
                "",
                "mild",
                "facility",
                "active",
                area.ward_id,
                area.pk,
                area.path,
                area.ward_id,
                area.path,
                rule.pk,
                reporter,
                1,
            )
        )
    with transaction.atomic():
        copy_rows(
            "cases_case",
            [
                "created_at",
                "updated_at",
                "person_id",
                "episode",
                "confirmed_at",
                "confirmed_on",
                "window_start",
                "window_end",
                "chain_window_end",
                "test_ref",
                "manual_reason",
                "detected_in",
                "source_known",
                "source_note",
                "severity",
                "care",
                "outcome",
                "residence_unit_id",
                "residence_area_id",
                "path",
                "detected_unit_id",
                "detected_path",
                "rule_id",
                "created_by_id",
                "version",
            ],
            rows,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    step(f"{args.cases:,} cases", t0)
    return people


def full_rebuild() -> tuple[float, Any]:
    from phaodai.cases import services

    t0 = time.perf_counter()
    derivation = services.rederive(as_of=AS_OF)
    return time.perf_counter() - t0, derivation


def sequential_scan() -> float:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for setting in ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        t0 = time.perf_counter()
        cursor.execute("SELECT count(*) FROM cases_exposure")
        cursor.fetchone()
        return time.perf_counter() - t0


def one_new_case(people: list[tuple[uuid.UUID, Any]]) -> float:
    """A new F0 (a health worker of the person's ward) with 50 registered contacts, through the services."""
    from django.db import transaction

    from phaodai.accounts.roles import Role
    from phaodai.accounts.services import create_user
    from phaodai.cases import services
    from phaodai.core.clock import hanoi
    from phaodai.people.models import Person

    rng = random.Random(SEED + 1)
    index = rng.randrange(len(people))
    person = Person.objects.select_related("residence_area__ward").get(pk=people[index][0])
    worker = create_user(
        username=f"bench-health-{rng.randrange(10**9)}",
        password=None,
        role=Role.HEALTH_WORKER,
        unit=person.residence_area.ward,
    )
    contacts = [
        services.ContactInput(
            exposed_on=AS_OF - timedelta(days=rng.randrange(3)),
            setting="workplace",
            person=Person.objects.get(pk=people[rng.randrange(len(people))][0]),
        )
        for _ in range(50)
    ]
    contacts = [c for c in contacts if c.person.pk != person.pk]
    clock = lambda: hanoi(2021, 9, 15, 18)  # noqa: E731
    t0 = time.perf_counter()
    with transaction.atomic():
        services.record_case(
            by=worker,
            person=person,
            confirmed_at=hanoi(2021, 9, 15, 17),
            detected_in="community",
            source_known=False,
            test_ref="BENCH-NEW",
            clock=clock,
        )
        services.add_contacts(by=worker, source=person, contacts=contacts, clock=clock)
        elapsed = time.perf_counter() - t0
        transaction.set_rollback(True)  # the next run starts from the same graph
    return elapsed


def main() -> None:
    args = parse_args()
    ensure_database("cases_derive")
    setup_django()
    from phaodai.people.models import Person

    if Person.objects.exists():
        sys.exit("cases_derive needs a database without persons (it loads its own)")
    people = load(args)
    best_full = best_scan = best_new = float("inf")
    derivation = None
    for _ in range(args.repeat):
        scan = sequential_scan()
        elapsed, derivation = full_rebuild()
        new = one_new_case(people)
        best_full, best_scan, best_new = min(best_full, elapsed), min(best_scan, scan), min(best_new, new)
    assert derivation is not None
    print(f"levels F0/F1/F2: {derivation.levels}; active clusters: {derivation.clusters}")
    share = 100 * best_new / best_full
    print(f"full rebuild {best_full:.2f} s; one scan of the links {best_scan:.3f} s")
    print(f"one new F0 with 50 contacts {best_new * 1000:.0f} ms = {share:.2f} % of the full rebuild")
    print(
        f"BENCH name=cases_derive value={best_full:.3f} unit=s baseline={best_scan:.3f} "
        f"ratio={best_full / best_scan:.1f} target=10 incremental_share={best_new / best_full:.4f} "
        f"incremental_target=0.01"
    )


if __name__ == "__main__":
    main()
