"""Bench: the lab-result import end to end against raw psycopg COPY of the same rows (PostgreSQL).

    .venv/bin/python bench/diagnostics_import.py [--rows N] [--persons P] [--batch-size B] [--steps]
                                                 [--python-path] [--floor-before] [--floor-bare]
                                                 (defaults 1,000,000 rows, 100,000 persons)

DATABASE_URL must name a PostgreSQL database; it is created if missing and migrated. The bench
refuses a database that already holds samples. It registers P persons (bulk, not timed) in bench
areas, writes a seeded N-row results CSV (1 % bad rows of several kinds, 1 % persons not registered,
0.5 % positives; the rest cycle over the persons), then times
  (a) the project path end to end: services_imports.start_import (stream to disk, size, kind and
      UTF-8 checks, SHA-256) and core.bulk.runner.run with LabResultImport (parse, validate, CCCD
      blind index, dedupe against stored samples, COPY into staging, set-wise merge, rejections,
      unmatched queue, counts and cursor per batch, announce_positives after each batch), and
  (b) the baseline: read and parse the same CSV with the csv module and COPY its rows (8 text
      columns) into a bare table with psycopg, in one transaction.
Peak memory is the process's ru_maxrss before and after (a): streaming keeps it flat.
Then (c), the write floor: the samples (a) wrote, inserted again into the emptied diagnostics_sample
with their foreign keys checked, all rolled back: what any import of these rows must write, with the
table's indexes and constraints; it bounds the ratio (a) can reach. --floor-before measures it also
with the indexes diagnostics 0003 dropped re-created (session 13's schema before), alternating runs,
the best of each. --floor-bare measures the least any design writes: the same samples into a table
with only a primary key and the code's unique index (no foreign key, no other index). --steps
prints where (a)'s time went: the caller's thread (statements, COPY, commit) and, overlapped with
it, the runner's reading thread (reading the file, the row checks).
Batches default to LabResultImport.batch_size (what the task and the command run with).
The last line is the BENCH line (ratio = value / baseline).
"""

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench._common import ensure_database, setup_django, step  # noqa: E402

SEED = 20210910
LAB = "BENCH-LAB"
USER = "bench-lab-tech"
HEADER = ["sample_code", "cccd", "full_name", "collected_at", "resulted_at", "method", "result", "lab"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Lan", "Linh", "Mai", "Nam", "Sơn", "Trang"]
BAD = [("cccd", "1.23457E+11"), ("cccd", "10801234567"), ("result", "neg"), ("lab", "NOPE"),
       ("resulted_at", "31/08/2021 07:00")]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="result rows (default 1,000,000)")
    parser.add_argument("--persons", type=int, default=100_000, help="registered persons (default 100,000)")
    parser.add_argument(
        "--batch-size", type=int, default=None, help="rows per committed batch (default: the import's own)"
    )
    parser.add_argument("--steps", action="store_true", help="print where the import's time went")
    parser.add_argument(
        "--python-path", action="store_true", help="every batch through the Python path (set_wise=False)"
    )
    parser.add_argument(
        "--floor-before",
        action="store_true",
        help="the write floor also with the sample indexes diagnostics 0003 dropped (same run)",
    )
    parser.add_argument(
        "--floor-bare",
        action="store_true",
        help="the floor also into a table with only a primary key and the code unique (same run)",
    )
    return parser.parse_args()


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cccd_of(i: int) -> str:
    born = 1950 + i % 60
    return f"001{0 if born < 2000 else 2}{born % 100:02d}{i % 1_000_000:06d}"


def register_persons(n: int) -> None:
    from phaodai.core.text import search_key
    from phaodai.people.rules import PersonRow
    from phaodai.people.services import bulk_register
    from phaodai.territory.models import Area, Unit

    ward = Unit.objects.get(code="00139")
    area, _ = Area.objects.get_or_create(
        code=f"{ward.code}-BENCHLAB", defaults={
            "ward": ward, "local_code": "BENCHLAB", "name": "Khu thử nghiệm xét nghiệm",
            "name_key": search_key("Khu thử nghiệm xét nghiệm"), "kind": Area.Kind.RESIDENTIAL_GROUP,
            "path": ward.path,
        },
    )  # fmt: skip
    rows = (
        PersonRow(cccd=cccd_of(i), full_name=f"Nguyễn Văn {GIVEN[i % len(GIVEN)]}",
                  birth_date=date(1950 + i % 60, 1, 1 + i % 28), sex="M", phone="", residence_area_id=area.pk,
                  unit_path=area.path)
        for i in range(n)
    )  # fmt: skip
    result = bulk_register(rows)
    if result.rejections:
        sys.exit(f"bench persons rejected: {result.rejections[:3]}")


