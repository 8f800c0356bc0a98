"""Bulk registration: validate, encrypt and stream persons into the registry.

On PostgreSQL each batch is streamed with COPY straight into people_person while the rows are
still being prepared, so Python's work (checks, AES-GCM, HMAC) overlaps the server's. COPY cannot
skip duplicates, so a batch that meets a CCCD already registered is rolled back to its savepoint
and replayed through a temporary staging table with INSERT ... ON CONFLICT DO NOTHING. On SQLite
the batch goes through bulk_create(ignore_conflicts=True).
"""

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from phaodai.core import audit
from phaodai.core.clock import local_date
from phaodai.core.crypto import blind_index, field_cipher
from phaodai.core.identity import InvalidCCCD, InvalidPhone, normalize_phone, validate_cccd
from phaodai.core.text import nfc
from phaodai.people import rules, validation
from phaodai.people.cccd import CCCD_AAD, INDEX_PURPOSE
from phaodai.people.models import Person
from phaodai.people.rules import BulkResult, PersonRow, Rejection
from phaodai.people.validation import PROBLEM_FIELDS, PROBLEM_MESSAGES, Reason
from phaodai.territory import selectors as territory

# people_person's columns as bulk ingest writes them, with their PostgreSQL types for binary COPY.
COLUMN_TYPES = {
    "id": "uuid",
    "created_at": "timestamptz",
    "updated_at": "timestamptz",
    "cccd_ciphertext": "bytea",
    "cccd_index": "varchar",
    "full_name": "varchar",
    "name_key": "varchar",
    "birth_date": "date",
    "sex": "varchar",
    "phone": "varchar",
    "residence_area_id": "int8",
    "household_id": "int8",
    "unit_path": "varchar",
    "chronic_illness": "bool",
    "disability_immobile": "bool",
    "pregnant": "bool",
}
COLUMNS = tuple(COLUMN_TYPES)
INDEX_POSITION = COLUMNS.index("cccd_index")
PATH_POSITION = COLUMNS.index("unit_path")
_COLUMN_LIST = ", ".join(COLUMNS)
# Binary COPY spares the server parsing text (uuid, bytea hex, timestamps): about a quarter faster
# here (docs/benchmarks.md).
COPY_SQL = f"COPY people_person ({_COLUMN_LIST}) FROM STDIN (FORMAT BINARY)"
_STAGING = "people_person_staging"
_INSERT_STAGED = (
    f"INSERT INTO people_person ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM {_STAGING} "  # noqa: S608 - constants
    "ON CONFLICT (cccd_index) DO NOTHING"
)
_SQLITE_IN_CHUNK = 900  # stays under SQLite's smallest bound on query parameters

Prepared = tuple[Any, ...]
Numbered = list[tuple[int, PersonRow]]
Pending = Iterator[tuple[int, PersonRow]]


@contextmanager
def start_copy(cursor: Any, statement: str = COPY_SQL) -> Iterator[Any]:
    """A binary COPY FROM STDIN of people_person's COLUMNS (or the same columns of `statement`)."""
    with cursor.copy(statement) as copy:
        copy.set_types(list(COLUMN_TYPES.values()))
        yield copy


class _Places:
    """The areas and households rows may name, loaded through territory selectors once per ward."""

    def __init__(self) -> None:
        self._areas: dict[str, dict[int, Any]] = {}
        self._households: dict[int, set[int]] = {}

    def area(self, unit_path: str, area_id: int) -> Any:
        if unit_path not in self._areas:
            code = unit_path.strip("/").rpartition("/")[2]
            unit = territory.unit_by_code(code) if code else None
            areas = territory.areas_within(unit) if unit is not None and unit.path == unit_path else []
            self._areas[unit_path] = {a.pk: a for a in areas}
        area = self._areas[unit_path].get(area_id)
        return area if area is not None and area.path == unit_path else None

    def preload(self, rows: list[tuple[int, PersonRow]]) -> None:
        """Read every area and household the rows name, so preparing them runs no query (COPY is busy)."""
        for unit_path, area_id in {(row.unit_path, row.residence_area_id) for _n, row in rows}:
            self.area(unit_path, area_id)
        for _number, row in rows:
            if row.household_id is not None:
                area = self.area(row.unit_path, row.residence_area_id)
                if area is not None:
                    self.has_household(area, row.household_id)

    def has_household(self, area: Any, household_id: int) -> bool:
        if area.pk not in self._households:
            self._households[area.pk] = set(territory.households_of(area).values_list("pk", flat=True))
        return household_id in self._households[area.pk]


