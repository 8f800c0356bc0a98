"""Writes about isolation: orders (home, concentrated facility, hospital), the move to monitoring at home,
release with a decision, cancellation, and the daily follow-up checks (S16, S17).

- An order's planned ends and tests come from the IsolationRule in force on its first day (data with
  effective dates). A person has one open order at a time: a second is refused, naming the first.
- A facility order admits the person through the quarantine app in the same transaction: if the
  facility is full (or closed…), nothing is written and quarantine's refusal names free beds elsewhere.
  Ordering to a facility therefore needs the admitting capability as well.
- Release before the planned end of the isolation itself needs a reason (tested positive and moved to
  hospital, the wrong person, a shortened rule…): leaving early is possible but never silent; the ward
  is told. From that end on, the decision alone suffices, and it also ends any monitoring left.
- Moving to monitoring is allowed from the day the isolation ends; a facility stay still open is
  discharged then (by an officer who admits there; otherwise the facility discharges first).
- Follow-ups are one per order and day: a retry of the same check returns it, a different one is a
  conflict naming the first. A check with symptoms tells the following ward at once.
Transitions are compare-and-set on `version`: of two officers acting at once, one wins, the other gets
a conflict. Permission and scope are checked before any transaction, so a refused attempt stays logged.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.cases import isolation_selectors as selectors
from phaodai.cases import rules
from phaodai.cases.isolation_errors import (
    CaseRequired,
    EarlyReleaseNeedsReason,
    FacilityNeedsAdmitter,
    FollowUpDayOutside,
    FollowUpRecorded,
    IsolationNotOver,
    KeyReused,
    NoRuleInForce,
    OpenOrderExists,
    OrderChanged,
    OrderClosed,
    ReleaseBeforeStart,
    StillAdmitted,
)
from phaodai.cases.isolation_selectors import tests_due  # noqa: F401  (re-exported for diagnostics)
from phaodai.cases.models import Case, FollowUp, IsolationOrder, IsolationRule
from phaodai.cases.selectors import isolation_rule_for
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now, plausible, to_local
from phaodai.core.errors import DomainError, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of
from phaodai.core.text import nfc
from phaodai.notifications.services import notify
from phaodai.quarantine import selectors as quarantine_selectors
from phaodai.quarantine import services as quarantine

ORDER_TYPE = selectors.ORDER_TYPE
Status = IsolationOrder.Status
Setting = IsolationOrder.Setting
OPEN = selectors.OPEN
# An order may be issued for a start a little ahead (from tomorrow 06:00) or entered late for someone
# isolated since some days; further either way is a typing mistake.
START_AHEAD = timedelta(days=2)
START_BACK = timedelta(days=30)
# Clocks of phones and PCs drift: a moment a few minutes ahead is not "in the future".
CLOCK_SKEW = timedelta(minutes=5)
KEY_MAX = 80
DECISION_MAX = 80
REASON_MAX = 1000
NOTE_MAX = 300
LOWEST, HIGHEST = Decimal("34.0"), Decimal("43.0")
FEVER_FROM = Decimal("37.5")
# Where a facility stay comes from, as quarantine's admissions record it.
ADMISSION_SOURCE = "cases.isolation"


class Symptom(models.TextChoices):
    """The symptoms a daily check asks about (Ministry of Health's list for COVID-19)."""

    FEVER = "fever", gettext_lazy("Fever")
    COUGH = "cough", gettext_lazy("Cough")
    SORE_THROAT = "sore_throat", gettext_lazy("Sore throat")
    BREATHLESS = "breathless", gettext_lazy("Shortness of breath")
    TASTE_SMELL = "taste_smell", gettext_lazy("Loss of taste or smell")
    FATIGUE = "fatigue", gettext_lazy("Tiredness")
    ACHES = "aches", gettext_lazy("Body aches")
    DIARRHOEA = "diarrhoea", gettext_lazy("Diarrhoea")
    OTHER = "other", gettext_lazy("Other (see the note)")


def order_ref(order: IsolationOrder) -> str:
    """How a quarantine admission names the order it carries out."""
    return f"isolation:{order.pk}"


def _when(moment: datetime) -> str:
    return f"{to_local(moment):%H:%M %d/%m/%Y}"


def _text(value: str | None, field: str, limit: int) -> str:
    cleaned = nfc(value or "")
    if len(cleaned) > limit:
        raise InvalidInput(_("At most %(n)s characters.") % {"n": limit}, field=field)
    return cleaned


# Who may act -----------------------------------------------------------------------------------------


def _require_isolator(by: Any, person: Any) -> None:
    """403 without the capability; 404 (logged) for a person who neither lives nor was found here."""
    if not paths_of(by, Perm.ORDER_ISOLATION):
        raise NotPermitted()
    if not selectors.may_isolate(by, person):
        log_out_of_scope(by, "people.person", person.pk, person.unit_path)
        raise OutOfScope()


def _require_on_order(by: Any, order: IsolationOrder) -> None:
    if not paths_of(by, Perm.ORDER_ISOLATION):
        raise NotPermitted()
    if not selectors.may_act_on(by, order):
        log_out_of_scope(by, ORDER_TYPE, order.pk, order.path)
        raise OutOfScope()


def _require_admitter(by: Any, facility: Any) -> None:
    if not paths_of(by, Perm.ADMIT):
        raise FacilityNeedsAdmitter(field="facility")
    quarantine.require_reach(by, facility)


# Ordering --------------------------------------------------------------------------------------------


def _start(starts_at: datetime | None, moment: datetime) -> datetime:
    start = starts_at or moment
    if not plausible(start) or start > moment + START_AHEAD:
        raise InvalidInput(
            _("An order starts at most %(n)s days ahead.") % {"n": START_AHEAD.days}, field="starts_at"
        )
    if start < moment - START_BACK:
        raise InvalidInput(
            _("An order is entered at most %(n)s days after it started.") % {"n": START_BACK.days},
            field="starts_at",
        )
    return start


def _case_for(person: Any, subject: str, case: Case | None) -> Case | None:
    """The case the order follows from: an F0's own case; for a contact, the case they were traced from."""
    if subject == IsolationRule.Subject.F0:
        own = case or Case.objects.filter(person_id=person.pk, outcome=Case.Outcome.ACTIVE).first()
        if own is None:
            raise CaseRequired(field="case")
        if own.person_id != person.pk:
            raise InvalidInput(_("This case is another person's."), field="case")
        return own
    if case is not None and case.person_id == person.pk:
        raise InvalidInput(_("This person is a case: order the isolation of an F0."), field="subject")
    if case is not None:
        return case
    return selectors.traced_root_case(person)


def _area_for(by: Any, person: Any, area: Any) -> Any:
    """Where the person is followed: their residential area, or an area of the ordering officer's."""
    if area is None or area.pk == person.residence_area_id:
        return person.residence_area
    if not area.active or not covers(by, area.path, Perm.ORDER_ISOLATION):
        raise InvalidInput(
            _("Choose the person's own area, or an active area of your jurisdiction."), field="area"
        )
    return area


def _same_request(order: IsolationOrder, facts: dict[str, Any]) -> bool:
    return all(getattr(order, name) == value for name, value in facts.items())


def _by_key(key: str | None, person: Any) -> IsolationOrder | None:
    if not key:
        return None
    earlier = IsolationOrder.objects.filter(idempotency_key=key).first()
    if earlier is not None and earlier.person_id != person.pk:
        raise KeyReused(field="idempotency_key")
    return earlier


def order_isolation(
    *,
    by: Any,
    person: Any,
    subject: str,
    setting: str,
    starts_at: datetime | None = None,
    case: Case | None = None,
    facility: Any = None,
    area: Any = None,
    room_kind: str | None = None,
    idempotency_key: str | None = None,
    clock: Clock = now,
) -> tuple[IsolationOrder, bool]:
    """Order a person isolated; returns the order and whether it is new.

    A retry (the same key, or the same facts while the order is open) returns the first order with
    created=False. `person` and `case` come from the caller's scoped reads; `facility` (a quarantine
    facility, for setting "facility") is one the officer admits to; `room_kind` as quarantine's admit.
    """
    _require_isolator(by, person)
    key = (idempotency_key or "").strip()[:KEY_MAX] or None
    earlier = _by_key(key, person)
    if earlier is not None:
        return earlier, False
    if subject not in IsolationRule.Subject.values:
        raise InvalidInput(_("Choose F0, F1, F2 or other."), field="subject")
    if setting not in Setting.values:
        raise InvalidInput(_("Choose home, facility or hospital."), field="setting")
    if (setting == Setting.FACILITY) != (facility is not None):
        message = (
            _("Choose the facility the person goes to.")
            if facility is None
            else _("Only an order to a concentrated facility names a facility.")
        )
        raise InvalidInput(message, field="facility")
    start = _start(starts_at, clock())
    case = _case_for(person, subject, case)
    area = _area_for(by, person, area)
    rule = isolation_rule_for(subject, local_date(start))
    if rule is None:
        raise NoRuleInForce(field="subject")
    schedule = rules.isolation_schedule(start, local_date(start), selectors.spec_of(rule))
    facts = {"person_id": person.pk, "subject": subject, "setting": setting, "starts_at": start}
    current = selectors.open_order_of(person)
    if current is not None:
        if _same_request(current, facts):
            return current, False
        raise OpenOrderExists(current)
    if facility is not None:
        _require_admitter(by, facility)
    try:
        with transaction.atomic():
            order = IsolationOrder.objects.create(
                **facts,
                rule=rule,
                case=case,
                isolation_ends_at=schedule.isolation_ends_at,
                monitoring_ends_at=schedule.monitoring_ends_at,
                area=area,
                path=area.path,
                ordered_by=by,
                idempotency_key=key,
            )
            if facility is not None:
                _admit(by, order, facility, room_kind, clock)
            audit.record(
                actor=by,
                action="cases.order_isolation",
                object_type=ORDER_TYPE,
                object_id=order.pk,
                unit_path=order.path,
                after={
                    "subject": subject,
                    "setting": setting,
                    "starts_at": start.isoformat(),
                    "rule": rule.code,
                },
                clock=clock,
            )
    except IntegrityError:
        # A concurrent order for the same person (or with the same key) won.
        first = _by_key(key, person)
        if first is not None:
            return first, False
        winner = selectors.open_order_of(person)
        if winner is None:
            raise
        if _same_request(winner, facts):
            return winner, False
        raise OpenOrderExists(winner) from None
    return order, True


# Quarantine's field names, as the order's forms and API call them.
ADMISSION_FIELDS = {"admitted_at": "starts_at", "planned_release": "starts_at", "cccd": "person"}


def _admit(by: Any, order: IsolationOrder, facility: Any, room_kind: str | None, clock: Clock) -> None:
    """Admit the person (or record the stay they already have in this facility) inside the order's
    transaction: a refusal rolls the order back with it."""
    stay = quarantine_selectors.current_admission(order.person)
    if stay is None or stay.facility_id != facility.pk:
        try:
            stay, _created = quarantine.admit(
                by=by,
                facility=facility,
                person=order.person,
                room_kind=room_kind or None,
                admitted_at=order.starts_at,
                planned_release=local_date(order.isolation_ends_at),
                order_ref=order_ref(order),
                source=ADMISSION_SOURCE,
                clock=clock,
            )
        except DomainError as error:
            error.field = ADMISSION_FIELDS.get(error.field or "", error.field)
            raise
    order.facility_ref = str(stay.pk)
    IsolationOrder.objects.filter(pk=order.pk).update(facility_ref=order.facility_ref)


def _open_stay(order: IsolationOrder) -> Any:
    """The facility stay carrying out this order, if the person is still in it (or moved on by transfer)."""
    if order.setting != Setting.FACILITY or not order.facility_ref:
        return None
    stay = quarantine_selectors.current_admission(order.person)
    if stay is None or (str(stay.pk) != order.facility_ref and stay.order_ref != order_ref(order)):
        return None
    return stay


def _leave_facility(
    by: Any, order: IsolationOrder, *, at: datetime, reason: str, note: str, clock: Clock
) -> None:
    stay = _open_stay(order)
    if stay is None:
        return  # never admitted, or already discharged by the facility
    if not paths_of(by, Perm.ADMIT) or not quarantine_selectors.reaches(by, stay.facility):
        raise StillAdmitted(
            _("The person is still admitted to %(facility)s; the facility discharges them first.")
            % {"facility": stay.facility.name}
        )
    try:
        quarantine.discharge(by=by, admission=stay, discharged_at=at, reason=reason, note=note, clock=clock)
    except DomainError as error:
        error.field = {"discharged_at": "at"}.get(error.field or "", error.field)
        raise


# Transitions -----------------------------------------------------------------------------------------


def _moment(value: datetime | None, field: str, clock: Clock) -> datetime:
    current = clock()
    moment = value or current
    if not plausible(moment) or moment > current + CLOCK_SKEW:
        raise InvalidInput(_("This time is still in the future."), field=field)
    return moment


def _swap(order: IsolationOrder, version: int | None, **changes: Any) -> None:
    """Compare-and-set: change the open order only if nobody changed it since the officer read it."""
    guard: dict[str, Any] = {"pk": order.pk, "status__in": OPEN}
    if version is not None:
        guard["version"] = version
    if not IsolationOrder.objects.filter(**guard).update(**changes, version=models.F("version") + 1):
        current = IsolationOrder.objects.get(pk=order.pk)
        raise OrderClosed() if current.status not in OPEN else OrderChanged()


def _reload(order: IsolationOrder) -> IsolationOrder:
    return IsolationOrder.objects.select_related("person", "area", "area__ward", "rule", "case").get(
        pk=order.pk
    )


def move_to_monitoring(
    *,
    by: Any,
    order: IsolationOrder,
    at: datetime | None = None,
    version: int | None = None,
    clock: Clock = now,
) -> IsolationOrder:
    """The isolation itself is over: the person is monitored at home (a facility stay is discharged)."""
    _require_on_order(by, order)
    moment = _moment(at, "at", clock)
    if order.status == Status.MONITORING:
        return order  # sent twice
    if order.status != Status.ACTIVE:
        raise OrderClosed()
    if local_date(moment) < local_date(order.isolation_ends_at):
        raise IsolationNotOver(
            _("The isolation runs until %(end)s; the monitoring at home starts then.")
            % {"end": _when(order.isolation_ends_at)},
            field="at",
        )
    with transaction.atomic():
        _swap(order, version, status=Status.MONITORING)
        _leave_facility(by, order, at=moment, reason="released", note="", clock=clock)
        audit.record(
            actor=by,
            action="cases.isolation_monitoring",
            object_type=ORDER_TYPE,
            object_id=order.pk,
            unit_path=order.path,
            before={"status": order.status},
            after={"status": Status.MONITORING, "at": moment.isoformat()},
            clock=clock,
        )
    return _reload(order)


def release(
    *,
    by: Any,
    order: IsolationOrder,
    decision: str,
    released_at: datetime | None = None,
    version: int | None = None,
    reason: str = "",
    clock: Clock = now,
) -> IsolationOrder:
    """Release with a decision (its number); before the isolation's planned end only with a reason."""
    _require_on_order(by, order)
    decision = _text(decision, "decision", DECISION_MAX)
    if not decision:
        raise InvalidInput(_("Give the number of the release decision."), field="decision")
    reason = _text(reason, "reason", REASON_MAX)
    moment = _moment(released_at, "released_at", clock)
    if (
        order.status == Status.RELEASED
        and order.release_decision == decision
        and (released_at is None or order.released_at == released_at)
    ):
        return order  # the same release sent again
    if order.status not in OPEN:
        raise OrderClosed()
    if moment < order.starts_at:
        raise ReleaseBeforeStart(
            _("The order started at %(start)s: the release cannot come before.")
            % {"start": _when(order.starts_at)},
            field="released_at",
        )
    early = moment < order.isolation_ends_at
    if early and not reason:
        raise EarlyReleaseNeedsReason(
            _("The isolation runs until %(end)s: say why the person is released early.")
            % {"end": _when(order.isolation_ends_at)},
            field="reason",
        )
    with transaction.atomic():
        _swap(
            order,
            version,
            status=Status.RELEASED,
            released_at=moment,
            release_decision=decision,
            end_reason=reason,
        )
        _leave_facility(by, order, at=moment, reason="released", note=decision, clock=clock)
        audit.record(
            actor=by,
            action="cases.isolation_release",
            object_type=ORDER_TYPE,
            object_id=order.pk,
            unit_path=order.path,
            before={"status": order.status},
            after={
                "status": Status.RELEASED,
                "at": moment.isoformat(),
                "decision": decision,
                "reason": reason,
            },
            clock=clock,
        )
        if early:
            _tell_ward(
                order,
                kind="cases.isolation_early_release",
                subject=_("Isolation order #%(pk)s released early") % {"pk": order.pk},
                body=_("Released %(at)s (decision %(decision)s) before the planned end %(end)s: %(reason)s")
                % {
                    "at": _when(moment),
                    "decision": decision,
                    "end": _when(order.isolation_ends_at),
                    "reason": reason,
                },
                clock=clock,
            )
    return _reload(order)


def cancel(
    *, by: Any, order: IsolationOrder, reason: str, version: int | None = None, clock: Clock = now
) -> IsolationOrder:
    """Cancel an order given by mistake (the wrong person, a duplicate); it then counts nowhere."""
    _require_on_order(by, order)
    reason = _text(reason, "reason", REASON_MAX)
    if not reason:
        raise InvalidInput(_("Say why the order is cancelled."), field="reason")
    if order.status == Status.CANCELLED:
        return order
    if order.status not in OPEN:
        raise OrderClosed()
    moment = clock()
    with transaction.atomic():
        _swap(order, version, status=Status.CANCELLED, end_reason=reason)
        _leave_facility(by, order, at=max(moment, order.starts_at), reason="other", note=reason, clock=clock)
        audit.record(
            actor=by,
            action="cases.isolation_cancel",
            object_type=ORDER_TYPE,
            object_id=order.pk,
            unit_path=order.path,
            before={"status": order.status},
            after={"status": Status.CANCELLED, "reason": reason},
            clock=clock,
        )
        _tell_ward(
            order,
            kind="cases.isolation_cancelled",
            subject=_("Isolation order #%(pk)s cancelled") % {"pk": order.pk},
            body=reason,
            clock=clock,
        )
    return _reload(order)


def _tell_ward(
    order: IsolationOrder, *, kind: str, subject: str, body: str, clock: Clock, **extra: Any
) -> None:
    """Tell the ward following the person (no name: the link leads to the order, in scope)."""
    notify(
        order.area.ward,
        kind=kind,
        subject=subject,
        body=body,
        url=reverse("cases:isolation_order", args=[order.pk]),
        perm=Perm.TRACE,
        clock=clock,
        **extra,
    )


# Follow-ups ------------------------------------------------------------------------------------------


def _symptoms(values: Iterable[str] | None) -> list[str]:
    chosen = sorted(set(values or ()))
    unknown = [value for value in chosen if value not in Symptom.values]
    if unknown:
        raise InvalidInput(_("Unknown symptom: %(value)s.") % {"value": unknown[0][:40]}, field="symptoms")
    return chosen


def _temperature(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        degrees = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Give the temperature in °C, e.g. 37.2."), field="temperature") from None
    if not LOWEST <= degrees <= HIGHEST:
        raise InvalidInput(
            _("A body temperature is between %(low)s and %(high)s °C.") % {"low": LOWEST, "high": HIGHEST},
            field="temperature",
        )
    return degrees


def _check_result(result: str, symptoms: list[str], temperature: Decimal | None) -> None:
    if result not in FollowUp.Result.values:
        raise InvalidInput(_("Choose well, symptoms or could not be reached."), field="result")
    if result == FollowUp.Result.SYMPTOMS and not symptoms:
        raise InvalidInput(_("Tick the symptoms seen."), field="symptoms")
    if result != FollowUp.Result.SYMPTOMS and symptoms:
        raise InvalidInput(_("Symptoms are ticked: record the result as symptoms."), field="result")
    if result == FollowUp.Result.WELL and temperature is not None and temperature >= FEVER_FROM:
        raise InvalidInput(
            _("%(t)s °C is a fever: record the result as symptoms.") % {"t": temperature}, field="result"
        )
    if result == FollowUp.Result.UNREACHABLE and temperature is not None:
        raise InvalidInput(_("Nobody was reached: leave the temperature empty."), field="temperature")


def _check_day(order: IsolationOrder, day: date, today: date) -> None:
    first = local_date(order.starts_at)
    last = min(today, local_date(order.released_at)) if order.released_at else today
    if first <= day <= last:
        return
    if day > today:
        message = _("%(day)s has not come yet.") % {"day": f"{day:%d/%m/%Y}"}
    elif day < first:
        message = _("The order starts on %(first)s.") % {"first": f"{first:%d/%m/%Y}"}
    else:
        message = _("The person was released on %(last)s.") % {"last": f"{last:%d/%m/%Y}"}
    raise FollowUpDayOutside(message, field="day")


def _same_check(existing: FollowUp, fields: dict[str, Any]) -> bool:
    return all(getattr(existing, name) == value for name, value in fields.items())


def record_follow_up(
    *,
    by: Any,
    order: IsolationOrder,
    day: date,
    result: str,
    symptoms: Iterable[str] | None = None,
    temperature: Any = None,
    note: str = "",
    clock: Clock = now,
) -> tuple[FollowUp, bool]:
    """Record a day's check; the same check again returns the first, a different one is a conflict.

    A check with symptoms tells the following ward at once (once per order and day).
    """
    _require_on_order(by, order)
    if order.status == Status.CANCELLED:
        raise OrderClosed()
    moment = clock()
    _check_day(order, day, local_date(moment))
    chosen = _symptoms(symptoms)
    degrees = _temperature(temperature)
    _check_result(result, chosen, degrees)
    fields = {
        "result": result,
        "symptoms": chosen,
        "temperature": degrees,
        "note": _text(note, "note", NOTE_MAX),
    }
    existing = FollowUp.objects.select_related("checked_by").filter(order=order, day=day).first()
    if existing is not None:
        if _same_check(existing, fields):
            return existing, False
        raise FollowUpRecorded(existing)
    try:
        with transaction.atomic():
            check = FollowUp.objects.create(order=order, day=day, checked_at=moment, checked_by=by, **fields)
            audit.record(
                actor=by,
                action="cases.follow_up",
                object_type="cases.follow_up",
                object_id=check.pk,
                unit_path=order.path,
                after={"order": order.pk, "day": day.isoformat(), "result": result},
                clock=clock,
            )
            if result == FollowUp.Result.SYMPTOMS:
                _tell_symptoms(order, check, clock)
    except IntegrityError:
        # A colleague recorded the same day a moment ago.
        winner = FollowUp.objects.select_related("checked_by").get(order=order, day=day)
        if _same_check(winner, fields):
            return winner, False
        raise FollowUpRecorded(winner) from None
    return check, True


def _tell_symptoms(order: IsolationOrder, check: FollowUp, clock: Clock) -> None:
    labels = dict(Symptom.choices)
    seen = ", ".join(str(labels[value]).lower() for value in check.symptoms)
    if check.temperature is not None:
        seen = f"{seen}; {check.temperature} °C"
    _tell_ward(
        order,
        kind="cases.isolation_symptoms",
        subject=_("Symptoms in isolation (order #%(pk)s, %(subject)s)")
        % {"pk": order.pk, "subject": order.subject},
        body=_("Check of %(day)s: %(seen)s.") % {"day": f"{check.day:%d/%m/%Y}", "seen": seen},
        clock=clock,
        severity="urgent",
        dedupe_key=f"cases.isolation.symptoms:{order.pk}:{check.day.isoformat()}",
    )
