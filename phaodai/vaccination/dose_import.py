"""Bulk import of dose records (CSV or XLSX): the runner's handler, checking each row and handing the
batch to the bulk dose writer (dose_bulk), merged by (person, dose number).

A batch (core.bulk.runner) goes through three steps:
1. check each row on its own (CCCD structure and Excel damage, dates in both formats, product, lot, dose
   number, birth year against the CCCD) — a bad cell is reported with its column and reason and never
   written;
2. read in one query each the persons whose CCCD blind index the batch names, their stored doses and the
   open entries of the matching queue; then take each person's rows in dose-number order (so a file need
   not list dose 1 before dose 2 within a batch) and classify them (dose_bulk.Planner): new, duplicate,
   correction, or refused by the dose rule. A person outside the uploader's units is refused as out of
   scope, saying nothing of who or where; a CCCD the registry does not hold waits in the matching queue
   (UnmatchedDose, the CCCD encrypted) — never dropped;
3. write set-wise (dose_bulk.write_plan: COPY and merge on PostgreSQL, the ORM on SQLite), each touched
   person's Summary recomputed in the batch's transaction.
The same file imported twice changes nothing: every row counts as a duplicate.
"""

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core.bulk.reader import HeaderSpec, Row, normal_header
from phaodai.core.bulk.runner import BatchResult, Rejection
from phaodai.core.clock import FIRST_YEAR, LAST_YEAR, Clock, local_date, now, to_local
from phaodai.core.crypto import blind_index, field_cipher
from phaodai.core.errors import NotPermitted
from phaodai.core.identity import CCCDFacts, InvalidCCCD, parse_cccd
from phaodai.core.jurisdiction import paths_of
from phaodai.core.models import ImportJob
from phaodai.core.text import nfc, search_key
from phaodai.people import selectors as people
from phaodai.people.cccd import INDEX_PURPOSE
from phaodai.vaccination.dose_bulk import (
    Catalogue,
    DoseLine,
    DoseValues,
    Planner,
    chunked,
    open_queue,
    reject,
    stored_doses,
    write_plan,
)
from phaodai.vaccination.dose_reasons import message
from phaodai.vaccination.services import LIMITS

COLUMNS = (
    "cccd",
    "full_name",
    "birth_date",
    "product",
    "lot",
    "dose_number",
    "given_on",
    "site",
    "vaccinator",
)
# The headers of the national vaccination platform's exports and of ward spreadsheets, unaccented.
VIETNAMESE_HEADERS = {
    "so_cccd": "cccd", "so_dinh_danh": "cccd", "can_cuoc_cong_dan": "cccd",
    "ho_ten": "full_name", "ho_va_ten": "full_name",
    "ngay_sinh": "birth_date",
    "vac_xin": "product", "vaccine": "product", "loai_vac_xin": "product", "ten_vac_xin": "product",
    "so_lo": "lot", "lo_vac_xin": "lot",
    "mui": "dose_number", "mui_so": "dose_number", "mui_thu": "dose_number", "mui_tiem": "dose_number",
    "ngay_tiem": "given_on",
    "diem_tiem": "site", "co_so_tiem": "site", "noi_tiem": "site",
    "nguoi_tiem": "vaccinator", "can_bo_tiem": "vaccinator",
}  # fmt: skip


def column_of(header: str) -> str | None:
    """The column a header names: English as in COLUMNS, or Vietnamese with or without diacritics."""
    key = normal_header(search_key(header))
    return VIETNAMESE_HEADERS.get(key, key)


SPEC = HeaderSpec(
    COLUMNS,
    column_of=column_of,
    hint="The header row names: cccd, full_name, birth_date, product, lot, dose_number, given_on, site, "
    "vaccinator (or số CCCD, họ tên, ngày sinh, vắc xin, số lô, mũi, ngày tiêm, điểm tiêm, người tiêm).",
)
# Binds an unmatched dose's CCCD ciphertext to its column; the blind index is the registry's.
UNMATCHED_CCCD_AAD = b"vaccination.unmatched.cccd"
NAME_MAX = 150
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


# Cells ---------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A text cell as stored (NFC, spaces collapsed); a number (a lot Excel took for one) as its digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


