"""Writes about doses and adverse events: one transaction, scope checked first, rules, audit.

A dose is unique per person and dose number: a retry with the same product, day and lot returns the
first record; anything else under that number is a 409 (the database's unique constraint settles a
race between two vaccinators).

A bulk writer of doses (the dose import) sets completes_series / next_due_on / next_overdue_after as
record_dose does, keeps (person, dose_number) idempotent, and calls refresh_summaries for the persons it
touched in the batch's transaction: coverage reads the summary, never the doses.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now, plausible, to_local
from phaodai.core.errors import InvalidInput
from phaodai.core.jurisdiction import require_within
from phaodai.core.text import nfc
from phaodai.vaccination import errors, rules, selectors
from phaodai.vaccination.models import AdverseEvent, Dose, Product, Summary

KEY_MAX = 80
SUMMARY_CHUNK = 900  # persons per statement: within SQLite's 999 bound parameters
LIMITS = {"lot": 40, "site": 200, "vaccinator": 150}


@dataclass(frozen=True)
class DoseDetails:
    product: Product
    dose_number: int
    given_on: date
    lot: str
    site: str
    vaccinator: str


def _text(value: str | None, field: str, *, required: bool = True) -> str:
    cleaned = " ".join(nfc(value or "").split())
    limit = LIMITS[field]
    if required and not cleaned:
        raise InvalidInput(_("This field is required."), field=field)
    if len(cleaned) > limit:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": limit}, field=field)
    return cleaned


def _day(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _refusal(problem: rules.DoseProblem, product: Product) -> InvalidInput:
    """The dose rule's refusal as the error users read, with the figures that explain it."""
    p = problem.params
    field = problem.field
    if problem.code == "unknown_product":
        return errors.UnknownProduct(field=field)
    if problem.code == "dose_number_invalid":
        return errors.DoseNumberInvalid(field=field)
    if problem.code == "beyond_series":
        return errors.BeyondSeries(
            _("%(product)s has %(series)s doses in its primary series; dose %(number)s is beyond it.")
            % {"product": product.name, "series": p["series"], "number": p.get("number", "")},
            field=field,
        )
    if problem.code == "in_future":
        return errors.DoseInFuture(field=field)
    if problem.code == "before_vaccines":
        return errors.BeforeVaccines(field=field)
    if problem.code == "previous_missing":
        return errors.PreviousDoseMissing(
            _("Dose %(previous)s of this person is not recorded; record it first.")
            % {"previous": p["previous"]},
            field=field,
        )
    if problem.code == "not_interchangeable":
        return errors.NotInterchangeable(
            _("%(product)s may not follow a dose of %(previous)s.")
            % {"product": product.name, "previous": p["previous"]},
            field=field,
        )
    if problem.code == "interval_too_short":
        return errors.IntervalTooShort(
            _(
                "Dose %(previous)s was given on %(previous_on)s; the next dose needs at least %(days)s days, "
                "so not before %(earliest)s."
            )
            % {
                "previous": p["previous"],
                "previous_on": _day(p["previous_on"]),  # type: ignore[arg-type]
                "days": p["min_days"],
                "earliest": _day(p["earliest"]),  # type: ignore[arg-type]
            },
            field=field,
        )
    if problem.code == "series_complete":
        return errors.SeriesComplete(
            _("Dose %(number)s already completed this person's primary series.") % {"number": p["completed"]},
            field=field,
        )
    if problem.code == "after_later_dose":
        return errors.AfterLaterDose(
            _("Dose %(later)s of this person was given on %(later_on)s, before this date.")
            % {"later": p["later"], "later_on": _day(p["later_on"])},  # type: ignore[arg-type]
            field=field,
        )
    return InvalidInput(field=field)


def _same(dose: Dose, details: DoseDetails) -> bool:
    return (
        dose.product_id == details.product.pk
        and dose.given_on == details.given_on
        and dose.lot == details.lot
    )


def _exists(dose: Dose) -> errors.DoseExists:
    return errors.DoseExists(
        _("Dose %(number)s of this person is already recorded: %(product)s on %(day)s.")
        % {"number": dose.dose_number, "product": dose.product.name, "day": _day(dose.given_on)},
        field="dose_number",
    )


