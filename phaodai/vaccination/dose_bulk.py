"""Many doses at once: checked against each person's stored doses with the dose rule, then written
set-wise with each touched person's summary — for the dose import and the bulk dose service.

`Planner` classifies each dose (in the order given: callers put a person's doses in dose-number order):
new; duplicate (nothing changes); correction (a changed product, lot, day, site or vaccinator — the dose
before and after is kept in DoseCorrection, and every later dose of the person must still hold); or
refused with the rule's reason. A dose of a CCCD the registry does not hold goes to the matching queue
(UnmatchedDose), checked against the doses the queue holds for that CCCD.

`write_plan` writes a plan in the caller's transaction — through the ORM on SQLite, by COPY into a staging
table and a set-wise merge on PostgreSQL (dose_bulk_pg) — then recomputes each touched person's Summary
from their doses (services.refresh_summaries, set-wise), so the coverage figures stay exact.
"""

import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from phaodai.core import audit
from phaodai.core.bulk.runner import BatchResult, Rejection
from phaodai.core.clock import Clock
from phaodai.core.errors import Conflict
from phaodai.core.models import ImportJob
from phaodai.core.text import search_key
from phaodai.vaccination import rules, services
from phaodai.vaccination.dose_reasons import RULE_REASONS, message
from phaodai.vaccination.models import Dose, DoseCorrection, Product, UnmatchedDose

_IN_CHUNK = 900  # under SQLite's smallest bound on query parameters


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", search_key(text))


@dataclass(frozen=True)
class Catalogue:
    """The vaccines in use: their schedules, and every spelling a file may use for each."""

    schedules: Mapping[str, rules.Schedule]
    names: Mapping[int, str]  # product id -> name, for messages
    codes: Mapping[int, str]  # product id -> code
    by_alias: Mapping[str, int]  # unaccented, alphanumeric-only spelling -> product id

    @classmethod
    def load(cls) -> "Catalogue":
        from phaodai.vaccination import selectors

        products = list(Product.objects.all())  # a stored dose may be of a product since retired
        seen: dict[str, set[int]] = {}
        for product in (p for p in products if p.active):
            spellings = {product.code, product.name, product.name_en, product.manufacturer}
            for name in (product.name, product.name_en):  # "Vaxzevria (AstraZeneca)": both parts
                spellings.update(part for part in re.split(r"[()]", name) if part.strip())
            for spelling in spellings:
                if _key(spelling):
                    seen.setdefault(_key(spelling), set()).add(product.pk)
        return cls(
            schedules=selectors.schedules(),
            names={p.pk: p.name for p in products},
            codes={p.pk: p.code for p in products},
            by_alias={alias: next(iter(ids)) for alias, ids in seen.items() if len(ids) == 1},
        )

    def product_of(self, text: str) -> int | None:
        return self.by_alias.get(_key(text)) if text else None


# Rows, values and the plan -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DoseValues:
    """What a dose record says beyond its person and number."""

    product_id: int
    lot: str
    given_on: date
    site: str
    vaccinator: str

    def merged_into(self, stored: "DoseValues") -> "DoseValues":
        """These values over the stored ones; a blank site or vaccinator keeps the stored one."""
        return replace(self, site=self.site or stored.site, vaccinator=self.vaccinator or stored.vaccinator)


@dataclass(slots=True)
class DoseLine:
    """A row (or a service's dose) that passed every check needing no database."""

    number: int  # the file's row
    cccd: str
    cccd_index: str
    full_name: str
    birth_date: date | None
    dose_number: int
    values: DoseValues


@dataclass(frozen=True, slots=True)
class Queued:
    """An open entry of the matching queue, as compared with an incoming row."""

    values: DoseValues
    full_name: str
    birth_date: date | None


@dataclass(slots=True)
class NewDose:
    person_id: uuid.UUID
    path: str
    dose_number: int
    values: DoseValues


@dataclass(slots=True)
class Update:
    person_id: uuid.UUID
    dose_number: int
    before: DoseValues  # as stored when the batch began: the compare-and-set's condition
    after: DoseValues


@dataclass(slots=True)
class CorrectionWrite:
    person_id: uuid.UUID
    dose_number: int
    before: DoseValues
    after: DoseValues


@dataclass
class Plan:
    """What a batch writes, after classification."""

    new: dict[tuple[uuid.UUID, int], NewDose] = field(default_factory=dict)
    updates: dict[tuple[uuid.UUID, int], Update] = field(default_factory=dict)
    corrections: list[CorrectionWrite] = field(default_factory=list)
    unmatched_new: dict[tuple[str, int], DoseLine] = field(default_factory=dict)
    unmatched_updates: dict[tuple[str, int], DoseLine] = field(default_factory=dict)
    persons: set[uuid.UUID] = field(default_factory=set)  # whose summary to recompute