def parse_day(value: Any) -> date | str:
    """A day from a date cell, YYYY-MM-DD or an ISO 8601 time (its Hà Nội day), or dd/mm/yyyy; else
    why not: "missing", "format" or "out_of_range"."""
    if isinstance(value, datetime):
        day = to_local(value).date() if value.tzinfo else value.date()
    elif isinstance(value, date):
        day = value
    elif value is None or (isinstance(value, str) and not value.strip()):
        return "missing"
    elif isinstance(value, str):
        text = value.strip()
        try:
            if _ISO_DAY.fullmatch(text):
                day = date.fromisoformat(text)
            elif _ISO_DAY.match(text):
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
                day = to_local(moment).date() if moment.tzinfo else moment.date()
            else:
                day = datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            return "format"
    else:  # a bare number: an Excel date serial or a typing slip
        return "format"
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return "out_of_range"
    return day


def parse_dose_number(value: Any) -> int | str:
    """A dose number (1, "2", 2.0 from a workbook); else "missing" or "format"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "missing"
    if isinstance(value, bool):
        return "format"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= 32767:
        return value
    return "format"


def cccd_reason(raw: Any) -> str:
    """Why a CCCD cell is refused, naming Excel's damage when that is what happened (never repaired)."""
    try:
        parse_cccd(raw)
    except InvalidCCCD as error:
        problem = error.params.get("problem", "invalid")
        digits = "".join(str(raw).split())
        if problem == "length" and len(digits) == 11 and digits.isdigit():
            return "cccd_leading_zero_lost"
        return f"cccd_{problem}"
    return "cccd_invalid"


# The handler -------------------------------------------------------------------------------------------