def _retry_or_conflict(person: Any, details: DoseDetails) -> Dose | None:
    existing = (
        Dose.objects.select_related("product").filter(person=person, dose_number=details.dose_number).first()
    )
    if existing is None:
        return None
    if _same(existing, details):
        return existing
    raise _exists(existing)


def record_dose(
    *,
    by: Any,
    person: Any,
    product: Product | None,
    dose_number: int,
    given_on: date,
    lot: str,
    site: str,
    vaccinator: str,
    clock: Clock = now,
) -> tuple[Dose, bool]:
    """Record a dose given to a person; returns the dose and whether it is new (a retry returns the first)."""
    require_within(
        by, Perm.VACCINATE, path=person.unit_path, object_type="people.person", object_id=person.pk
    )
    if product is None or not product.active:
        raise errors.UnknownProduct(field="product")
    if not (1900 <= given_on.year <= 2200):
        raise InvalidInput(_("This date is not plausible; check the year."), field="given_on")
    details = DoseDetails(
        product=product,
        dose_number=dose_number,
        given_on=given_on,
        lot=_text(lot, "lot"),
        site=_text(site, "site"),
        vaccinator=_text(vaccinator, "vaccinator"),
    )
    first = _retry_or_conflict(person, details)
    if first is not None:
        return first, False
    plan = selectors.schedules()
    problem = rules.dose_problem(
        schedules=plan,
        product=product.code,
        dose_number=dose_number,
        given_on=given_on,
        today=local_date(clock()),
        history=selectors.history_of(person),
    )
    if problem is not None:
        if problem.code == "beyond_series":
            problem = rules.DoseProblem(
                problem.code, problem.field, {**problem.params, "number": dose_number}
            )
        raise _refusal(problem, product)
    upcoming = rules.next_dose(plan, rules.GivenDose(dose_number, given_on, product.code))
    dose = Dose(
        person=person,
        path=person.unit_path,
        product=product,
        lot=details.lot,
        dose_number=dose_number,
        given_on=given_on,
        completes_series=rules.completes_series(plan, product.code, dose_number),
        next_due_on=upcoming.due_on if upcoming else None,
        next_overdue_after=upcoming.overdue_after if upcoming else None,
        site=details.site,
        vaccinator=details.vaccinator,
        recorded_by=by,
    )
    try:
        with transaction.atomic():
            dose.save(force_insert=True)
            summarise(person)
            audit.record(
                actor=by,
                action="vaccination.record_dose",
                object_type=selectors.DOSE_TYPE,
                object_id=dose.pk,
                unit_path=dose.path,
                after={
                    "person": str(person.pk),
                    "product": product.code,
                    "dose_number": dose_number,
                    "given_on": given_on.isoformat(),
                    "lot": details.lot,
                },
                clock=clock,
            )
    except IntegrityError:
        # A concurrent record of the same dose number won: ours is its retry, or a conflict.
        first = _retry_or_conflict(person, details)
        if first is None:
            raise
        return first, False
    return dose, True


def summarise(person: Any) -> Summary | None:
    """Bring the person's summary row in line with their doses (inside the dose's transaction)."""
    refresh_summaries([person.pk])
    return Summary.objects.filter(person=person.pk).first()


def _residents(ids: Sequence[Any]) -> dict[Any, tuple[str, date | None]]:
    """The ward path and birth date of these persons, their rows locked against a concurrent move
    (FOR NO KEY UPDATE, in id order) until the caller's transaction ends: the summary's copies cannot
    be overtaken by a move that the registry's trigger would have missed."""
    # The registry's rows by the app registry: reading two columns under a lock needs the queryset,
    # which no people selector offers; the same two columns the registry's trigger copies.
    persons = apps.get_model("people", "Person").objects
    return {
        pk: (path, born)
        for pk, path, born in persons.select_for_update(no_key=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "unit_path", "birth_date")
    }