def reject(result: BatchResult, number: int, column: str, reason: str, **params: object) -> None:
    result.rejections.append(Rejection(number, column, reason, message(reason, **params)))
    result.rejected += 1


class Planner:
    """Classifies doses against the stored ones and the matching queue, remembering what it accepted."""

    def __init__(
        self,
        catalogue: Catalogue,
        today: date,
        stored: dict[uuid.UUID, dict[int, DoseValues]],
        queue: dict[str, dict[int, Queued]] | None = None,
    ) -> None:
        self.catalogue, self.today = catalogue, today
        self.stored = stored
        self.queue = queue if queue is not None else {}
        self.plan = Plan()

    def _problem(self, doses: Mapping[int, DoseValues], number: int, values: DoseValues) -> Any:
        codes = self.catalogue.codes
        history = [
            rules.GivenDose(n, v.given_on, codes[v.product_id]) for n, v in doses.items() if n != number
        ]
        return rules.dose_problem(
            schedules=self.catalogue.schedules, product=codes[values.product_id], dose_number=number,
            given_on=values.given_on, today=self.today, history=history,
        )  # fmt: skip

    def _refuse(
        self, result: BatchResult, line: DoseLine, problem: rules.DoseProblem, **extra: object
    ) -> None:
        reason = RULE_REASONS.get(problem.code, problem.code)
        params: dict[str, object] = {}
        if reason == "beyond_series":
            params = {
                "product": self.catalogue.names[line.values.product_id],
                "series": problem.params["series"],
            }
        elif reason == "previous_dose_missing":
            params = {"previous": problem.params["previous"]}
        elif reason == "interval_too_short":
            params = {"previous": problem.params["previous"], "days": problem.params["min_days"]}
        if extra:  # a correction that breaks a later dose: that dose's reason inside this row's message
            why = message(reason, **params)
            reject(result, line.number, problem.field, "breaks_later_dose", later=extra["later"], why=why)
            return
        reject(result, line.number, problem.field, reason, **params)

    def registered(self, line: DoseLine, person_id: uuid.UUID, path: str, result: BatchResult) -> None:
        """A dose of a person in the registry (and in scope): new, duplicate, correction or refused."""
        doses = self.stored.setdefault(person_id, {})
        number = line.dose_number
        existing = doses.get(number)
        if existing is None:
            problem = self._problem(doses, number, line.values)
            if problem is not None:
                self._refuse(result, line, problem)
                return
            doses[number] = line.values
            self.plan.new[(person_id, number)] = NewDose(person_id, path, number, line.values)
            self.plan.persons.add(person_id)
            result.accepted += 1
            return
        after = line.values.merged_into(existing)
        if after == existing:
            result.duplicates += 1
            return
        trial = {**doses, number: after}
        problem = self._problem(trial, number, after)
        if problem is not None:
            self._refuse(result, line, problem)
            return
        for later in sorted(n for n in trial if n > number):  # every later dose must still hold
            problem = self._problem(trial, later, trial[later])
            if problem is not None:
                self._refuse(result, line, problem, later=later)
                return
        self._correct(person_id, number, existing, after)
        doses[number] = after
        result.corrected += 1

    def _correct(self, person_id: uuid.UUID, number: int, before: DoseValues, after: DoseValues) -> None:
        plan, key = self.plan, (person_id, number)
        plan.corrections.append(CorrectionWrite(person_id, number, before, after))
        plan.persons.add(person_id)
        if key in plan.new:  # created earlier in this batch: insert the final values
            plan.new[key].values = after
        elif key in plan.updates:
            plan.updates[key].after = after
        else:
            plan.updates[key] = Update(person_id, number, before, after)

    def unregistered(self, line: DoseLine, result: BatchResult) -> None:
        """A dose of a CCCD the registry does not hold: into the matching queue, checked against the
        doses the queue holds for the same CCCD."""
        waiting = self.queue.setdefault(line.cccd_index, {})
        number = line.dose_number
        before = waiting.get(number)
        values = line.values.merged_into(before.values) if before else line.values
        problem = self._problem({n: q.values for n, q in waiting.items()}, number, values)
        if problem is not None:
            self._refuse(result, line, problem)
            return
        incoming = Queued(
            values,
            line.full_name or (before.full_name if before else ""),
            line.birth_date or (before.birth_date if before else None),
        )
        if incoming == before:
            result.duplicates += 1
            return
        key = (line.cccd_index, number)
        line.values, line.full_name, line.birth_date = (
            incoming.values,
            incoming.full_name,
            incoming.birth_date,
        )
        if before is None or key in self.plan.unmatched_new:
            self.plan.unmatched_new[key] = line
        else:
            self.plan.unmatched_updates[key] = line
        waiting[number] = incoming
        result.unmatched += 1


