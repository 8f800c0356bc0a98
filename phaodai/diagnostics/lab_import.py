"""Bulk import of a laboratory's results: each row checked, matched to a person, merged by sample code.

A batch (core.bulk.runner) goes through three steps:
1. check each row on its own (sample code, CCCD structure, times, method, outcome, lab) — a bad row
   is reported with its column and reason and never written; CCCDs that Excel mangled (1.23E+11, a
   lost leading zero) are refused, never repaired;
2. read in one query each the persons whose CCCD blind index the batch names, the stored samples of
   its codes, and the open unmatched results of its codes; classify each row in file order
   (rules.classify): new, result for a waiting sample, duplicate, correction, or refused;
3. write: on PostgreSQL the plan is COPYed into a temporary staging table and merged set-wise
   (INSERT ... ON CONFLICT, UPDATE ... FROM); on SQLite through bulk_create and updates.
Persons not found wait in UnmatchedResult (CCCD encrypted, with its blind index) — never dropped.
The same file imported twice changes nothing: every row counts as a duplicate.

That is the Python path: SQLite's, and on PostgreSQL the path of the rows lab_import_sql leaves to
it. On PostgreSQL a batch is checked as it streams into COPY (plain cells by a cached fast path, the
rest by step 1), then matched and merged set-wise; only the rows needing file order or a version
check (codes repeated in the batch, pools, changes to stored results) and new unmatched results come
back to steps 2-3 here.
"""

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.bulk.reader import HeaderSpec, Row
from phaodai.core.bulk.runner import BATCH_SIZE, BatchResult, Rejection
from phaodai.core.clock import Clock, now
from phaodai.core.crypto import blind_index, field_cipher
from phaodai.core.errors import Conflict
from phaodai.core.identity import InvalidCCCD, parse_cccd
from phaodai.core.jurisdiction import paths_of
from phaodai.core.models import ImportJob
from phaodai.core.text import nfc
from phaodai.diagnostics import rules
from phaodai.diagnostics.models import Lab, Outcome, ResultCorrection, Sample, UnmatchedResult
from phaodai.diagnostics.rules import IncomingResult, StoredResult, TimeProblem, Verdict
from phaodai.people import selectors as people
from phaodai.people.cccd import INDEX_PURPOSE

COLUMNS = ("sample_code", "cccd", "full_name", "collected_at", "resulted_at", "method", "result", "lab")
SPEC = HeaderSpec(
    COLUMNS,
    hint="The header row names: sample_code, cccd, full_name, collected_at, resulted_at, method, result, "
    "lab.",
)
# Binds an unmatched result's CCCD ciphertext to its column; the blind index uses the registry's
# purpose, so a person registered later is found by the same index.
UNMATCHED_CCCD_AAD = b"diagnostics.unmatched.cccd"
NAME_MAX = 150
SET_WISE_BATCH_SIZE = 20_000
_IN_CHUNK = 900  # under SQLite's smallest bound on query parameters

# The person a row names by a CCCD the registry does not hold (compares unequal to every person).
UNREGISTERED = object()


def _message(reason: str) -> str:
    messages = {
        "sample_code_missing": _("The sample code is missing."),
        "sample_code_too_long": _("The sample code is longer than 32 characters."),
        "sample_code_format": _(
            "The sample code must be 4 to 32 letters, digits, or - . _ / between them (as on the barcode)."
        ),
        "cccd_number": _(
            "The CCCD was stored as a number, which drops its leading zero; format the column as Text "
            "and enter all 12 digits. It was not repaired."
        ),
        "cccd_scientific": _(
            "The CCCD is in scientific notation (ending in E+11 or the like): Excel lost its digits. "
            "Format the column as Text and enter all 12 digits. It was not repaired."
        ),
        "cccd_leading_zero_lost": _(
            "The CCCD has 11 digits: Excel most likely dropped its leading zero. Format the column as "
            "Text and enter all 12 digits. It was not repaired."
        ),
        "cccd_invalid": _("The CCCD is not a valid 12-digit citizen ID."),
        "full_name_too_long": _("The full name is longer than 150 characters."),
        "collected_at_missing": _("The collection time is missing."),
        "collected_at_format": _("The collection time must read dd/mm/yyyy HH:MM or ISO 8601."),
        "collected_at_out_of_range": _("The collection time is not a plausible date."),
        "resulted_at_missing": _("The result time is missing."),
        "resulted_at_format": _("The result time must read dd/mm/yyyy HH:MM or ISO 8601."),
        "resulted_at_out_of_range": _("The result time is not a plausible date."),
        "result_before_collection": _("The result time is before the sample was collected."),
        "result_in_future": _("The result time is in the future."),
        "method_unknown": _(
            "The method must be one of pcr, pcr_pooled, rapid_antigen (or RT-PCR, PCR gộp, test nhanh)."
        ),
        "result_unknown": _(
            "The result must be one of negative, positive, invalid or âm tính, dương tính, không xác định."
        ),
        "lab_unknown": _("No laboratory has this code."),
        "lab_out_of_scope": _(
            "This laboratory is not one of yours: you may import the results of the laboratories of your "
            "units only."
        ),
        "sample_out_of_scope": _(
            "This sample code belongs to a sample of another laboratory outside your units; its result "
            "was not changed."
        ),
        "pooled_member": _(
            "This sample was tested in a pool: send the pool's result under the pool's code, or the "
            "individual retest under the retest's own sample code."
        ),
        "pool_with_cccd": _("This code is a pool's, which holds several persons: leave the CCCD empty."),
        "stale_result": _("This result is older than the different result already recorded for the sample."),
        "other_person": _("This sample code belongs to a sample of another person."),
    }
    return str(messages[reason])