def refresh_summaries(person_ids: Iterable[Any]) -> int:
    """Bring these persons' summary rows in line with their doses and residence, set-wise: a row for
    each person with a first dose, none for the others. Call it inside the transaction that wrote the
    doses (the dose services, the bulk dose import). Returns how many rows are kept."""
    ids = sorted({pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk)) for pk in person_ids})
    kept = 0
    for start in range(0, len(ids), SUMMARY_CHUNK):
        chunk = ids[start : start + SUMMARY_CHUNK]
        residents = _residents(chunk)
        facts = (
            Dose.objects.filter(person_id__in=chunk)
            .values("person_id")
            .annotate(
                first=Min("given_on", filter=Q(dose_number=1)),
                completed=Min("given_on", filter=Q(completes_series=True)),
            )
            .order_by()
        )
        rows = [
            Summary(
                person_id=row["person_id"],
                unit_path=residents[row["person_id"]][0],
                birth_date=residents[row["person_id"]][1],
                first_dose_on=row["first"],
                completed_on=row["completed"],
            )
            for row in facts
            if row["first"] is not None and row["person_id"] in residents
        ]
        Summary.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["person"],
            update_fields=["unit_path", "birth_date", "first_dose_on", "completed_on", "updated_at"],
        )
        Summary.objects.filter(person_id__in=chunk).exclude(
            person_id__in=[row.person_id for row in rows]
        ).delete()
        kept += len(rows)
    return kept


def _onset(onset_at: datetime, dose: Dose, clock: Clock) -> datetime:
    if not plausible(onset_at):
        raise InvalidInput(_("This date is not plausible; check the year."), field="onset_at")
    if onset_at > clock():
        raise InvalidInput(
            _("%(at)s is still in the future.") % {"at": f"{to_local(onset_at):%H:%M %d/%m/%Y}"},
            field="onset_at",
        )
    if local_date(onset_at) < dose.given_on:
        raise errors.OnsetBeforeDose(
            _("The dose was given on %(day)s; the event cannot begin before.") % {"day": _day(dose.given_on)},
            field="onset_at",
        )
    return onset_at


def report_adverse_event(
    *,
    by: Any,
    dose: Dose,
    severity: str,
    onset_at: datetime,
    outcome: str = AdverseEvent.Outcome.UNKNOWN,
    description: str,
    idempotency_key: str = "",
    clock: Clock = now,
) -> tuple[AdverseEvent, bool]:
    """Record an adverse event following a dose; a retry with the same key returns the first report."""
    require_within(by, Perm.VACCINATE, path=dose.path, object_type=selectors.DOSE_TYPE, object_id=dose.pk)
    key = (idempotency_key or "").strip()
    if len(key) > KEY_MAX or not key.isprintable():
        raise InvalidInput(
            _("The Idempotency-Key must be at most %(limit)s printable characters.") % {"limit": KEY_MAX},
            field="Idempotency-Key",
        )
    if key:
        first = AdverseEvent.objects.filter(reported_by=by.pk, idempotency_key=key).first()
        if first is not None:
            if first.dose_id != dose.pk:
                raise errors.IdempotencyKeyReused()
            return first, False
    if severity not in AdverseEvent.Severity.values:
        raise InvalidInput(_("Choose mild, moderate or severe."), field="severity")
    if outcome not in AdverseEvent.Outcome.values:
        raise InvalidInput(_("Choose the outcome."), field="outcome")
    text = nfc(description or "").strip()
    if not text:
        raise InvalidInput(_("Describe what happened."), field="description")
    if len(text) > 5000:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": 5000}, field="description")
    moment = _onset(onset_at, dose, clock)
    try:
        with transaction.atomic():
            event = AdverseEvent.objects.create(
                dose=dose,
                path=dose.path,
                severity=severity,
                onset_at=moment,
                outcome=outcome,
                description=text,
                reported_by=by,
                idempotency_key=key,
            )
            audit.record(
                actor=by,
                action="vaccination.report_aefi",
                object_type="vaccination.adverseevent",
                object_id=event.pk,
                unit_path=dose.path,
                after={"dose": dose.pk, "severity": severity, "outcome": outcome},
                clock=clock,
            )
    except IntegrityError:
        first = AdverseEvent.objects.filter(reported_by=by.pk, idempotency_key=key).first()
        if not key or first is None:
            raise
        return first, False
    return event, True