@lru_cache(maxsize=1 << 16)
def _name_facts(raw: str) -> tuple[str, str | None, str]:
    """The NFC name, what is wrong with it, and its search key: full names repeat a lot in a city."""
    name = nfc(raw)
    return name, rules.name_problem(name), validation.name_key(name)


class Preparer:
    """Turns PersonRows into insert-ready tuples (in COLUMNS order), collecting rejections."""

    def __init__(self, rejections: list[Rejection]) -> None:
        self.rejections = rejections
        self.places = _Places()
        self.today = local_date(timezone.now())
        self.stamp = timezone.now()
        # Bound methods fetched once: the per-row path is hot (a million rows in seconds).
        self._encrypt = field_cipher().encrypt
        self._index = blind_index()

    def _reject(self, number: int, field: str, reason: str) -> Prepared | None:
        self.rejections.append(Rejection(number, field, reason))
        return None

    def prepare(self, number: int, row: PersonRow) -> Prepared | None:
        """The row's column values, or None after recording why it is rejected."""
        name, problem, key = _name_facts(row.full_name or "")
        if problem:
            return self._reject(number, PROBLEM_FIELDS[problem], PROBLEM_MESSAGES[problem])
        birth_date = row.birth_date
        if not isinstance(birth_date, date) or isinstance(birth_date, datetime):
            return self._reject(number, "birth_date", Reason.BIRTH_DATE_TYPE)
        problem = rules.birth_date_problem(birth_date, self.today) or rules.sex_problem(row.sex, row.pregnant)
        if problem:
            return self._reject(number, PROBLEM_FIELDS[problem], PROBLEM_MESSAGES[problem])
        try:
            cccd = validate_cccd(row.cccd, birth_date=birth_date, sex=row.sex)
        except InvalidCCCD as error:
            return self._reject(number, "cccd", validation.cccd_reason(error))
        phone = row.phone or ""
        if phone:
            try:
                phone = normalize_phone(phone)
            except InvalidPhone as error:
                if error.params.get("problem") != "missing":  # blank or spaces: no phone, which is fine
                    return self._reject(number, "phone", Reason.PHONE)
                phone = ""
        area = self.places.area(row.unit_path, row.residence_area_id)
        if area is None:
            return self._reject(number, "residence_area_id", Reason.AREA_UNKNOWN)
        if row.household_id is not None and not self.places.has_household(area, row.household_id):
            return self._reject(number, "household_id", Reason.HOUSEHOLD_UNKNOWN)
        return (
            uuid.uuid4(),
            self.stamp,
            self.stamp,
            self._encrypt(cccd, CCCD_AAD),
            self._index(cccd, INDEX_PURPOSE),
            name,
            key,
            birth_date,
            row.sex,
            phone,
            row.residence_area_id,
            row.household_id,
            row.unit_path,
            bool(row.chronic_illness),
            bool(row.disability_immobile),
            bool(row.pregnant),
        )


def _batch_path(paths: Iterable[str]) -> str:
    """The deepest unit path containing every row of a batch (for the audit entry's scope)."""
    common: list[str] = []
    for codes in zip(*(path.strip("/").split("/") for path in set(paths)), strict=False):
        if len(set(codes)) != 1:
            break
        common.append(codes[0])
    return f"/{'/'.join(common)}/" if common else ""


def _audit_batch(batch_no: int, first: int, last: int, prepared: list[Prepared], inserted: int) -> None:
    indexes = hashlib.sha256("".join(row[INDEX_POSITION] for row in prepared).encode()).hexdigest()
    audit.record(
        actor=None,
        action="people.bulk_register",
        object_type="people.person",
        object_id=f"batch-{batch_no}",
        unit_path=_batch_path(row[PATH_POSITION] for row in prepared),
        after={"count": inserted, "rows": f"{first}-{last}", "offered": len(prepared), "indexes": indexes},
    )


