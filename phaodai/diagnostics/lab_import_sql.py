"""The lab results import on PostgreSQL: rows checked and COPY-encoded ahead, COPYed into a temporary
table, then matched and merged set-wise.

Per batch:
1. Before the batch's transaction, in the runner's reading thread while the previous batch is written
   (LabResultImport.prepare, `checked`): plain cells take a fast path with the Python path's own
   functions, cached (times: rules.parse_time; words: rules.method_of / outcome_of; laboratories; a
   well-formed code; a 12-digit CCCD and its blind index), and each good row is encoded in binary COPY
   format. None of it reads the database or the job. Then, in the batch's transaction, the encoded
   rows are COPYed into a temporary table (one write, no Python work left there): a row whose
   laboratory lies outside the uploader's units (read per batch), or with any other cell, goes through
   LabResultImport.check whole, so every verdict is the Python path's. Bad rows are reported as on the
   Python path and never COPYed.
2. One statement routes each good row and inserts the new samples:
   - n: a new sample (the person registered, the code unknown and once in the batch): inserted;
   - d: a duplicate (the same outcome as the stored sample or open unmatched result): nothing written;
   - m: a new unmatched result (no person, no sample, no open entry);
   - p: everything needing file order or a version check — codes repeated in the batch, pools, results
     for stored samples (waiting, corrections, refusals), open unmatched results that change.
   Persons, samples, pools and unmatched results are each probed by their unique index per row.
3. The m and p rows (about 1 % of a lab's file) go through LabResultImport.plan and the COPY-and-merge
   writer of the Python path: the unmatched queue's CCCD is encrypted there.

PostgreSQL evaluates each cell check no faster than Python here (a regular expression, translate()
or a timestamp built from substrings costs several microseconds a cell), while Python's checks are
cached and run while the server works on the previous batch; see docs/decisions/0021.
"""

import struct
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import psycopg
from django.db import connection
from django.utils.translation import gettext as _

from phaodai.core.bulk.reader import Row
from phaodai.core.bulk.runner import BatchResult
from phaodai.core.clock import local_date, now
from phaodai.core.errors import Conflict
from phaodai.core.identity import PROVINCE_CODES
from phaodai.core.models import ImportJob
from phaodai.diagnostics import lab_import, rules
from phaodai.diagnostics.rules import TimeProblem
from phaodai.people.cccd import INDEX_PURPOSE

if TYPE_CHECKING:
    from phaodai.diagnostics.lab_import import LabResultImport, LabRow

STAGED = "diagnostics_lab_checked"
# A checked row as COPYed: its number and what LabRow holds but the name (kept in Python: only the
# m and p rows need it).
STAGED_TYPES = {
    "n": "int4",
    "code": "text",
    "cccd": "text",
    "idx": "text",
    "collected": "timestamptz",
    "resulted": "timestamptz",
    "method": "text",
    "outcome": "text",
    "lab_id": "int8",
    "lab_path": "text",
}
Staged = tuple[int, str, str | None, str | None, datetime, datetime, str, str, int, str]
# NFC expands a string at most threefold: a name this short cannot exceed lab_import.NAME_MAX.
NAME_PLAIN_MAX = 50

# PostgreSQL's binary COPY format: the file header and trailer, a row's field count, a NULL field.
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_TRAILER = b"\xff\xff"
_NULL = b"\xff\xff\xff\xff"
_HEAD = struct.Struct("!hii")  # field count, then the row number's length and value (int4)
_INT8 = struct.Struct("!iq")  # length 8, then the value (int8; timestamptz in microseconds)
_LENGTH = struct.Struct("!i")
_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

_CREATE = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGED} ("
    + ", ".join(f"{name} {kind}" for name, kind in STAGED_TYPES.items())
    + ") ON COMMIT DELETE ROWS"
)
_COPY = f"COPY {STAGED} ({', '.join(STAGED_TYPES)}) FROM STDIN (FORMAT BINARY)"


def _covered(path: str) -> str:
    """SQL: `path` lies in the uploader's units (LabResultImport.covers)."""
    return (
        f"({path} <> '' AND EXISTS (SELECT 1 FROM unnest(%(paths)s::text[]) AS unit (prefix) "  # noqa: S608
        f"WHERE starts_with({path}, unit.prefix)))"
    )