@dataclass(slots=True)
class LabRow:
    """A row that passed every check needing no database."""

    number: int
    code: str
    cccd: str | None
    cccd_index: str | None
    full_name: str
    collected_at: datetime
    resulted_at: datetime
    method: str
    outcome: str
    lab_id: int
    lab_path: str


@dataclass(slots=True)
class SampleWrite:
    code: str
    person_id: Any
    path: str
    method: str
    collected_at: datetime
    lab_id: int
    outcome: str
    resulted_at: datetime
    version: int = 0  # the version read: the update applies only if the sample is still at it


@dataclass(slots=True)
class CorrectionWrite:
    code: str
    outcome_before: str
    outcome_after: str
    resulted_before: datetime | None
    resulted_after: datetime
    lab_id: int


@dataclass
class Plan:
    """What a batch writes, after classification in file order."""

    new: dict[str, SampleWrite] = field(default_factory=dict)
    updates: dict[str, SampleWrite] = field(default_factory=dict)
    corrections: list[CorrectionWrite] = field(default_factory=list)
    unmatched_new: dict[str, LabRow] = field(default_factory=dict)
    unmatched_updates: dict[str, LabRow] = field(default_factory=dict)
    positives: set[str] = field(default_factory=set)
    # Pool code -> (pool id, outcome, resulted_at, lab id): applied to the members by services.
    pools: dict[str, tuple[int, str, datetime, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredPool:
    pk: int
    outcome: str
    resulted_at: datetime | None
    collected_at: datetime | None
    writable: bool


# Verdicts that refuse a row: the reason and the column it is reported under.
REFUSALS = {
    Verdict.STALE: ("stale_result", "result"),
    Verdict.OTHER_PERSON: ("other_person", "cccd"),
    Verdict.BEFORE_COLLECTION: ("result_before_collection", "resulted_at"),
    Verdict.OUT_OF_SCOPE: ("sample_out_of_scope", "sample_code"),
}


def _refuse(result: BatchResult, row: "LabRow", reason: str, column: str) -> None:
    result.rejections.append(Rejection(row.number, column, reason, _message(reason)))
    result.rejected += 1


@lru_cache(maxsize=1 << 16)
def _time(value: Any) -> datetime | TimeProblem:
    # Result files repeat the same minutes thousands of times.
    return rules.parse_time(value)


@lru_cache(maxsize=1 << 16)
def _name(raw: str) -> str:
    # Full names repeat a lot in a city's results.
    return nfc(raw)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _cccd_reason(raw: Any) -> str:
    """Why a CCCD cell is refused, naming Excel's damage when that is what happened."""
    try:
        parse_cccd(raw)
    except InvalidCCCD as error:
        problem = error.params.get("problem")
        if problem == "number":
            return "cccd_number"
        if problem == "scientific":
            return "cccd_scientific"
        digits = "".join(str(raw).split())
        if problem == "length" and len(digits) == 11 and digits.isdigit():
            return "cccd_leading_zero_lost"
        return "cccd_invalid"
    return "cccd_invalid"


class LabResultImport:
    """The lab results import: the runner's handler (core.bulk.runner.BatchHandler)."""

    spec = SPEC

    def __init__(self, *, clock: Clock = now, set_wise: bool = True) -> None:
        self.clock = clock
        # On PostgreSQL, batches are matched and merged set-wise (lab_import_sql); False keeps every
        # batch on the Python path (the tests compare the two).
        self.set_wise = set_wise
        self.labs = {lab.code.upper(): (lab.pk, lab.path) for lab in Lab.objects.filter(active=True)}
        self.blind_index = blind_index()
        self._encrypt = field_cipher().encrypt
        self.now = clock()
        # The uploader's units, read when a job's batch starts (a revoked role stops the import).
        self.paths: tuple[str, ...] = ()
        # Read here, in the caller's thread: prepare runs in the runner's reading thread.
        self._set_wise_here = connection.vendor == "postgresql"

    @property
    def batch_size(self) -> int:
        """Rows per committed batch to run this import with (core.bulk.runner.run's batch_size).

        Set-wise, a batch costs a few statements however large it is: 20,000 rows spread that cost
        (docs/benchmarks.md), for about 55 MB more memory than the runner's 5,000.
        """
        return SET_WISE_BATCH_SIZE if self.set_wise and connection.vendor == "postgresql" else BATCH_SIZE

    def scope_of(self, job: ImportJob) -> tuple[str, ...]:
        """Where the job may write: the units in which its uploader imports results."""
        if job.uploaded_by is None:
            return (job.unit_path,)
        return paths_of(job.uploaded_by, Perm.IMPORT_RESULTS)

    def covers(self, path: str | None) -> bool:
        """Whether `path` lies in the uploader's units (lab_import_sql says the same in SQL)."""
        return bool(path) and any(path.startswith(prefix) for prefix in self.paths)  # type: ignore[union-attr]

    # 1. Checks needing no database ------------------------------------------------------------------

    def check(self, number: int, cells: dict[str, Any]) -> LabRow | list[Rejection]:
        """The row, checked; or why each of its bad cells is refused."""
        problems: list[tuple[str, str]] = []
        code = _text(cells["sample_code"])
        code_problem = rules.sample_code_problem(code)
        if code_problem:
            problems.append(("sample_code", f"sample_code_{code_problem}"))
        cccd, index = self._cccd(cells["cccd"], problems)
        name = _name(_text(cells["full_name"]))
        if len(name) > NAME_MAX:
            problems.append(("full_name", "full_name_too_long"))
        collected = _time(cells["collected_at"])
        if isinstance(collected, TimeProblem):
            problems.append(("collected_at", f"collected_at_{collected.value}"))
        resulted = _time(cells["resulted_at"])
        if isinstance(resulted, TimeProblem):
            problems.append(("resulted_at", f"resulted_at_{resulted.value}"))
        elif not isinstance(collected, TimeProblem):
            when = rules.result_times_problem(collected, resulted, self.now)
            if when == "before_collection":
                problems.append(("resulted_at", "result_before_collection"))
            elif when == "future":
                problems.append(("resulted_at", "result_in_future"))
        method = rules.method_of(_text(cells["method"]))
        if method is None:
            problems.append(("method", "method_unknown"))
        outcome = rules.outcome_of(_text(cells["result"]))
        if outcome is None:
            problems.append(("result", "result_unknown"))
        lab = self.labs.get(_text(cells["lab"]).upper())
        if lab is None:
            problems.append(("lab", "lab_unknown"))
        elif not self.covers(lab[1]):
            problems.append(("lab", "lab_out_of_scope"))
        if problems:
            return [Rejection(number, column, reason, _message(reason)) for column, reason in problems]
        assert (
            method and outcome and lab and isinstance(collected, datetime) and isinstance(resulted, datetime)
        )
        return LabRow(number, code, cccd, index, name, collected, resulted, method, outcome, lab[0], lab[1])

    def _cccd(self, raw: Any, problems: list[tuple[str, str]]) -> tuple[str | None, str | None]:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None, None  # the sample code alone may identify the person
        if isinstance(raw, str):
            value = raw.strip()
            if len(value) == 12 and value.isdigit():
                try:
                    number = parse_cccd(value).number
                except InvalidCCCD:
                    problems.append(("cccd", "cccd_invalid"))
                    return None, None
                return number, self.blind_index(number, INDEX_PURPOSE)
        problems.append(("cccd", _cccd_reason(raw)))
        return None, None

    # 2. Classification in file order ------------------------------------------------------------------

    def plan(self, rows: Sequence[LabRow], result: BatchResult) -> Plan:
        persons = persons_by_index({row.cccd_index for row in rows if row.cccd_index})
        codes = {row.code for row in rows}
        state = stored_results(codes, self.covers)
        pools = stored_pools(codes, self.covers)
        waiting = open_unmatched(codes)
        plan = Plan()
        for row in rows:
            if row.code in pools:
                self._pool_row(row, pools, plan, result)
                continue
            person = persons.get(row.cccd_index) if row.cccd_index else None
            stored = state.get(row.code)
            if stored is None and person is None:
                self._unmatched(row, waiting, plan, result)
                continue
            # A CCCD the registry does not know is nobody's sample yet: never the stored owner's.
            claimed = person[0] if person else (UNREGISTERED if row.cccd_index else None)
            incoming = IncomingResult(claimed, row.outcome, row.resulted_at)
            verdict = rules.classify(incoming, stored)
            if stored is not None and stored.pooled and verdict is not Verdict.OUT_OF_SCOPE:
                _refuse(result, row, "pooled_member", "sample_code")
                continue
            if verdict in REFUSALS:
                _refuse(result, row, *REFUSALS[verdict])
                continue
            if verdict is Verdict.DUPLICATE:
                result.duplicates += 1
                continue
            if verdict is Verdict.NEW:
                assert person is not None
                plan.new[row.code] = SampleWrite(
                    row.code, person[0], person[1], row.method, row.collected_at, row.lab_id, row.outcome,
                    row.resulted_at,
                )  # fmt: skip
                state[row.code] = StoredResult(person[0], row.outcome, row.resulted_at, row.collected_at)
                result.accepted += 1
            else:
                assert stored is not None
                if verdict is Verdict.CORRECTED:
                    plan.corrections.append(
                        CorrectionWrite(
                            row.code,
                            stored.outcome,
                            row.outcome,
                            stored.resulted_at,
                            row.resulted_at,
                            row.lab_id,
                        )
                    )
                    result.corrected += 1
                else:
                    result.accepted += 1
                self._set_result(plan, row, stored.version)
                state[row.code] = StoredResult(
                    stored.person_id, row.outcome, row.resulted_at, stored.collected_at,
                    version=stored.version,
                )  # fmt: skip
            if row.outcome == Outcome.POSITIVE:
                plan.positives.add(row.code)
            else:
                plan.positives.discard(row.code)
        return plan

    @staticmethod
    def _set_result(plan: Plan, row: LabRow, version: int) -> None:
        target = plan.new.get(row.code)
        if target is not None:  # created earlier in this batch: insert the final result
            target.outcome, target.resulted_at, target.lab_id = row.outcome, row.resulted_at, row.lab_id
            return
        plan.updates[row.code] = SampleWrite(
            row.code, None, "", row.method, row.collected_at, row.lab_id, row.outcome, row.resulted_at,
            version,
        )  # fmt: skip

    @staticmethod
    def _pool_row(row: LabRow, pools: dict[str, "StoredPool"], plan: Plan, result: BatchResult) -> None:
        """A pool's result, applied to its members after the batch's writes (services)."""
        pool = pools[row.code]
        if row.cccd is not None:
            _refuse(result, row, "pool_with_cccd", "cccd")
            return
        stored = StoredResult(None, pool.outcome, pool.resulted_at, pool.collected_at, pool.writable)
        verdict = rules.classify(IncomingResult(None, row.outcome, row.resulted_at), stored)
        if verdict in REFUSALS:
            _refuse(result, row, *REFUSALS[verdict])
            return
        if verdict is Verdict.DUPLICATE:
            result.duplicates += 1
            return
        if verdict is Verdict.CORRECTED:
            result.corrected += 1
        else:
            result.accepted += 1
        plan.pools[row.code] = (pool.pk, row.outcome, row.resulted_at, row.lab_id)
        pools[row.code] = StoredPool(pool.pk, row.outcome, row.resulted_at, pool.collected_at, pool.writable)

    def _unmatched(
        self, row: LabRow, waiting: dict[str, tuple[str, str]], plan: Plan, result: BatchResult
    ) -> None:
        outcome_before, path = waiting.get(row.code, (None, ""))
        if outcome_before is not None and not self.covers(path):
            # Another laboratory's result waits under this code: never overwritten from outside.
            _refuse(result, row, "sample_out_of_scope", "sample_code")
            return
        before = outcome_before
        if before == row.outcome:
            result.duplicates += 1
            return
        if before is None or row.code in plan.unmatched_new:
            plan.unmatched_new[row.code] = row
        else:
            plan.unmatched_updates[row.code] = row
        waiting[row.code] = (row.outcome, row.lab_path)
        result.unmatched += 1

    # 3. Writing --------------------------------------------------------------------------------------

    def prepare(self, rows: list[Row]) -> list[Row]:
        """The set-wise path's row checks, done while the runner writes the previous batch (they read
        neither the database nor the job); the Python path checks in write_batch."""
        if not (self.set_wise and self._set_wise_here):
            return rows
        from phaodai.diagnostics import lab_import_sql

        return lab_import_sql.checked(self, rows)

    def write_batch(self, job: ImportJob, rows: Sequence[Row]) -> BatchResult:
        self.paths = self.scope_of(job)
        if self.set_wise and connection.vendor == "postgresql":
            from phaodai.diagnostics import lab_import_sql

            return lab_import_sql.write_batch(self, job, rows)
        result = BatchResult()
        checked: list[LabRow] = []
        for number, cells in rows:
            row = self.check(number, cells)
            if isinstance(row, list):
                result.rejections.extend(row)
                result.rejected += 1
            else:
                checked.append(row)
        plan = self.plan(checked, result)
        result.payload = write_plan(self, job, plan)
        return result

    def encrypted_cccd(self, row: LabRow) -> bytes | None:
        return self._encrypt(row.cccd, UNMATCHED_CCCD_AAD) if row.cccd else None

    def after_commit(self, job: ImportJob, result: BatchResult) -> None:
        if result.payload:
            announce(list(result.payload), clock=self.clock)

    def on_resume(self, job: ImportJob) -> None:
        # A run killed between a batch's commit and its announcement left positives untold;
        # announce_positives tells each sample once, so offering the job's positives again is safe.
        positives = Sample.objects.filter(import_job=job, outcome=Outcome.POSITIVE).values_list(
            "pk", flat=True
        )
        ids = list(positives.iterator(chunk_size=5000))
        for start in range(0, len(ids), 5000):
            announce(ids[start : start + 5000], clock=self.clock)


def write_plan(handler: LabResultImport, job: ImportJob, plan: Plan) -> list[int]:
    """Write a batch's plan (both paths); the ids of the positive samples it wrote."""
    writes = (plan.new, plan.updates, plan.corrections, plan.unmatched_new, plan.unmatched_updates)
    ids: list[int] = []
    if any(writes):
        writer = _postgres_write if connection.vendor == "postgresql" else _orm_write
        ids = writer(handler, job, plan)
    _apply_pools(job, plan, handler.clock)
    _audit_corrections(job, plan, handler.clock)
    return ids


def announce(sample_ids: Sequence[int], *, clock: Clock) -> None:
    """Positives open cases for confirmation and notify the wards (diagnostics.services)."""
    from phaodai.diagnostics.services import announce_positives

    announce_positives(sample_ids, clock=clock)


# Reads ------------------------------------------------------------------------------------------------


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = list(values)
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


def _rows_where_any(table: str, columns: str, key: str, values: Iterable[str], extra: str = "") -> list[Any]:
    """Rows of `table` whose `key` is one of `values`: one `= ANY(array)` query on PostgreSQL, chunked
    IN lists on SQLite. Table and column names are this module's constants, never input."""
    items = list(values)
    if not items:
        return []
    found: list[Any] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {key} = ANY(%s){extra}", [items])  # noqa: S608
            return list(cursor.fetchall())
        for chunk in _chunks(items):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {key} IN ({marks}){extra}", chunk)  # noqa: S608
            found.extend(cursor.fetchall())
    return found


def persons_by_index(indexes: set[str]) -> dict[str, tuple[Any, str]]:
    """(person id, residence unit path) by CCCD blind index, for the indexes registered."""
    return people.residents_by_cccd_index(indexes)


_SAMPLES_WITH_LAB = "diagnostics_sample s LEFT JOIN diagnostics_lab l ON l.id = s.lab_id"
_POOLS_WITH_LAB = "diagnostics_pool p LEFT JOIN diagnostics_lab l ON l.id = p.lab_id"
_SAMPLE_COLUMNS = (
    "s.code, s.person_id, s.outcome, s.resulted_at, s.collected_at, s.version, s.pool_id, s.path, l.path"
)


def stored_results(codes: set[str], covered: Callable[[str | None], bool]) -> dict[str, StoredResult]:
    """What is stored for each sample code that exists, and whether `covered` lets the import change it
    (the sample's lab, or the sample's residence ward, lies in the uploader's units)."""
    stored: dict[str, StoredResult] = {}
    convert = _datetime_converter()
    for code, person_id, outcome, resulted, collected, version, pool_id, path, lab_path in _rows_where_any(
        _SAMPLES_WITH_LAB, _SAMPLE_COLUMNS, "s.code", codes
    ):
        if connection.vendor != "postgresql":
            person_id = uuid.UUID(str(person_id))
        stored[code] = StoredResult(
            person_id, outcome, convert(resulted), convert(collected),
            writable=covered(lab_path) or covered(path), version=version, pooled=pool_id is not None,
        )  # fmt: skip
    return stored


def stored_pools(codes: set[str], covered: Callable[[str | None], bool]) -> dict[str, StoredPool]:
    """The pools whose code the batch names (their members' latest collection counts as collected)."""
    convert = _datetime_converter()
    columns = (
        "p.code, p.id, p.outcome, p.resulted_at, p.path, l.path, "
        "(SELECT MAX(m.collected_at) FROM diagnostics_sample m WHERE m.pool_id = p.id)"
    )
    return {
        code: StoredPool(pk, outcome, convert(resulted), convert(latest), covered(lab_path) or covered(path))
        for code, pk, outcome, resulted, path, lab_path, latest in _rows_where_any(
            _POOLS_WITH_LAB, columns, "p.code", codes
        )
    }


def _datetime_converter() -> Any:
    if connection.vendor == "postgresql":
        return lambda value: value

    def convert(value: Any) -> datetime | None:
        # SQLite returns the stored UTC text; Django reads it the same way.
        if value is None:
            return None
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    return convert


def open_unmatched(codes: set[str]) -> dict[str, tuple[str, str]]:
    """The outcome and the laboratory's path of each open unmatched result, by sample code."""
    rows = _rows_where_any(
        UnmatchedResult._meta.db_table, "sample_code, outcome, path", "sample_code", codes,
        " AND status = 'open'",
    )  # fmt: skip
    return {code: (outcome, path) for code, outcome, path in rows}


def _positive_ids(codes: set[str]) -> list[int]:
    ids: list[int] = []
    for chunk in _chunks(codes):
        ids.extend(Sample.objects.filter(code__in=chunk).values_list("pk", flat=True))
    return ids


# Writes through the ORM (SQLite) ----------------------------------------------------------------------


def _orm_write(handler: LabResultImport, job: ImportJob, plan: Plan) -> list[int]:
    stamp = handler.clock()
    Sample.objects.bulk_create(
        [
            Sample(
                code=w.code, person_id=w.person_id, path=w.path, method=w.method, collected_at=w.collected_at,
                lab_id=w.lab_id, outcome=w.outcome, resulted_at=w.resulted_at, import_job=job,
                created_at=stamp, updated_at=stamp,
            )
            for w in plan.new.values()
        ],
        batch_size=500,
    )  # fmt: skip
    for w in plan.updates.values():
        changed = Sample.objects.filter(code=w.code, version=w.version).update(
            outcome=w.outcome, resulted_at=w.resulted_at, lab_id=w.lab_id, import_job=job,
            version=F("version") + 1, updated_at=stamp,
        )  # fmt: skip
        if not changed:
            raise _changed_meanwhile()
    if plan.corrections:
        ids = dict(
            Sample.objects.filter(code__in=[c.code for c in plan.corrections]).values_list("code", "pk")
        )
        ResultCorrection.objects.bulk_create(
            [
                ResultCorrection(
                    sample_id=ids[c.code], outcome_before=c.outcome_before, outcome_after=c.outcome_after,
                    resulted_at_before=c.resulted_before, resulted_at_after=c.resulted_after, lab_id=c.lab_id,
                    import_job=job, corrected_by_id=job.uploaded_by_id, corrected_at=stamp,
                )
                for c in plan.corrections
            ]
        )  # fmt: skip
    UnmatchedResult.objects.bulk_create(
        [_unmatched_of(handler, job, row, stamp) for row in plan.unmatched_new.values()], batch_size=500
    )
    for row in plan.unmatched_updates.values():
        UnmatchedResult.objects.filter(sample_code=row.code, status=UnmatchedResult.Status.OPEN).update(
            outcome=row.outcome, resulted_at=row.resulted_at, updated_at=stamp
        )
    return _positive_ids(plan.positives)


def _unmatched_of(handler: LabResultImport, job: ImportJob, row: LabRow, stamp: datetime) -> UnmatchedResult:
    return UnmatchedResult(
        import_job=job, row_number=row.number, sample_code=row.code,
        cccd_ciphertext=handler.encrypted_cccd(row), cccd_index=row.cccd_index or "",
        full_name=row.full_name, method=row.method, collected_at=row.collected_at,
        outcome=row.outcome, resulted_at=row.resulted_at, lab_id=row.lab_id, path=row.lab_path,
        created_at=stamp, updated_at=stamp,
    )  # fmt: skip


# Writes on PostgreSQL: COPY into a staging table, merge set-wise -------------------------------------

_STAGING = "diagnostics_lab_staging"
# op: n = new sample, u = a sample's result set, c = a correction (with its u), m = new unmatched,
# w = an open unmatched result updated.
STAGING_TYPES = {
    "op": "text",
    "code": "text",
    "person_id": "uuid",
    "path": "text",
    "method": "text",
    "collected_at": "timestamptz",
    "lab_id": "int8",
    "outcome": "text",
    "resulted_at": "timestamptz",
    "outcome_before": "text",
    "resulted_before": "timestamptz",
    "row_number": "int4",
    "full_name": "text",
    "cccd_ciphertext": "bytea",
    "cccd_index": "text",
    "version": "int4",
}
_STAGING_COLUMNS = ", ".join(STAGING_TYPES)
_CREATE_STAGING = (
    f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} ("
    + ", ".join(f"{name} {kind}" for name, kind in STAGING_TYPES.items())
    + ") ON COMMIT DELETE ROWS"
)
_MERGE = [
    # New samples. A sample created meanwhile by another writer makes the count fall short (checked).
    f"""INSERT INTO diagnostics_sample (created_at, updated_at, code, person_id, method, collected_at, place,
        team, lab_id, outcome, resulted_at, path, import_job_id, version)
      SELECT %(now)s, %(now)s, code, person_id, method, collected_at, '', '', lab_id, outcome, resulted_at,
        path, %(job)s, 1 FROM {_STAGING} WHERE op = 'n'
      ON CONFLICT (code) DO NOTHING""",  # noqa: S608 - constants
    f"""UPDATE diagnostics_sample s SET outcome = st.outcome, resulted_at = st.resulted_at,
        lab_id = st.lab_id, import_job_id = %(job)s, version = s.version + 1, updated_at = %(now)s
      FROM {_STAGING} st WHERE st.op = 'u' AND s.code = st.code AND s.version = st.version""",  # noqa: S608
    f"""INSERT INTO diagnostics_resultcorrection (sample_id, outcome_before, outcome_after,
        resulted_at_before, resulted_at_after, lab_id, import_job_id, corrected_by_id, corrected_at)
      SELECT s.id, st.outcome_before, st.outcome, st.resulted_before, st.resulted_at, st.lab_id, %(job)s,
        %(user)s, %(now)s
      FROM {_STAGING} st JOIN diagnostics_sample s ON s.code = st.code WHERE st.op = 'c'""",  # noqa: S608
    f"""INSERT INTO diagnostics_unmatchedresult (created_at, updated_at, import_job_id, row_number,
        sample_code, cccd_ciphertext, cccd_index, full_name, method, collected_at, outcome, resulted_at,
        lab_id, path, status)
      SELECT %(now)s, %(now)s, %(job)s, row_number, code, cccd_ciphertext, cccd_index, full_name, method,
        collected_at, outcome, resulted_at, lab_id, path, 'open' FROM {_STAGING} WHERE op = 'm'
      ON CONFLICT (sample_code) WHERE status = 'open' DO NOTHING""",  # noqa: S608
    f"""UPDATE diagnostics_unmatchedresult u SET outcome = st.outcome, resulted_at = st.resulted_at,
        updated_at = %(now)s
      FROM {_STAGING} st WHERE st.op = 'w' AND u.sample_code = st.code AND u.status = 'open'""",  # noqa: S608
]
# The statements joining the staging table to a large table on its key (see _postgres_write).
_JOINING = {1, 2, 4}
_POSITIVE_IDS = "SELECT id FROM diagnostics_sample WHERE code = ANY(%s)"


def _staged(handler: LabResultImport, plan: Plan) -> Iterable[tuple[Any, ...]]:
    for w in plan.new.values():
        yield ("n", w.code, w.person_id, w.path, w.method, w.collected_at, w.lab_id, w.outcome, w.resulted_at,
               None, None, None, None, None, None, None)  # fmt: skip
    for w in plan.updates.values():
        yield ("u", w.code, None, None, w.method, w.collected_at, w.lab_id, w.outcome, w.resulted_at,
               None, None, None, None, None, None, w.version)  # fmt: skip
    for c in plan.corrections:
        yield ("c", c.code, None, None, None, None, c.lab_id, c.outcome_after, c.resulted_after,
               c.outcome_before, c.resulted_before, None, None, None, None, None)  # fmt: skip
    for op, rows in (("m", plan.unmatched_new), ("w", plan.unmatched_updates)):
        for row in rows.values():
            yield (op, row.code, None, row.lab_path, row.method, row.collected_at, row.lab_id, row.outcome,
                   row.resulted_at, None, None, row.number, row.full_name, handler.encrypted_cccd(row),
                   row.cccd_index or "", None)  # fmt: skip


def _postgres_write(handler: LabResultImport, job: ImportJob, plan: Plan) -> list[int]:
    connection.ensure_connection()
    raw = connection.connection
    params = {"now": handler.clock(), "job": job.pk, "user": job.uploaded_by_id}
    with raw.cursor() as cursor:
        cursor.execute(_CREATE_STAGING)
        with cursor.copy(f"COPY {_STAGING} ({_STAGING_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(list(STAGING_TYPES.values()))
            for values in _staged(handler, plan):
                copy.write_row(values)
        # Joins to the staging table must reach samples through their code index. Statistics lag
        # behind a large import (an import into an empty table still reads as empty), and the planner
        # would then loop over the samples scanning the staging table for each: minutes per batch.
        cursor.execute(f"ANALYZE {_STAGING}")
        # Only the statements this batch needs; the joins (updates, corrections) with seq scans off.
        needed = (plan.new, plan.updates, plan.corrections, plan.unmatched_new, plan.unmatched_updates)
        for number, (statement, rows) in enumerate(zip(_MERGE, needed, strict=True)):
            if not rows:
                continue
            joins = number in _JOINING
            if joins:
                cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(statement, params)
            if number == 0 and cursor.rowcount != len(plan.new):
                raise Conflict(_("Samples of this file were being written by another import; run it again."))
            if number == 1 and cursor.rowcount != len(plan.updates):
                raise _changed_meanwhile()
            if joins:
                cursor.execute("SET LOCAL enable_seqscan = on")
        ids: list[int] = []
        if plan.positives:
            cursor.execute(_POSITIVE_IDS, [sorted(plan.positives)])
            ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"TRUNCATE {_STAGING}")
    return ids


def _changed_meanwhile() -> Conflict:
    # The batch rolls back whole; its run resumes from the last committed batch and reads again.
    return Conflict(
        _("A result of this file was entered by hand meanwhile; run the import again to resume from here.")
    )


def _apply_pools(job: ImportJob, plan: Plan, clock: Clock) -> None:
    """Pools' results reach their members through the same service as a pool entered by hand."""
    from phaodai.diagnostics.services import apply_imported_pool_result

    for pool_id, outcome, resulted_at, lab_id in plan.pools.values():
        apply_imported_pool_result(
            job=job, pool_id=pool_id, outcome=outcome, resulted_at=resulted_at, lab_id=lab_id, clock=clock
        )


def _audit_corrections(job: ImportJob, plan: Plan, clock: Clock) -> None:
    """Each corrected result has its own audit entry (the batch's entry only counts them)."""
    if not plan.corrections:
        return
    codes = {c.code for c in plan.corrections}
    samples = {code: (pk, path) for code, pk, path in _rows_where_any(
        "diagnostics_sample", "code, id, path", "code", codes
    )}  # fmt: skip
    for c in plan.corrections:
        pk, path = samples[c.code]
        audit.record(
            actor=job.uploaded_by,
            action="diagnostics.sample.corrected",
            object_type="diagnostics.sample",
            object_id=pk,
            unit_path=path,
            before={"outcome": c.outcome_before},
            after={"outcome": c.outcome_after, "import_job": job.pk},
            clock=clock,
        )