def _raw_connection() -> Any:
    """The psycopg 3 connection under Django's (same session, same transaction)."""
    connection.ensure_connection()
    return connection.connection


def _copy_direct(raw: Any, batch: Pending, prep: Preparer, out: list[Prepared]) -> int:
    """Prepare and COPY the batch in one stream; raises UniqueViolation if a CCCD is already there."""
    seen: set[str] = set()
    with raw.cursor() as cursor, start_copy(cursor) as copy:
        write = copy.write_row
        for number, row in batch:
            values = prep.prepare(number, row)
            if values is None or values[INDEX_POSITION] in seen:
                continue
            seen.add(values[INDEX_POSITION])
            out.append(values)
            write(values)
    return len(out)


def _copy_staged(raw: Any, prepared: list[Prepared]) -> int:
    """COPY into a temporary table, then insert what is not registered yet."""
    with raw.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} (LIKE people_person INCLUDING DEFAULTS)")
        cursor.execute(f"TRUNCATE {_STAGING}")
        with start_copy(cursor, COPY_SQL.replace("people_person", _STAGING, 1)) as copy:
            for values in prepared:
                copy.write_row(values)
        cursor.execute(_INSERT_STAGED)
        inserted = max(cursor.rowcount, 0)
        cursor.execute(f"TRUNCATE {_STAGING}")
        return inserted


def _postgres_batch(batch: Numbered, prep: Preparer, out: list[Prepared]) -> int:
    from psycopg.errors import UniqueViolation

    # While COPY streams, the connection can run no other query: read the territory first.
    prep.places.preload(batch)
    pending = iter(batch)
    raw = _raw_connection()
    try:
        with transaction.atomic():
            return _copy_direct(raw, pending, prep, out)
    except UniqueViolation:
        # Finish preparing what the failed COPY did not reach, then replay the batch skipping duplicates.
        seen = {values[INDEX_POSITION] for values in out}
        for number, row in pending:
            values = prep.prepare(number, row)
            if values is not None and values[INDEX_POSITION] not in seen:
                seen.add(values[INDEX_POSITION])
                out.append(values)
        return _copy_staged(raw, out)


def _sqlite_batch(batch: Numbered, prep: Preparer, out: list[Prepared]) -> int:
    seen: set[str] = set()
    for number, row in batch:
        values = prep.prepare(number, row)
        if values is not None and values[INDEX_POSITION] not in seen:
            seen.add(values[INDEX_POSITION])
            out.append(values)
    indexes = [values[INDEX_POSITION] for values in out]
    present: set[str] = set()
    for start in range(0, len(indexes), _SQLITE_IN_CHUNK):
        chunk = indexes[start : start + _SQLITE_IN_CHUNK]
        present.update(
            index
            for index in Person.objects.filter(cccd_index__in=chunk).values_list("cccd_index", flat=True)
            if index is not None
        )
    fresh = [
        Person(**dict(zip(COLUMNS, values, strict=True)))
        for values in out
        if values[INDEX_POSITION] not in present
    ]
    Person.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def bulk_register(rows: Iterable[PersonRow], *, batch_size: int = 5000) -> BulkResult:
    """Insert valid rows batch by batch (one transaction and one audit entry each); see the module doc."""
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    result = BulkResult()
    prep = Preparer(result.rejections)
    write_batch = _postgres_batch if connection.vendor == "postgresql" else _sqlite_batch
    numbered = enumerate(rows, start=1)
    batch_no = 0
    while batch := list(islice(numbered, batch_size)):
        rejected_before = len(result.rejections)
        prepared: list[Prepared] = []
        with transaction.atomic():
            inserted = write_batch(batch, prep, prepared)
            if prepared:
                batch_no += 1
                _audit_batch(batch_no, batch[0][0], batch[-1][0], prepared, inserted)
        result.inserted += inserted
        # Valid rows not inserted: already registered, or repeated within the input.
        result.skipped += len(batch) - (len(result.rejections) - rejected_before) - inserted
    return result
