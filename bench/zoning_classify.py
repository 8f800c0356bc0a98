"""Bench: classify every area of the demo city against one plain GROUP BY over the same rows (PostgreSQL).

    .venv/bin/python bench/zoning_classify.py [--cases N] [--tests M] [--repeat K] [--profile]
                                              (defaults 700,000 cases, 300,000 tests, 5 runs)

DATABASE_URL must name a PostgreSQL database; it is created if missing and migrated. The bench gives
every one of Hà Nội's 579 wards its demo areas (phaodai.demo.seeding.seed_areas, about 14,300 areas),
replays the Long Biên scenario (so placements exist: the city under 17/CT-UBND, Long Biên's areas under
the levels of its 09/9 decision), and then builds, outside the timed part:

- `bench_case(area_id, confirmed_at, source_known, detected_in)` and
  `bench_test(area_id, sampled_at, positive)`: N and M seeded rows loaded with COPY, shaped like the
  rows the cases and diagnostics apps will keep (issues #5 and later) -- a foreign key index on
  `area_id` and an index on the instant, as those apps' models will declare;
- entered indicator values (zoning_indicatorvalue) as a ward would enter them while no vaccination
  provider exists: first-dose and 65+ full-dose coverage and treatment capacity for every area every
  two weeks, a lockdown flag for about 2 % of areas;
- two indicator providers registered with phaodai.zoning.indicators.register_provider, a fair model of
  what the cases and diagnostics apps will register (bench-only until issue #5 lands): for ALL the
  areas asked about, one grouped query each with FILTER clauses, returning zeros for areas without
  rows (an area without cases has 0 community cases, not an unknown number):
    cases:       community_cases_7d, community_cases_14d, unknown_source_cases_14d,
                 days_since_last_community_case
    diagnostics: tests_7d, test_positivity_7d_pct (no shipped table reads them yet; they model the
                 diagnostics app's cost).

Timed, interleaved, best of K:
  (a) the project path: `zoning.services.classify_areas(table, areas, at)` over all areas (the areas
      are loaded beforehand): gathering (attributes, entered values, both providers, derived
      cases per 100,000) and placements, then the JsonLogic rows of the table for every area;
      with LB-2021-09 at 09:00 14/9/2021 and with NQ128-4800 at 09:00 20/10/2021;
  (b) the baseline: `SELECT area_id, count(*) FROM bench_case GROUP BY area_id` and the same over
      bench_test, fetched.
ratio = (a) / (b), target ratio <= 5. The last two lines are BENCH lines (LB-2021-09, NQ128-4800).
--profile runs classify_areas once more under cProfile and prints where the time goes.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench._common import ensure_database, seed_city, setup_django, step  # noqa: E402

SEED = 20210914
TABLES = ("LB-2021-09", "NQ128-4800")
DETECTED_IN = ("community", "quarantine", "lockdown")

CASES_DDL = """
CREATE TABLE bench_case (
    id bigserial PRIMARY KEY,
    area_id bigint NOT NULL REFERENCES territory_area (id),
    confirmed_at timestamptz NOT NULL,
    source_known boolean NOT NULL,
    detected_in varchar(16) NOT NULL
);
CREATE TABLE bench_test (
    id bigserial PRIMARY KEY,
    area_id bigint NOT NULL REFERENCES territory_area (id),
    sampled_at timestamptz NOT NULL,
    positive boolean NOT NULL
);
"""
CASES_INDEXES = """
CREATE INDEX bench_case_area ON bench_case (area_id);
CREATE INDEX bench_case_confirmed ON bench_case (confirmed_at);
CREATE INDEX bench_test_area ON bench_test (area_id);
CREATE INDEX bench_test_sampled ON bench_test (sampled_at);
"""

# The cases provider: one pass over the community cases up to `at`, every indicator a FILTER of it. The
# areas asked about come as one array parameter, hash-joined: `area_id = ANY(<14,000 ids>)` lets the planner
# pick 14,000 index probes (measured 4x slower) and Django's `__in` binds 14,000 parameters one by one.
CASES_SQL = """
SELECT area_id,
       count(*) FILTER (WHERE confirmed_at > %(d7)s),
       count(*) FILTER (WHERE confirmed_at > %(d14)s),
       count(*) FILTER (WHERE NOT source_known AND confirmed_at > %(d14)s),
       max(confirmed_at)
  FROM bench_case
 WHERE detected_in = 'community' AND confirmed_at <= %(at)s
   AND area_id IN (SELECT unnest(%(ids)s::bigint[]))
 GROUP BY area_id