# Reads ---------------------------------------------------------------------------------------------------


def chunked(values: Iterable[Any], size: int = _IN_CHUNK) -> Iterator[list[Any]]:
    items = sorted(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def stored_doses(person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[int, DoseValues]]:
    """Every stored dose of these persons, by person and number."""
    found: dict[uuid.UUID, dict[int, DoseValues]] = {}
    for chunk in chunked(person_ids):
        # No ordering: the default one joins the person table, and on freshly loaded tables (no
        # statistics yet) PostgreSQL may plan that join as a nested loop taking minutes.
        rows = (
            Dose.objects.filter(person_id__in=chunk)
            .order_by()
            .values_list("person_id", "dose_number", "product_id", "lot", "given_on", "site", "vaccinator")
        )
        for person_id, number, product_id, lot, given_on, site, vaccinator in rows:
            found.setdefault(person_id, {})[number] = DoseValues(product_id, lot, given_on, site, vaccinator)
    return found


def open_queue(indexes: Iterable[str]) -> dict[str, dict[int, Queued]]:
    """The open entries of the matching queue for these CCCD blind indexes, by index and dose number."""
    found: dict[str, dict[int, Queued]] = {}
    for chunk in chunked(indexes):
        waiting = UnmatchedDose.objects.filter(cccd_index__in=chunk, status=UnmatchedDose.Status.OPEN)
        rows = waiting.values_list(
            "cccd_index", "dose_number", "product_id", "lot", "given_on", "site", "vaccinator", "full_name",
            "birth_date",
        )  # fmt: skip
        for index, number, product_id, lot, given_on, site, vaccinator, name, born in rows:
            values = DoseValues(product_id, lot, given_on, site, vaccinator)
            found.setdefault(index, {})[number] = Queued(values, name, born)
    return found


# Writing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Derived:
    """What record_dose stores beside a dose, from its product's schedule."""

    completes_series: bool
    next_due_on: date | None
    next_overdue_after: date | None


def derived(catalogue: Catalogue, number: int, values: DoseValues) -> Derived:
    code = catalogue.codes[values.product_id]
    upcoming = rules.next_dose(catalogue.schedules, rules.GivenDose(number, values.given_on, code))
    return Derived(
        rules.completes_series(catalogue.schedules, code, number),
        upcoming.due_on if upcoming else None,
        upcoming.overdue_after if upcoming else None,
    )


def write_plan(
    plan: Plan,
    catalogue: Catalogue,
    *,
    job: ImportJob | None,
    by: Any,
    encrypt: Callable[[DoseLine], bytes],
    clock: Clock,
) -> None:
    """Write a batch's plan in the caller's transaction, then recompute the touched persons' summaries."""
    if connection.vendor == "postgresql":
        from phaodai.vaccination.dose_bulk_pg import postgres_write  # it builds on this module

        writer: Callable[..., None] = postgres_write
    else:
        writer = _orm_write
    writer(plan, catalogue, job=job, by=by, encrypt=encrypt, stamp=clock())
    # Coverage reads the summaries: the touched persons' are recomputed from their doses, set-wise.
    services.refresh_summaries(plan.persons)
    _audit_corrections(plan, catalogue, job=job, by=by, clock=clock)


def dose_keys(person_ids: Iterable[uuid.UUID]) -> dict[tuple[uuid.UUID, int], tuple[int, str]]:
    """(dose id, path) of every dose of these persons, by (person, dose number)."""
    found: dict[tuple[uuid.UUID, int], tuple[int, str]] = {}
    for chunk in chunked(person_ids):
        rows = (
            Dose.objects.filter(person_id__in=chunk)
            .order_by()
            .values_list("person_id", "dose_number", "pk", "path")
        )  # no ordering: see stored_doses
        found.update({(person, number): (pk, path) for person, number, pk, path in rows})
    return found


def _audit_corrections(
    plan: Plan, catalogue: Catalogue, *, job: ImportJob | None, by: Any, clock: Clock
) -> None:
    """Each corrected dose has its own audit entry (an import's batch entry only counts them)."""
    if not plan.corrections:
        return
    doses = dose_keys({c.person_id for c in plan.corrections})
    for c in plan.corrections:
        pk, path = doses[(c.person_id, c.dose_number)]
        audit.record(
            actor=by, action="vaccination.dose.corrected", object_type="vaccination.dose", object_id=pk,
            unit_path=path, before=_state(c.before, catalogue),
            after={**_state(c.after, catalogue), "import_job": job.pk if job else None}, clock=clock,
        )  # fmt: skip


def _state(values: DoseValues, catalogue: Catalogue) -> dict[str, Any]:
    return {
        "product": catalogue.codes[values.product_id],
        "lot": values.lot,
        "given_on": values.given_on.isoformat(),
        "site": values.site,
        "vaccinator": values.vaccinator,
    }


def changed_elsewhere() -> Conflict:
    return Conflict(
        _("Doses of this file were being written by someone else meanwhile; run the import again.")
    )


# Through the ORM (SQLite) -------------------------------------------------------------------------------


def _orm_write(
    plan: Plan,
    catalogue: Catalogue,
    *,
    job: ImportJob | None,
    by: Any,
    encrypt: Callable[[DoseLine], bytes],
    stamp: datetime,
) -> None:
    new = []
    for w in plan.new.values():
        d, v = derived(catalogue, w.dose_number, w.values), w.values
        new.append(
            Dose(
                person_id=w.person_id, path=w.path, product_id=v.product_id, lot=v.lot,
                dose_number=w.dose_number, given_on=v.given_on, completes_series=d.completes_series,
                next_due_on=d.next_due_on, next_overdue_after=d.next_overdue_after, site=v.site,
                vaccinator=v.vaccinator, recorded_by=by,
            )
        )  # fmt: skip
    Dose.objects.bulk_create(new, batch_size=500)
    for u in plan.updates.values():
        b, a, d = u.before, u.after, derived(catalogue, u.dose_number, u.after)
        changed = Dose.objects.filter(
            person_id=u.person_id, dose_number=u.dose_number, product_id=b.product_id, lot=b.lot,
            given_on=b.given_on, site=b.site, vaccinator=b.vaccinator,
        ).update(
            product_id=a.product_id, lot=a.lot, given_on=a.given_on, site=a.site, vaccinator=a.vaccinator,
            completes_series=d.completes_series, next_due_on=d.next_due_on,
            next_overdue_after=d.next_overdue_after, updated_at=stamp,
        )  # fmt: skip
        if changed != 1:
            raise changed_elsewhere()
    if plan.corrections:
        ids = dose_keys({c.person_id for c in plan.corrections})
        DoseCorrection.objects.bulk_create(
            [_correction(ids[(c.person_id, c.dose_number)][0], c, job, by, stamp) for c in plan.corrections]
        )
    UnmatchedDose.objects.bulk_create(
        [_unmatched(line, job, encrypt) for line in plan.unmatched_new.values()], batch_size=500
    )
    for line in plan.unmatched_updates.values():
        v = line.values
        UnmatchedDose.objects.filter(
            cccd_index=line.cccd_index, dose_number=line.dose_number, status=UnmatchedDose.Status.OPEN
        ).update(
            product_id=v.product_id, lot=v.lot, given_on=v.given_on, site=v.site, vaccinator=v.vaccinator,
            full_name=line.full_name, birth_date=line.birth_date, updated_at=stamp,
        )  # fmt: skip


def _correction(
    dose_id: int, c: CorrectionWrite, job: ImportJob | None, by: Any, stamp: datetime
) -> DoseCorrection:
    b, a = c.before, c.after
    return DoseCorrection(
        dose_id=dose_id, product_before_id=b.product_id, product_after_id=a.product_id, lot_before=b.lot,
        lot_after=a.lot, given_on_before=b.given_on, given_on_after=a.given_on, site_before=b.site,
        site_after=a.site, vaccinator_before=b.vaccinator, vaccinator_after=a.vaccinator, import_job=job,
        corrected_by=by, corrected_at=stamp,
    )  # fmt: skip


def _unmatched(line: DoseLine, job: ImportJob | None, encrypt: Callable[[DoseLine], bytes]) -> UnmatchedDose:
    assert job is not None  # only imports queue doses
    v = line.values
    return UnmatchedDose(
        import_job=job, row_number=line.number, cccd_ciphertext=encrypt(line), cccd_index=line.cccd_index,
        full_name=line.full_name, birth_date=line.birth_date, product_id=v.product_id, lot=v.lot,
        dose_number=line.dose_number, given_on=v.given_on, site=v.site, vaccinator=v.vaccinator,
        path=job.unit_path,
    )  # fmt: skip
