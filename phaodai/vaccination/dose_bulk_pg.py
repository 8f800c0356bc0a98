"""The PostgreSQL write of a dose plan: COPY into a temporary staging table, then a set-wise merge.

At most five statements a batch: new doses (`INSERT … ON CONFLICT DO NOTHING`, a shortfall means a
concurrent writer), corrected doses (`UPDATE … FROM` guarded by the values read, a compare-and-set),
their history rows, and new and updated queue entries. The summaries follow (dose_bulk.write_plan).
"""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.db import connection

from phaodai.core.models import ImportJob
from phaodai.vaccination.dose_bulk import (
    Catalogue,
    DoseLine,
    DoseValues,
    NewDose,
    Plan,
    Update,
    changed_elsewhere,
    derived,
)

# On PostgreSQL: COPY into a staging table, merge set-wise -----------------------------------------------

_STAGING = "vaccination_dose_staging"
# op: n = a new dose, u = a dose corrected (b_* its stored values, for the compare-and-set), c = a
# correction's history row, m = a new queue entry, w = an open queue entry updated.
STAGING_TYPES = {
    "op": "text",
    "person_id": "uuid",
    "dose_number": "int2",
    "path": "text",
    "product_id": "int8",
    "lot": "text",
    "given_on": "date",
    "site": "text",
    "vaccinator": "text",
    "completes_series": "bool",
    "next_due_on": "date",
    "next_overdue_after": "date",
    "b_product_id": "int8",
    "b_lot": "text",
    "b_given_on": "date",
    "b_site": "text",
    "b_vaccinator": "text",
    "row_number": "int4",
    "full_name": "text",
    "birth_date": "date",
    "cccd_ciphertext": "bytea",
    "cccd_index": "text",
}
_STAGING_COLUMNS = ", ".join(STAGING_TYPES)
_CREATE_STAGING = (
    f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} ("
    + ", ".join(f"{name} {kind}" for name, kind in STAGING_TYPES.items())
    + ") ON COMMIT DELETE ROWS"
)
_NEW = f"""INSERT INTO vaccination_dose (created_at, updated_at, person_id, path, product_id, lot,
    dose_number, given_on, completes_series, next_due_on, next_overdue_after, site, vaccinator,
    recorded_by_id)
  SELECT %(now)s, %(now)s, person_id, path, product_id, lot, dose_number, given_on, completes_series,
    next_due_on, next_overdue_after, site, vaccinator, %(user)s FROM {_STAGING} WHERE op = 'n'
  ON CONFLICT (person_id, dose_number) DO NOTHING"""  # noqa: S608 - constants
# A dose changed since the batch read it matches no row: the count falls short (checked).
_UPDATE = f"""UPDATE vaccination_dose d SET product_id = st.product_id, lot = st.lot, given_on = st.given_on,
    site = st.site, vaccinator = st.vaccinator, completes_series = st.completes_series,
    next_due_on = st.next_due_on, next_overdue_after = st.next_overdue_after, updated_at = %(now)s
  FROM {_STAGING} st WHERE st.op = 'u' AND d.person_id = st.person_id AND d.dose_number = st.dose_number
    AND d.product_id = st.b_product_id AND d.lot = st.b_lot AND d.given_on = st.b_given_on
    AND d.site = st.b_site AND d.vaccinator = st.b_vaccinator"""  # noqa: S608
_CORRECTIONS = f"""INSERT INTO vaccination_dosecorrection (dose_id, product_before_id, product_after_id,
    lot_before, lot_after, given_on_before, given_on_after, site_before, site_after, vaccinator_before,
    vaccinator_after, import_job_id, corrected_by_id, corrected_at)
  SELECT d.id, st.b_product_id, st.product_id, st.b_lot, st.lot, st.b_given_on, st.given_on, st.b_site,
    st.site, st.b_vaccinator, st.vaccinator, %(job)s, %(user)s, %(now)s
  FROM {_STAGING} st JOIN vaccination_dose d ON d.person_id = st.person_id AND d.dose_number = st.dose_number
  WHERE st.op = 'c' ORDER BY st.row_number"""  # noqa: S608
_QUEUE_NEW = f"""INSERT INTO vaccination_unmatcheddose (created_at, updated_at, import_job_id, row_number,
    cccd_ciphertext, cccd_index, full_name, birth_date, product_id, lot, dose_number, given_on, site,
    vaccinator, path, status)
  SELECT %(now)s, %(now)s, %(job)s, row_number, cccd_ciphertext, cccd_index, full_name, birth_date,
    product_id, lot, dose_number, given_on, site, vaccinator, %(path)s, 'open' FROM {_STAGING} WHERE op = 'm'
  ON CONFLICT (cccd_index, dose_number) WHERE status = 'open' DO NOTHING"""  # noqa: S608