class DoseImport:
    """The dose records import: the runner's handler (core.bulk.runner.BatchHandler)."""

    spec = SPEC

    def __init__(self, *, clock: Clock = now) -> None:
        self.clock = clock
        self.today = local_date(clock())
        self.catalogue = Catalogue.load()
        self._index = blind_index()
        self._encrypt = field_cipher().encrypt
        self._scopes: dict[int, tuple[str, ...]] = {}

    # 1. Checks needing no database --------------------------------------------------------------------

    def check(self, number: int, cells: Mapping[str, Any]) -> DoseLine | list[Rejection]:
        """The row, checked; or why each of its bad cells is refused."""
        problems: list[tuple[str, str, dict[str, object]]] = []

        def refuse(column: str, reason: str, **params: object) -> None:
            problems.append((column, reason, params))

        facts = self._cccd(cells.get("cccd"), refuse)
        name = _text(cells.get("full_name"))
        if len(name) > NAME_MAX:
            refuse("full_name", "full_name_too_long")
        birth_date: date | None = None
        if _text(cells.get("birth_date")):
            born = parse_day(cells.get("birth_date"))
            if isinstance(born, str):
                refuse("birth_date", f"birth_date_{born}")
            elif born > self.today:
                refuse("birth_date", "birth_date_out_of_range")
            elif facts and facts.birth_year != born.year:
                refuse("birth_date", "birth_date_not_cccd")
            else:
                birth_date = born
        product_text = _text(cells.get("product"))
        product_id = self.catalogue.product_of(product_text)
        if product_id is None:
            refuse("product", "product_unknown" if product_text else "product_missing")
        lot = self._bounded(cells.get("lot"), "lot", refuse, required=True)
        dose_number = parse_dose_number(cells.get("dose_number"))
        if isinstance(dose_number, str):
            refuse("dose_number", f"dose_number_{dose_number}")
        given_on = parse_day(cells.get("given_on"))
        if isinstance(given_on, str):
            refuse("given_on", f"given_on_{given_on}")
        site = self._bounded(cells.get("site"), "site", refuse)
        vaccinator = self._bounded(cells.get("vaccinator"), "vaccinator", refuse)
        if problems:
            return [
                Rejection(number, column, reason, message(reason, **params))
                for column, reason, params in problems
            ]
        assert (
            facts and product_id is not None and isinstance(dose_number, int) and isinstance(given_on, date)
        )
        values = DoseValues(product_id, lot, given_on, site, vaccinator)
        index = self._index(facts.number, INDEX_PURPOSE)
        return DoseLine(number, facts.number, index, name, birth_date, dose_number, values)

    @staticmethod
    def _bounded(raw: Any, column: str, refuse: Callable[..., None], *, required: bool = False) -> str:
        text = _text(raw)
        if required and not text:
            refuse(column, f"{column}_missing")
        elif len(text) > LIMITS[column]:
            refuse(column, f"{column}_too_long", limit=LIMITS[column])
        return text

    @staticmethod
    def _cccd(raw: Any, refuse: Callable[..., None]) -> CCCDFacts | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            refuse("cccd", "cccd_missing")
            return None
        if isinstance(raw, str):  # a number from a workbook has lost digits: refused below, never repaired
            try:
                return parse_cccd(raw)
            except InvalidCCCD:
                pass
        refuse("cccd", cccd_reason(raw))
        return None

    # 2. Classification -------------------------------------------------------------------------------------

    def _scope(self, job: ImportJob) -> tuple[str, ...]:
        # The uploader's units as they are when the job runs: rights withdrawn since the upload count.
        if job.pk not in self._scopes:
            self._scopes[job.pk] = paths_of(job.uploaded_by, Perm.VACCINATE)
        return self._scopes[job.pk]

    def write_batch(self, job: ImportJob, rows: Sequence[Row]) -> BatchResult:
        if job.uploaded_by is None or not self._scope(job):
            raise NotPermitted(_("The uploader may no longer record doses; the import cannot go on."))
        scope = self._scope(job)
        result = BatchResult()
        lines: list[DoseLine] = []
        for number, cells in rows:
            checked = self.check(number, cells)
            if isinstance(checked, list):
                result.rejections.extend(checked)
                result.rejected += 1
            else:
                lines.append(checked)
        persons = people.residents_by_cccd_index({line.cccd_index for line in lines})
        in_scope = {pk for pk, path in persons.values() if any(path.startswith(p) for p in scope)}
        births = self._births(job, lines, persons, in_scope)
        planner = Planner(
            self.catalogue,
            self.today,
            stored_doses(in_scope),
            open_queue({line.cccd_index for line in lines if line.cccd_index not in persons}),
        )
        # Each person's rows in dose order, so a file may list dose 2 before dose 1.
        for line in sorted(lines, key=lambda line: (line.cccd_index, line.dose_number, line.number)):
            person = persons.get(line.cccd_index)
            if person is None:
                planner.unregistered(line, result)
            elif person[0] not in in_scope:
                reject(result, line.number, "cccd", "out_of_scope")
            elif line.birth_date is not None and births.get(person[0]) != line.birth_date:
                reject(result, line.number, "birth_date", "birth_date_mismatch")
            else:
                planner.registered(line, person[0], person[1], result)
        write_plan(
            planner.plan,
            self.catalogue,
            job=job,
            by=job.uploaded_by,
            encrypt=self.encrypted_cccd,
            clock=self.clock,
        )
        return result

    @staticmethod
    def _births(
        job: ImportJob,
        lines: list[DoseLine],
        persons: Mapping[str, tuple[uuid.UUID, str]],
        in_scope: set[uuid.UUID],
    ) -> dict[uuid.UUID, date | None]:
        """The registry's birth dates of the persons in scope whose rows give one to check."""
        wanted = {
            persons[line.cccd_index][0] for line in lines if line.birth_date and line.cccd_index in persons
        }
        found: dict[uuid.UUID, date | None] = {}
        for chunk in chunked(wanted & in_scope):
            visible = people.persons_visible_to(job.uploaded_by).filter(pk__in=chunk)
            found.update(visible.values_list("pk", "birth_date"))
        return found

    def encrypted_cccd(self, line: DoseLine) -> bytes:
        return self._encrypt(line.cccd, UNMATCHED_CCCD_AAD)

    def after_commit(self, job: ImportJob, result: BatchResult) -> None:
        """Nothing follows a batch: doses notify no one."""

    def on_resume(self, job: ImportJob) -> None:
        """Nothing to redo: a batch's writes and summaries commit together."""