# A stored sample the row repeats exactly (rules.classify: DUPLICATE; not a pool member): nothing to
# write. Any other row naming a stored sample goes to Python (results, corrections, refusals).
_SAME_AS_STORED = f"""({_covered("s.lab_path")} IS TRUE OR {_covered("s.path")} IS TRUE)
  AND s.pool_id IS NULL AND (g.idx IS NULL OR p.id = s.person_id)
  AND (s.collected_at IS NULL OR g.resulted >= s.collected_at)
  AND s.outcome <> 'pending' AND s.resulted_at IS NOT NULL AND g.outcome = s.outcome"""
_ROUTE = f"""
WITH routed AS (
  SELECT g.n, g.code, g.method, g.collected, g.lab_id, g.outcome, g.resulted, p.id AS person_id,
    p.unit_path AS person_path,
    CASE
      WHEN EXISTS (SELECT 1 FROM unnest(%(repeated)s::text[]) AS repeated (code) WHERE repeated.code = g.code)
        OR EXISTS (SELECT 1 FROM diagnostics_pool pool WHERE pool.code = g.code) THEN 'p'
      WHEN s.code IS NOT NULL THEN CASE WHEN {_SAME_AS_STORED} THEN 'd' ELSE 'p' END
      WHEN p.id IS NOT NULL THEN 'n'
      WHEN u.outcome IS NULL THEN 'm'
      WHEN {_covered("u.path")} AND u.outcome = g.outcome THEN 'd'
      ELSE 'p'
    END AS route
  FROM {STAGED} g
  -- OFFSET 0 keeps each lookup a probe of its unique index, whatever the (lagging) statistics say.
  LEFT JOIN LATERAL (SELECT id, unit_path FROM people_person WHERE cccd_index = g.idx OFFSET 0) p ON true
  LEFT JOIN LATERAL (SELECT s.code, s.person_id, s.outcome, s.resulted_at, s.collected_at, s.pool_id,
      s.path, l.path AS lab_path
    FROM diagnostics_sample s LEFT JOIN diagnostics_lab l ON l.id = s.lab_id WHERE s.code = g.code
    OFFSET 0) s ON true
  LEFT JOIN LATERAL (SELECT outcome, path FROM diagnostics_unmatchedresult
    WHERE sample_code = g.code AND status = 'open' OFFSET 0) u ON true
), new AS (
  INSERT INTO diagnostics_sample (created_at, updated_at, code, person_id, method, collected_at, place,
    team, lab_id, outcome, resulted_at, path, import_job_id, version)
  SELECT %(now)s::timestamptz, %(now)s::timestamptz, code, person_id, method, collected, '', '', lab_id,
    outcome, resulted, person_path, %(job)s::int8, 1
  FROM routed WHERE route = 'n'
  ON CONFLICT (code) DO NOTHING
  RETURNING id, outcome
)
SELECT (SELECT count(*) FROM new),
  (SELECT coalesce(array_agg(id ORDER BY id), '{{}}') FROM new WHERE outcome = 'positive'),
  count(*) FILTER (WHERE route = 'n'), count(*) FILTER (WHERE route = 'd'),
  coalesce(array_agg(n ORDER BY n) FILTER (WHERE route = 'm'), '{{}}'),
  coalesce(array_agg(n ORDER BY n) FILTER (WHERE route = 'p'), '{{}}')
FROM routed"""  # noqa: S608


_UNSEEN = object()


class CheckedRows(list[Row]):
    """A batch with its rows' fast checks done ahead: per row, the staged tuple (see FastChecks) and its
    binary COPY encoding, or None."""

    def __init__(self, rows: Sequence[Row], staged: list["Staged | None"]) -> None:
        super().__init__(rows)
        self.staged = staged
        self.encoded = [None if values is None else encode(values) for values in staged]


def checked(handler: "LabResultImport", rows: Sequence[Row]) -> CheckedRows:
    """The batch's fast checks and COPY encoding: no database, no job (the runner's reading thread runs
    them, so that the writer's COPY is only sending bytes)."""
    checks = FastChecks(handler)
    return CheckedRows(rows, [checks.plain(number, cells) for number, cells in rows])


def _text(value: str | None) -> bytes:
    if value is None:
        return _NULL
    data = value.encode()
    return _LENGTH.pack(len(data)) + data