def lab_and_user() -> Any:
    from django.contrib.auth import get_user_model

    from phaodai.accounts import services as accounts
    from phaodai.accounts.roles import Role
    from phaodai.diagnostics.models import Lab
    from phaodai.territory.models import Unit

    city = Unit.objects.get(code="01")
    Lab.objects.get_or_create(
        code=LAB, defaults={"name": "Phòng xét nghiệm thử", "unit": city, "path": city.path}
    )
    user = get_user_model().objects.filter(username=USER).first()
    return user or accounts.create_user(
        username=USER, password="bench-password-1", role=Role.LAB_TECHNICIAN, unit=city
    )


def write_file(path: Path, rows: int, persons: int) -> dict[str, int]:
    """The seeded CSV, streamed to disk; the counts a first import must give."""
    rng = random.Random(SEED)
    start = datetime(2021, 9, 1, 7, 0)
    expected = {"rows": rows, "accepted": 0, "rejected": 0, "unmatched": 0}
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            collected = start + timedelta(minutes=i // 50)
            resulted = collected + timedelta(hours=6 + rng.randrange(30))
            values = [f"B{i:09d}", cccd_of(rng.randrange(persons)), "Nguyễn Văn Thử",
                      collected.strftime("%d/%m/%Y %H:%M"), resulted.strftime("%Y-%m-%dT%H:%M:00+07:00"),
                      "RT-PCR", "dương tính" if rng.random() < 0.005 else "âm tính", LAB]  # fmt: skip
            if i % 100 == 99:
                column, bad = BAD[(i // 100) % len(BAD)]
                values[HEADER.index(column)] = bad
                expected["rejected"] += 1
            elif i % 100 == 42:
                values[1] = cccd_of(900_000 + i % 90_000)  # serials the persons above never use
                expected["unmatched"] += 1
            else:
                expected["accepted"] += 1
            writer.writerow(values)
    return expected


class _DiskUpload:
    def __init__(self, path: Path) -> None:
        self._handle = path.open("rb")
        self.name, self.size = path.name, path.stat().st_size

    def read(self, size: int = -1, /) -> bytes:
        return self._handle.read(size)


def run_project(path: Path, user: Any, batch_size: int | None, set_wise: bool) -> tuple[float, Any]:
    from phaodai.core.bulk import runner
    from phaodai.diagnostics import services_imports
    from phaodai.diagnostics.lab_import import LabResultImport

    started = time.perf_counter()
    job = services_imports.start_import(by=user, upload=_DiskUpload(path), enqueue=lambda _id: None)
    handler = LabResultImport(set_wise=set_wise)
    done = runner.run(job.pk, handler, batch_size=batch_size or handler.batch_size)
    return time.perf_counter() - started, done


class Steps:
    """Where the import's time goes (--steps): its statements by their first words, and some calls."""

    def __init__(self) -> None:
        import psycopg
        from django.db.backends.base.base import BaseDatabaseWrapper

        from phaodai.core.bulk import runner
        from phaodai.diagnostics import lab_import, lab_import_sql

        self.spent: dict[str, float] = {}
        execute = psycopg.Cursor.execute

        def timed_execute(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return execute(cursor, query, *args, **kwargs)
            finally:
                self.add("SQL " + " ".join(str(query).split()[:4]), started)

        psycopg.Cursor.execute = timed_execute  # type: ignore[method-assign,assignment]
        self.wrap(lab_import_sql, "write_batch", "write_batch: checks, COPY, statements, rows left to Python")
        self.wrap(
            lab_import_sql.SetWiseBatch, "_stage", "  of which: COPY (and the rows the fast checks left)"
        )
        self.wrap(lab_import_sql.SetWiseBatch, "_finish_in_python", "  of which: rows to Python")
        self.wrap(lab_import, "announce", "announcing positives (after each commit)")
        self.wrap(runner, "_write", "runner: a batch written, committed, announced (caller's thread)")
        self.wrap(runner, "_commit_batch", "runner: rejections, counts, cursor, audit")
        self.wrap(BaseDatabaseWrapper, "commit", "COMMIT (the deferred foreign-key checks)")
        self.wrap(lab_import_sql, "checked", "reading thread, overlapped: the fast row checks")
        self.wrap(
            runner, "_batches", "reading thread, overlapped: reading and parsing the file", generator=True
        )

    def add(self, name: str, started: float) -> None:
        self.spent[name] = self.spent.get(name, 0.0) + time.perf_counter() - started

    def wrap(self, owner: Any, attribute: str, name: str, generator: bool = False) -> None:
        original = getattr(owner, attribute)

        def timed_items(*args: Any, **kwargs: Any) -> Any:
            items = original(*args, **kwargs)
            while True:
                started = time.perf_counter()
                try:
                    item = next(items)
                except StopIteration:
                    self.add(name, started)
                    return
                self.add(name, started)
                yield item

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.add(name, started)

        setattr(owner, attribute, timed_items if generator else timed)

    def report(self, total: float) -> None:
        for name, seconds in sorted(self.spent.items(), key=lambda item: -item[1]):
            if seconds >= 0.01 * total:
                print(f"  {seconds:8.2f} s {100 * seconds / total:5.1f} %  {name}")


# The indexes diagnostics 0003 dropped or made partial, as they were (--floor-before).
DROPPED_INDEXES = [
    "CREATE INDEX floor_code_like ON diagnostics_sample (code varchar_pattern_ops)",
    "CREATE INDEX floor_created_at ON diagnostics_sample (created_at)",
    "CREATE INDEX floor_person ON diagnostics_sample (person_id)",
    "CREATE INDEX floor_session ON diagnostics_sample (session_id)",
    "CREATE INDEX floor_pool ON diagnostics_sample (pool_id)",
    "CREATE INDEX floor_retest_of ON diagnostics_sample (retest_of_id)",
    "CREATE INDEX floor_import_job ON diagnostics_sample (import_job_id)",
]


FLOOR_COLUMNS = (
    "created_at, updated_at, code, person_id, method, collected_at, place, team, lab_id, outcome, "
    "resulted_at, path, import_job_id, version"
)


def run_write_floor(extra_indexes: list[str] | None = None) -> tuple[int, float]:
    """The import's samples written again into an emptied diagnostics_sample (same rows, same order),
    their foreign keys checked, all rolled back: the part of the import no design can skip.
    `extra_indexes` are created on the emptied table first (rolled back too)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE floor_samples AS SELECT {FLOOR_COLUMNS} FROM diagnostics_sample ORDER BY id"
        )
        cursor.execute("TRUNCATE diagnostics_sample CASCADE")  # undone with the rest
        for statement in extra_indexes or []:
            cursor.execute(statement)
        started = time.perf_counter()
        cursor.execute(
            f"INSERT INTO diagnostics_sample ({FLOOR_COLUMNS}) SELECT {FLOOR_COLUMNS} FROM floor_samples"
        )
        written = cursor.rowcount
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return written, elapsed


def run_bare_floor() -> tuple[int, float]:
    """The import's samples written into a table with only what the issue itself asks of them: a
    primary key, and the code unique (the import is idempotent by sample code). No foreign key, no
    other index, no check; inside the server (no parsing, no transfer). Rolled back. Any import that
    keeps samples by code writes at least this, so baseline / this bounds every design's ratio."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE floor_samples AS SELECT {FLOOR_COLUMNS} FROM diagnostics_sample ORDER BY id"
        )
        cursor.execute(
            "CREATE TABLE bench_bare_sample (LIKE diagnostics_sample INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
        cursor.execute("ALTER TABLE bench_bare_sample ADD PRIMARY KEY (id), ADD UNIQUE (code)")
        started = time.perf_counter()
        cursor.execute(
            f"INSERT INTO bench_bare_sample ({FLOOR_COLUMNS}) SELECT {FLOOR_COLUMNS} FROM floor_samples"
        )
        written = cursor.rowcount
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return written, elapsed


def compare_floors(first: float) -> None:
    """The floor with today's indexes and with those 0003 dropped, alternating: the best of each."""
    now_seconds, before_seconds = [first], []
    for _round in range(2):
        before_seconds.append(run_write_floor(DROPPED_INDEXES)[1])
        now_seconds.append(run_write_floor()[1])
    best_now, best_before = min(now_seconds), min(before_seconds)
    print(f"write floor, best of {len(now_seconds)} alternating: {best_now:.2f} s with today's indexes, "
          f"{best_before:.2f} s with those diagnostics 0003 dropped re-created "
          f"({best_before / best_now:.2f}x)", flush=True)  # fmt: skip


def run_raw_copy(path: Path) -> float:
    from django.db import connection, transaction

    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_lab_raw")
        cursor.execute("CREATE TABLE bench_lab_raw (" + ", ".join(f"{c} text" for c in HEADER) + ")")
    started = time.perf_counter()
    with transaction.atomic(), raw.cursor() as cursor, path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        next(reader)
        with cursor.copy(f"COPY bench_lab_raw ({', '.join(HEADER)}) FROM STDIN") as copy:
            for record in reader:
                copy.write_row(record)
    elapsed = time.perf_counter() - started
    with raw.cursor() as cursor:
        cursor.execute("DROP TABLE bench_lab_raw")
    return elapsed


def main() -> None:
    args = parse_args()
    ensure_database("diagnostics_import")
    setup_django()
    from django.urls import reverse

    from phaodai.diagnostics.models import Sample

    if Sample.objects.exists():
        sys.exit("diagnostics_sample is not empty: run this bench on a throwaway database")
    t0 = time.perf_counter()
    register_persons(args.persons)
    user = lab_and_user()
    step(f"registered {args.persons:,} persons", t0)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ket-qua.csv"
        expected = write_file(path, args.rows, args.persons)
        step(f"wrote {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB)", t0)

        copy_seconds = run_raw_copy(path)
        print(f"baseline: raw COPY {copy_seconds:.2f} s = {args.rows / copy_seconds:,.0f} rows/s", flush=True)
        # A worker has its URLconf loaded; the first reverse() (announcing the first positives)
        # imports every view and API schema, seconds that are the process's, not the import's.
        t0 = time.perf_counter()
        reverse("diagnostics:positives")
        print(f"URLconf loaded before timing ({time.perf_counter() - t0:.1f} s)", flush=True)
        steps = Steps() if args.steps else None
        before = maxrss_mb()
        seconds, job = run_project(path, user, args.batch_size, set_wise=not args.python_path)
        after = maxrss_mb()
    print(f"import: {seconds:.2f} s = {args.rows / seconds:,.0f} rows/s; job {job.pk} {job.status}: "
          f"rows={job.rows} accepted={job.accepted} duplicates={job.duplicates} rejected={job.rejected} "
          f"unmatched={job.unmatched}")  # fmt: skip
    if steps is not None:
        steps.report(seconds)
    print(f"peak memory (ru_maxrss): {before:.0f} MB before the import, {after:.0f} MB after", flush=True)
    got = {name: getattr(job, name) for name in expected}
    if job.status != "done" or got != expected:
        sys.exit(f"wrong counts: {got} != {expected}")
    value, baseline = args.rows / seconds, args.rows / copy_seconds
    written, floor_seconds = run_write_floor()
    ceiling = args.rows / floor_seconds / baseline
    print(f"write floor: the {written:,} samples alone into an empty diagnostics_sample, foreign keys "
          f"checked: {floor_seconds:.2f} s; the ratio cannot exceed {ceiling:.3f}", flush=True)  # fmt: skip
    if args.floor_before:
        compare_floors(floor_seconds)
    if args.floor_bare:
        bare_written, bare_seconds = run_bare_floor()
        print(f"bare floor: the {bare_written:,} samples into a table with only a primary key and the code "
              f"unique: {bare_seconds:.2f} s; no import keeping samples by code can pass "
              f"{args.rows / bare_seconds / baseline:.3f}", flush=True)  # fmt: skip
    print(f"BENCH name=diagnostics_import value={value:.0f} unit=rows/s baseline={baseline:.0f} "
          f"ratio={value / baseline:.3f} target=ratio>=0.5")  # fmt: skip


if __name__ == "__main__":
    main()