"""
# The diagnostics provider: the 7-day window through the index on sampled_at.
TESTS_SQL = """
SELECT area_id, count(*), count(*) FILTER (WHERE positive)
  FROM bench_test
 WHERE sampled_at > %(d7)s AND sampled_at <= %(at)s
   AND area_id IN (SELECT unnest(%(ids)s::bigint[]))
 GROUP BY area_id
"""
CASE_INDICATORS = frozenset(
    {
        "community_cases_7d",
        "community_cases_14d",
        "unknown_source_cases_14d",
        "days_since_last_community_case",
    }
)
TEST_INDICATORS = frozenset({"tests_7d", "test_positivity_7d_pct"})


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=700_000, help="case rows (default 700,000)")
    parser.add_argument("--tests", type=int, default=300_000, help="test rows (default 300,000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each side, best counts (default 5)")
    parser.add_argument("--profile", action="store_true", help="profile one classify_areas run per table")
    return parser.parse_args()


def table_exists(name: str) -> bool:
    from django.db import connection

    return name in connection.introspection.table_names()


def epidemic_day(rng: random.Random, start: datetime, days: int) -> datetime:
    """An instant of the wave: rising from late April, peaking in early September, fading in October."""
    while True:
        day = rng.randrange(days)
        peak = 130  # days after 27/4: about 4/9
        weight = max(0.02, 1 - abs(day - peak) / 100) ** 2
        if rng.random() < weight:
            return start + timedelta(days=day, seconds=rng.randrange(86_400))


def load_rows(cases: int, tests: int, area_ids: Sequence[int]) -> None:
    """bench_case and bench_test with seeded rows (COPY), skewed: a few areas carry most cases."""
    from django.db import connection

    from phaodai.core.clock import hanoi

    if table_exists("bench_case"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT (SELECT count(*) FROM bench_case), (SELECT count(*) FROM bench_test)")
            have = cursor.fetchone()
        if have == (cases, tests):
            print(f"bench_case/bench_test already hold {cases:,}/{tests:,} rows", flush=True)
            return
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_case, bench_test")
    t0 = time.perf_counter()
    rng = random.Random(SEED)
    # Every area gets a risk weight; 60 % are quiet (weight 0.05), a few are hot spots.
    weights = [rng.choice((0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 1, 1, 3, 12)) for _ in area_ids]
    start, days = hanoi(2021, 4, 27), 190
    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute(CASES_DDL)
    chosen = rng.choices(area_ids, weights=weights, k=cases)
    with (
        raw.cursor() as cursor,
        cursor.copy("COPY bench_case (area_id, confirmed_at, source_known, detected_in) FROM STDIN") as copy,
    ):
        for area_id in chosen:
            detected = rng.choices(DETECTED_IN, weights=(35, 50, 15))[0]
            known = detected != "community" or rng.random() < 0.7
            copy.write_row((area_id, epidemic_day(rng, start, days), known, detected))
    chosen = rng.choices(area_ids, weights=[w + 0.5 for w in weights], k=tests)
    with (
        raw.cursor() as cursor,
        cursor.copy("COPY bench_test (area_id, sampled_at, positive) FROM STDIN") as copy,
    ):
        for area_id in chosen:
            copy.write_row((area_id, epidemic_day(rng, start, days), rng.random() < 0.03))
    with connection.cursor() as cursor:
        cursor.execute(CASES_INDEXES)
    step(f"loaded {cases:,} cases and {tests:,} tests with COPY", t0)


def enter_values(areas: Sequence[Any]) -> None:
    """Coverage and capacity every two weeks for every area, a few lockdowns: as wards would enter them."""
    from phaodai.core.clock import hanoi
    from phaodai.zoning.models import IndicatorValue

    if IndicatorValue.objects.filter(indicator="first_dose_18plus_pct").exists():
        return
    t0 = time.perf_counter()
    rng = random.Random(SEED + 1)
    rows = []
    for area in areas:
        first, full65 = rng.uniform(40, 80), rng.uniform(30, 70)
        for week in range(4):
            as_of = hanoi(2021, 8, 30, 18) + timedelta(days=14 * week)
            first, full65 = min(100.0, first + rng.uniform(3, 9)), min(100.0, full65 + rng.uniform(3, 9))
            for indicator, value in (
                ("first_dose_18plus_pct", round(first, 1)),
                ("full_dose_65plus_pct", round(full65, 1)),
                ("treatment_capacity_met", float(rng.random() < 0.9)),
            ):
                rows.append(
                    IndicatorValue(area=area, indicator=indicator, value=value, as_of=as_of, path=area.path)
                )
        if rng.random() < 0.02:
            lockdown = hanoi(2021, 9, 10, 18)
            rows.append(
                IndicatorValue(
                    area=area, indicator="lockdown_active", value=1.0, as_of=lockdown, path=area.path
                )
            )
    IndicatorValue.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    step(f"entered {len(rows):,} indicator values", t0)


def analyze() -> None:
    """Statistics and visibility maps for every table both sides read, then a checkpoint."""
    from django.db import connection

    with connection.cursor() as cursor:
        for name in (
            "bench_case",
            "bench_test",
            "zoning_indicatorvalue",
            "zoning_assignment",
            "territory_area",
        ):
            cursor.execute(f"VACUUM ANALYZE {name}")
        cursor.execute("CHECKPOINT")


def cases_provider(areas: Sequence[Any], at: datetime) -> Mapping[int, Mapping[str, Any]]:
    """What the cases app will register: case counts and the last community case, for all areas at once."""
    from django.db import connection

    ids = [a.id for a in areas]
    result: dict[int, dict[str, Any]] = {
        i: {"community_cases_7d": 0, "community_cases_14d": 0, "unknown_source_cases_14d": 0} for i in ids
    }
    params: dict[str, Any] = {
        "at": at,
        "d7": at - timedelta(days=7),
        "d14": at - timedelta(days=14),
        "ids": ids,
    }
    with connection.cursor() as cursor:
        cursor.execute(CASES_SQL, params)
        for area_id, c7, c14, u14, last in cursor.fetchall():
            values = result[area_id]
            values["community_cases_7d"] = c7
            values["community_cases_14d"] = c14
            values["unknown_source_cases_14d"] = u14
            if last is not None:
                values["days_since_last_community_case"] = (at - last).days
    return result


def diagnostics_provider(areas: Sequence[Any], at: datetime) -> Mapping[int, Mapping[str, Any]]:
    """What the diagnostics app will register: tests and positivity over 7 days, for all areas at once."""
    from django.db import connection

    ids = [a.id for a in areas]
    result: dict[int, dict[str, Any]] = {i: {"tests_7d": 0} for i in ids}
    with connection.cursor() as cursor:
        cursor.execute(TESTS_SQL, {"at": at, "d7": at - timedelta(days=7), "ids": ids})
        for area_id, total, positive in cursor.fetchall():
            result[area_id] = {"tests_7d": total, "test_positivity_7d_pct": round(100 * positive / total, 1)}
    return result


def register() -> None:
    from phaodai.zoning.indicators import register_provider

    register_provider("bench_cases", CASE_INDICATORS, cases_provider)
    register_provider("bench_diagnostics", TEST_INDICATORS, diagnostics_provider)


def run_classify(table: Any, areas: Sequence[Any], at: datetime) -> tuple[float, dict[int, Any]]:
    from phaodai.zoning.services import classify_areas

    start = time.perf_counter()
    results = classify_areas(table, areas, at)
    return time.perf_counter() - start, results


def run_baseline() -> tuple[float, int]:
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT area_id, count(*) FROM bench_case GROUP BY area_id")
        groups = len(cursor.fetchall())
        cursor.execute("SELECT area_id, count(*) FROM bench_test GROUP BY area_id")
        groups += len(cursor.fetchall())
    return time.perf_counter() - start, groups


def phases(table: Any, areas: Sequence[Any], at: datetime) -> str:
    """Where one classification spends its time, part by part (each part timed alone, best of 3)."""
    from phaodai.zoning import indicators, rules
    from phaodai.zoning import selectors as zoning

    facts = [indicators.AreaFacts(a.pk, a.code, a.kind, a.population, a.shared_sanitation) for a in areas]
    ids = [a.pk for a in areas]
    values = indicators.gather(facts, at)
    pure = zoning.rule_table(table)
    parts = {
        "entered values": lambda: indicators.entered_values(ids, at),
        "cases provider": lambda: cases_provider(facts, at),
        "diagnostics provider": lambda: diagnostics_provider(facts, at),
        "gather (all of the above)": lambda: indicators.gather(facts, at),
        "placements": lambda: zoning.placements_of_areas(areas, at),
        "rules (JsonLogic)": lambda: [rules.classify(pure, values[a.pk]) for a in areas],
    }
    shown = []
    for label, part in parts.items():
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            part()
            best = min(best, time.perf_counter() - start)
        shown.append(f"{label} {best * 1000:.0f} ms")
    return ", ".join(shown)


def profile(table: Any, areas: Sequence[Any], at: datetime) -> None:
    from phaodai.zoning.services import classify_areas

    profiler = cProfile.Profile()
    profiler.enable()
    classify_areas(table, areas, at)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    print(f"--- cProfile of classify_areas, {table.code} ---\n{out.getvalue()}", flush=True)


def main() -> None:
    args = parse_args()
    ensure_database("zoning_classify")
    setup_django()
    from phaodai.core.clock import hanoi
    from phaodai.territory import selectors as territory
    from phaodai.zoning import selectors as zoning

    seed_city()
    t0 = time.perf_counter()
    areas = list(territory.areas_within(territory.city()).order_by("code"))
    step(f"{len(areas):,} areas in {len({a.ward_id for a in areas})} wards loaded", t0)
    if len(areas) < 12_000:
        sys.exit(f"only {len(areas):,} areas: the bench needs the whole demo city (>= 12,000)")
    load_rows(args.cases, args.tests, [a.pk for a in areas])
    enter_values(areas)
    analyze()
    register()

    moments = {"LB-2021-09": hanoi(2021, 9, 14, 9), "NQ128-4800": hanoi(2021, 10, 20, 9)}
    tables = {code: zoning.table_valid_at(code, moments[code]) for code in TABLES}
    for code, table in tables.items():
        if table is None:
            sys.exit(f"criteria table {code} is not published")
    # One untimed round first: caches (compiled table, connection, server buffers) warm for both sides.
    for code, table in tables.items():
        _seconds, results = run_classify(table, areas, moments[code])
        levels = Counter(r.level_code for r in results.values())
        print(
            f"{code} at {moments[code]:%d/%m/%Y %H:%M}: "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(levels.items()))
        )
    _seconds, groups = run_baseline()

    best = {code: float("inf") for code in TABLES}
    baseline = float("inf")
    for run in range(1, args.repeat + 1):
        line = [f"run {run}:"]
        for code, table in tables.items():
            seconds, results = run_classify(table, areas, moments[code])
            if len(results) != len(areas):
                sys.exit(f"classify_areas answered for {len(results)} of {len(areas)} areas")
            best[code] = min(best[code], seconds)
            line.append(f"{code} {seconds * 1000:.0f} ms")
        seconds, groups = run_baseline()
        baseline = min(baseline, seconds)
        line.append(f"GROUP BY {seconds * 1000:.0f} ms ({groups:,} groups)")
        print("  ".join(line), flush=True)

    for code, table in tables.items():
        print(f"{code} parts: {phases(table, areas, moments[code])}", flush=True)
    if args.profile:
        for code, table in tables.items():
            profile(table, areas, moments[code])

    rows = args.cases + args.tests
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{len(areas):,} areas, {rows:,} case and test rows; best of {args.repeat}; load average {load}")
    for code, name in (("LB-2021-09", "zoning_classify"), ("NQ128-4800", "zoning_classify_nq128")):
        print(
            f"BENCH name={name} value={best[code]:.3f} unit=s baseline={baseline:.3f} "
            f"ratio={best[code] / baseline:.2f} target=ratio<=5"
        )


if __name__ == "__main__":
    main()