def encode(staged: "Staged") -> bytes:
    """A staged row in PostgreSQL's binary COPY format (the columns and types of STAGED_TYPES)."""
    number, code, cccd, index, collected, resulted, method, outcome, lab_id, lab_path = staged
    return b"".join((
        _HEAD.pack(len(STAGED_TYPES), 4, number), _text(code), _text(cccd), _text(index),
        _INT8.pack(8, (collected - _PG_EPOCH) // _MICROSECOND),
        _INT8.pack(8, (resulted - _PG_EPOCH) // _MICROSECOND),
        _text(method), _text(outcome), _INT8.pack(8, lab_id), _text(lab_path),
    ))  # fmt: skip


class FastChecks:
    """The checks of LabResultImport.check for plain cells, with the Python path's own functions.

    `row` gives the staged tuple of a row whose every cell is plain and good, else None: the row is
    then checked by LabResultImport.check (odd cells, and every bad row, whose reasons it reports).
    `plain` is `row` but for the laboratory's scope: it finds the laboratory by its code only, as the
    uploader's units are read per batch, in its transaction (SetWiseBatch checks them). Words and
    laboratories are looked up once per distinct cell; times through lab_import's cache.
    """

    def __init__(self, handler: "LabResultImport") -> None:
        self.handler = handler
        self.year = local_date(now()).year  # identity.parse_cccd's bound on the birth year
        self.latest = handler.now + rules.FUTURE_SLACK  # rules.result_times_problem's "future"
        self.index: Callable[[str, str], str] = handler.blind_index
        self.code = rules.SAMPLE_CODE.fullmatch
        self.time = lab_import._time
        self.words: dict[tuple[str, Any], Any] = {}

    def row(self, number: int, cells: dict[str, Any]) -> Staged | None:
        staged = self.plain(number, cells)
        return staged if staged is not None and self.handler.covers(staged[9]) else None

    def plain(self, number: int, cells: dict[str, Any]) -> Staged | None:
        code = cells["sample_code"]
        # Stripping cannot change a code that matches: it starts and ends with a letter or digit.
        if type(code) is not str or not self.code(code):
            return None
        name = cells["full_name"]
        if name is not None and (type(name) is not str or len(name) > NAME_PLAIN_MAX):
            return None
        collected, resulted = self.time(cells["collected_at"]), self.time(cells["resulted_at"])
        if isinstance(collected, TimeProblem) or isinstance(resulted, TimeProblem):
            return None
        if resulted < collected or resulted > self.latest:
            return None
        words = self.words
        method = words.get(("method", cells["method"]), _UNSEEN)
        if method is _UNSEEN:
            method = self._word("method", cells["method"])
        outcome = words.get(("result", cells["result"]), _UNSEEN)
        if outcome is _UNSEEN:
            outcome = self._word("result", cells["result"])
        lab = words.get(("lab", cells["lab"]), _UNSEEN)
        if lab is _UNSEEN:
            lab = self._word("lab", cells["lab"])
        if method is None or outcome is None or lab is None:
            return None
        cccd = cells["cccd"]
        if cccd is None or cccd == "":
            return (number, code, None, None, collected, resulted, method, outcome, lab[0], lab[1])
        if type(cccd) is not str or not self.plain_cccd(cccd):
            return None
        return (number, code, cccd, self.index(cccd, INDEX_PURPOSE), collected, resulted, method, outcome,
                lab[0], lab[1])  # fmt: skip

    def plain_cccd(self, value: str) -> bool:
        """identity.parse_cccd's verdict on 12 ASCII digits: a province code, a birth year not ahead."""
        if len(value) != 12 or not value.isascii() or not value.isdigit():
            return False
        born = 1900 + 100 * (int(value[3]) // 2) + int(value[4:6])
        return value[:3] in PROVINCE_CODES and born <= self.year

    def _word(self, column: str, cell: Any) -> Any:
        text = lab_import._text(cell)
        if column == "method":
            value: Any = rules.method_of(text)
        elif column == "result":
            value = rules.outcome_of(text)
        else:
            value = self.handler.labs.get(text.upper())
        self.words[(column, cell)] = value
        return value


def write_batch(handler: "LabResultImport", job: ImportJob, rows: Sequence[Row]) -> BatchResult:
    """Check, match and merge a batch (see the module doc)."""
    return SetWiseBatch(handler, job, rows).run()


class SetWiseBatch:
    def __init__(self, handler: "LabResultImport", job: ImportJob, rows: Sequence[Row]) -> None:
        self.handler, self.job = handler, job
        self.rows = rows if isinstance(rows, CheckedRows) else checked(handler, rows)
        self.result = BatchResult()
        self.checked: dict[int, LabRow] = {}  # rows LabResultImport.check passed: their LabRow is reused
        self.staged: dict[int, Staged] = {}  # rows of the fast path, by number
        self.repeated: set[str] = set()  # codes named twice or more in the batch
        self.covered: dict[str, bool] = {}  # laboratory path -> in the uploader's units (this batch)

    def run(self) -> BatchResult:
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(_CREATE)
            # The route statement's estimates (a probe per row into large tables) pass jit_above_cost:
            # compiling it took longer than running it.
            cursor.execute("SET LOCAL jit = off")
            # Emptied at each commit, but a test's batches (savepoints) and a failed attempt leave rows.
            cursor.execute(f"TRUNCATE {STAGED}")
            self._stage(cursor)
            params = {"repeated": sorted(self.repeated), "paths": list(self.handler.paths),
                      "now": self.handler.clock(), "job": self.job.pk}  # fmt: skip
            cursor.execute(_ROUTE, params)
            summary = cursor.fetchone()
        assert summary is not None
        inserted, positives, new, duplicates, unmatched, to_python = summary
        if inserted != new:
            raise Conflict(_("Samples of this file were being written by another import; run it again."))
        self.result.accepted += new
        self.result.duplicates += duplicates
        self.result.payload = list(positives)
        if unmatched or to_python:
            self._finish_in_python(unmatched, to_python)
        return self.result

    def _stage(self, cursor: Any) -> None:
        """COPY the good rows (encoded ahead); bad rows are rejected as on the Python path."""
        codes: set[str] = set()
        covered = self.covered
        parts = [_SIGNATURE]
        rows = self.rows
        for (number, cells), staged, encoded in zip(rows, rows.staged, rows.encoded, strict=True):
            if staged is not None:
                lab_path = staged[9]
                if lab_path not in covered:
                    covered[lab_path] = self.handler.covers(lab_path)
                if covered[lab_path]:
                    self.staged[number] = staged
                else:
                    staged = None  # LabResultImport.check reports the laboratory out of scope
            if staged is None:
                row = self.handler.check(number, cells)
                if isinstance(row, list):
                    self.result.rejections.extend(row)
                    self.result.rejected += 1
                    continue
                self.checked[number] = row
                staged = _staged(row)
                encoded = encode(staged)
            if staged[1] in codes:
                self.repeated.add(staged[1])
            codes.add(staged[1])
            assert encoded is not None
            parts.append(encoded)
        parts.append(_TRAILER)
        with cursor.copy(_COPY) as copy:
            copy.write(b"".join(parts))

    def _finish_in_python(self, unmatched: list[int], to_python: list[int]) -> None:
        """The m and p rows through the Python path's plan and writer (file order kept)."""
        cells_of = dict(self.rows)

        def lab_row(number: int) -> "LabRow":
            if number in self.checked:
                return self.checked[number]
            cells = cells_of[number]
            n, code, cccd, index, collected, resulted, method, outcome, lab_id, lab_path = self.staged[number]
            name = lab_import._name(lab_import._text(cells["full_name"]))
            return lab_import.LabRow(
                n, code, cccd, index, name, collected, resulted, method, outcome, lab_id, lab_path
            )

        plan = self.handler.plan([lab_row(number) for number in to_python], self.result)
        for number in unmatched:  # codes no other row of the batch names (route m)
            row = lab_row(number)
            plan.unmatched_new[row.code] = row
        self.result.unmatched += len(unmatched)
        self.result.payload += lab_import.write_plan(self.handler, self.job, plan)


def _staged(row: "LabRow") -> Staged:
    return (
        row.number, row.code, row.cccd, row.cccd_index, row.collected_at, row.resulted_at, row.method,
        row.outcome, row.lab_id, row.lab_path,
    )  # fmt: skip
