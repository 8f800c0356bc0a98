"""Bench: bulk registration of persons against raw COPY of the same rows (PostgreSQL).

    .venv/bin/python bench/people_import.py [--rows N] [--batch-size B] [--repeat K]   (defaults 1e6, 5000, 2)

DATABASE_URL must name a PostgreSQL database; it is created if missing and migrated. The bench
empties people_person, so it refuses a database that already holds persons. It generates N valid
persons (seeded, so every run sees the same names, dates and CCCDs) spread over areas it creates in
real wards, then times
  (a) the project path: people.services.bulk_register (checks, AES-GCM, HMAC, COPY, audit), and
  (b) the baseline: one raw psycopg COPY of the very rows (a) stored, ciphertexts and indexes
      included, read back into Python tuples beforehand,
emptying the table before each run. The last line is the BENCH line (ratio = value / baseline).
"""

import argparse
import os
import random
import sys
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench._common import ensure_database, setup_django  # noqa: E402

SEED = 20210906
WARDS = 60
AREAS_PER_WARD = 8
AREA_PREFIX = "BENCH"

FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Phan", 4), ("Vũ", 4),
          ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1), ("Ngô", 1), ("Dương", 1), ("Lý", 1),
          ("Đinh", 1)]  # fmt: skip
MIDDLE = {"M": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Xuân", "Mạnh", "Tiến", "Công"],
          "F": ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng", "Kim", "Thùy", "Diệu"]}  # fmt: skip
GIVEN = {"M": ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Long", "Nam",
               "Phong", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Việt", "Vinh"],
         "F": ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga",
               "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Yến"]}  # fmt: skip
PROVINCES = ["001", "034", "036", "038", "040", "024", "027", "030", "033", "035"]
PHONE_PREFIXES = ["032", "033", "034", "035", "036", "037", "038", "039", "070", "079", "081", "083", "084",
                  "085", "086", "088", "090", "091", "093", "094", "096", "097", "098"]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="persons (default 1,000,000)")
    parser.add_argument("--batch-size", type=int, default=5000, help="bulk_register batch (default 5000)")
    # Two interleaved runs by default: on a shared machine one busy minute must not decide the figure.
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side, best counts (default 2)")
    return parser.parse_args()


def make_areas() -> list[Any]:
    """AREAS_PER_WARD bench areas in each of the first WARDS real wards (by GSO code), made once."""
    from phaodai.core.text import search_key
    from phaodai.territory.models import Area, Unit

    wards = list(Unit.objects.filter(level="ward").order_by("code")[:WARDS])
    wanted = [
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
    ]
    Area.objects.bulk_create(wanted, ignore_conflicts=True)
    return list(Area.objects.filter(local_code__startswith=AREA_PREFIX).order_by("code"))


def generate(n: int, areas: list[Any]) -> list[Any]:
    """N valid, distinct persons; the same list for the same N on every run."""
    from phaodai.people.rules import PersonRow

    rng = random.Random(SEED)
    families = [name for name, weight in FAMILY for _ in range(weight)]
    epoch = date(1930, 1, 1)
    span = (date(2020, 12, 31) - epoch).days
    rows = []
    for i in range(n):
        sex = "M" if rng.random() < 0.49 else "F"
        born = epoch + timedelta(days=rng.randrange(span))
        name = f"{rng.choice(families)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
        if rng.random() < 0.05:
            name = unicodedata.normalize("NFD", name)  # as typed on some phones
        century = (born.year // 100 - 19) * 2 + (sex == "F")
        # The serial (i mod 10^6) and the province (one per million rows) keep every CCCD distinct.
        province = PROVINCES[i // 1_000_000 % len(PROVINCES)]
        cccd = f"{province}{century}{born.year % 100:02d}{i % 1_000_000:06d}"
        phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**7):07d}" if rng.random() < 0.7 else ""
        age = 2021 - born.year
        area = areas[rng.randrange(len(areas))]
        rows.append(
            PersonRow(
                cccd=cccd,
                full_name=name,
                birth_date=born,
                sex=sex,
                phone=phone,
                residence_area_id=area.pk,
                unit_path=area.path,
                chronic_illness=rng.random() < (0.25 if age >= 60 else 0.04),
                disability_immobile=rng.random() < 0.015,
                pregnant=sex == "F" and 18 <= age <= 45 and rng.random() < 0.04,
            )
        )
    return rows


def empty_people() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE people_person CASCADE")
        # A checkpoint now rather than in the middle of a timed run.
        cursor.execute("CHECKPOINT")


def count_people() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_person")
        return int(cursor.fetchone()[0])


def run_project(rows: list[Any], batch_size: int) -> float:
    from phaodai.people.services import bulk_register

    empty_people()
    start = time.perf_counter()
    result = bulk_register(iter(rows), batch_size=batch_size)
    elapsed = time.perf_counter() - start
    if result.inserted != len(rows) or result.rejections:
        sys.exit(f"bulk_register inserted {result.inserted} of {len(rows)}: {result.rejections[:5]}")
    return elapsed


def stored_tuples() -> list[tuple[Any, ...]]:
    """The rows the project path stored, as Python values of the types it wrote them with."""
    from django.db import connection

    from phaodai.people.ingest import COLUMN_TYPES

    connection.ensure_connection()
    raw = connection.connection
    statement = f"COPY people_person ({', '.join(COLUMN_TYPES)}) TO STDOUT (FORMAT BINARY)"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types(list(COLUMN_TYPES.values()))
        return list(copy.rows())


def run_raw_copy(tuples: list[tuple[Any, ...]]) -> float:
    from django.db import connection, transaction

    from phaodai.people.ingest import start_copy

    empty_people()
    raw = connection.connection
    start = time.perf_counter()
    with transaction.atomic(), raw.cursor() as cursor, start_copy(cursor) as copy:
        for values in tuples:
            copy.write_row(values)
    elapsed = time.perf_counter() - start
    if count_people() != len(tuples):
        sys.exit("raw COPY did not store every row")
    return elapsed


def main() -> None:
    args = parse_args()
    ensure_database("people_import")
    setup_django()
    if count_people():
        sys.exit("people_person is not empty: run this bench on a throwaway database")
    areas = make_areas()
    t0 = time.perf_counter()
    rows = generate(args.rows, areas)
    print(f"generated {len(rows):,} persons in {len(areas)} areas of {WARDS} wards "
          f"({time.perf_counter() - t0:.1f} s, not timed)", flush=True)  # fmt: skip

    project = raw_copy = float("inf")
    tuples: list[tuple[Any, ...]] = []
    for run in range(1, args.repeat + 1):
        seconds = run_project(rows, args.batch_size)
        project = min(project, seconds)
        print(f"run {run}: bulk_register {seconds:.2f} s = {len(rows) / seconds:,.0f} rows/s", flush=True)
        if not tuples:
            tuples = stored_tuples()
        seconds = run_raw_copy(tuples)
        raw_copy = min(raw_copy, seconds)
        print(f"run {run}: raw COPY      {seconds:.2f} s = {len(rows) / seconds:,.0f} rows/s", flush=True)
    empty_people()

    value, baseline = len(rows) / project, len(rows) / raw_copy
    print(
        f"BENCH name=people_import value={value:.0f} unit=rows/s baseline={baseline:.0f} "
        f"ratio={value / baseline:.3f} target=ratio>=0.5"
    )


if __name__ == "__main__":
    main()