_QUEUE_UPDATE = f"""UPDATE vaccination_unmatcheddose u SET product_id = st.product_id, lot = st.lot,
    given_on = st.given_on, site = st.site, vaccinator = st.vaccinator, full_name = st.full_name,
    birth_date = st.birth_date, updated_at = %(now)s
  FROM {_STAGING} st WHERE st.op = 'w' AND u.cccd_index = st.cccd_index
    AND u.dose_number = st.dose_number AND u.status = 'open'"""  # noqa: S608


def _staged(
    plan: Plan, catalogue: Catalogue, encrypt: Callable[[DoseLine], bytes]
) -> Iterator[tuple[Any, ...]]:
    """The plan as staging rows, in the order of STAGING_TYPES."""
    for w in plan.new.values():
        yield _row("n", w.person_id, w.dose_number, after=w.values, path=w.path, **_derived(catalogue, w))
    for u in plan.updates.values():
        yield _row("u", u.person_id, u.dose_number, after=u.after, before=u.before, **_derived(catalogue, u))
    for order, c in enumerate(plan.corrections):  # row_number keeps their order
        yield _row("c", c.person_id, c.dose_number, after=c.after, before=c.before, row_number=order)
    for op, lines in (("m", plan.unmatched_new), ("w", plan.unmatched_updates)):
        for line in lines.values():
            yield _row(
                op,
                None,
                line.dose_number,
                after=line.values,
                row_number=line.number,
                full_name=line.full_name,
                birth_date=line.birth_date,
                cccd_index=line.cccd_index,
                cccd_ciphertext=encrypt(line) if op == "m" else None,
            )


_BLANK = dict.fromkeys(STAGING_TYPES)


def _row(
    op: str,
    person_id: Any,
    dose_number: int,
    *,
    after: DoseValues,
    before: DoseValues | None = None,
    **more: Any,
) -> tuple[Any, ...]:
    row = {**_BLANK, "op": op, "person_id": person_id, "dose_number": dose_number, **more}
    for prefix, values in (("", after), ("b_", before)):
        if values is not None:
            row[f"{prefix}product_id"], row[f"{prefix}lot"] = values.product_id, values.lot
            row[f"{prefix}given_on"], row[f"{prefix}site"] = values.given_on, values.site
            row[f"{prefix}vaccinator"] = values.vaccinator
    return tuple(row.values())


def _derived(catalogue: Catalogue, write: NewDose | Update) -> dict[str, Any]:
    values = write.values if isinstance(write, NewDose) else write.after
    d = derived(catalogue, write.dose_number, values)
    return {
        "completes_series": d.completes_series,
        "next_due_on": d.next_due_on,
        "next_overdue_after": d.next_overdue_after,
    }


def postgres_write(
    plan: Plan,
    catalogue: Catalogue,
    *,
    job: ImportJob | None,
    by: Any,
    encrypt: Callable[[DoseLine], bytes],
    stamp: datetime,
) -> None:
    """Write the plan in the caller's transaction (see the module doc)."""
    connection.ensure_connection()
    raw = connection.connection
    params = {
        "now": stamp,
        "job": job.pk if job else None,
        "user": by.pk,
        "path": job.unit_path if job else "",
    }
    with raw.cursor() as cursor:
        cursor.execute(_CREATE_STAGING)
        with cursor.copy(f"COPY {_STAGING} ({_STAGING_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(list(STAGING_TYPES.values()))
            for values in _staged(plan, catalogue, encrypt):
                copy.write_row(values)
        # Joins to the staging table must reach doses through their (person, number) index: statistics
        # lag behind a large import, and a planner that believes the tables empty loops over them.
        cursor.execute(f"ANALYZE {_STAGING}")
        steps = (
            (_NEW, len(plan.new), False),
            (_UPDATE, len(plan.updates), True),
            (_CORRECTIONS, len(plan.corrections), True),
            (_QUEUE_NEW, len(plan.unmatched_new), False),
            (_QUEUE_UPDATE, len(plan.unmatched_updates), True),
        )
        for statement, wanted, joins in steps:
            if not wanted:
                continue
            if joins:
                cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(statement, params)
            if statement in (_NEW, _UPDATE) and cursor.rowcount != wanted:
                raise changed_elsewhere()
            if joins:
                cursor.execute("SET LOCAL enable_seqscan = on")
        cursor.execute(f"TRUNCATE {_STAGING}")
