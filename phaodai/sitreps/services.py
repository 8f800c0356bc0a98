"""Writes of situation reports: submit (idempotent), correct, accept, reopen, urgent reports, reminders.

Every write checks the actor's jurisdiction before its transaction (so a refused attempt stays logged),
then runs in one transaction with its audit entry. Transitions are compare-and-set on `version`.
"""

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now, to_local
from phaodai.core.errors import NotPermitted
from phaodai.core.jurisdiction import require_within
from phaodai.core.text import visible
from phaodai.notifications.selectors import already_sent
from phaodai.notifications.services import notify
from phaodai.sitreps import selectors
from phaodai.sitreps.errors import (
    AlreadyAccepted,
    AlreadySubmitted,
    InvalidValues,
    NotAReporter,
    NothingChanged,
    ReasonRequired,
    ReportAccepted,
    ReportChanged,
    ReportNotAccepted,
    SlotClosed,
    SlotNotOpen,
    problem_messages,
)
from phaodai.sitreps.models import Reopening, Revision, Schedule, Submission, UrgentReport
from phaodai.sitreps.rules import clean_values
from phaodai.sitreps.selectors import SlotInstance

KEY_LIMIT = 80


def _words(text: str | None) -> str:
    """Free text as stored: NFC, without control characters (a NUL cannot be stored), trimmed."""
    return unicodedata.normalize("NFC", visible(text or "")).strip()


def _key(idempotency_key: str | None) -> str:
    return (idempotency_key or "").strip()[:KEY_LIMIT]


def validated_values(
    schedule: Schedule, raw: Mapping[str, Any], *, rolled_up: bool = False
) -> dict[str, Any]:
    """The report's typed values, or InvalidValues naming every field that is wrong."""
    checks = selectors.form_checks(schedule)
    values, problems = clean_values(
        selectors.field_specs(selectors.form_fields(schedule)),
        selectors.check_specs(checks),
        raw,
        rolled_up=rolled_up,
    )
    if problems:
        raise InvalidValues(problem_messages(problems, selectors.check_messages(checks)))
    return values


def _require_reporter(by: Any, schedule: Schedule, unit: Any) -> None:
    require_within(by, Perm.SUBMIT_REPORTS, path=unit.path, object_type="territory.unit", object_id=unit.pk)
    if not selectors.is_reporter(schedule, unit):
        raise NotAReporter(field="unit")
    if not selectors.may_submit_for(by, unit):
        raise NotPermitted(
            _("Reports of %(unit)s are submitted by its own officials.") % {"unit": unit.full_name}
        )


def _require_open(instance: SlotInstance, moment: Any) -> None:
    state = instance.timing.state(moment)
    if state == "upcoming":
        opens = to_local(instance.timing.opens_at)
        raise SlotNotOpen(
            _("The %(slot)s slot takes reports from %(opens)s.")
            % {"slot": instance.local_label, "opens": f"{opens:%d/%m/%Y %H:%M}"},
            field="slot",
        )
    if state == "closed":
        raise SlotClosed(
            _("The %(slot)s slot closed at %(closed)s.")
            % {"slot": instance.local_label, "closed": f"{to_local(instance.timing.locks_at):%d/%m/%Y %H:%M}"}
        )


def _same_request(existing: Submission, values: Mapping[str, Any], key: str) -> bool:
    """A retry: the same idempotency key, or (without one) the same values as the first submission."""
    if key:
        return existing.idempotency_key == key or existing.revisions.filter(idempotency_key=key).exists()
    first = existing.revisions.order_by("number").values_list("values", flat=True).first()
    return first == dict(values)


def submit_report(
    *,
    by: Any,
    schedule: Schedule,
    unit: Any,
    instance: SlotInstance,
    values: Mapping[str, Any],
    prefilled: Mapping[str, Any] | None = None,
    rolled_up_from: Sequence[str] = (),
    idempotency_key: str | None = None,
    clock: Clock = now,
) -> tuple[Submission, bool]:
    """The unit's report for the slot, and whether this call created it (False: a retry got the first one)."""
    _require_reporter(by, schedule, unit)
    clean = validated_values(schedule, values, rolled_up=bool(rolled_up_from))
    key = _key(idempotency_key)
    existing = selectors.submission_at(schedule, unit, instance)
    if existing is not None:
        return _retry_or_refuse(existing, clean, key)
    moment = clock()
    _require_open(instance, moment)
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                schedule=schedule,
                slot=instance.slot,
                unit=unit,
                unit_path=unit.path,
                receiver=unit.parent,
                slot_at=instance.timing.slot_at,
                deadline_at=instance.timing.deadline_at,
                submitted_at=moment,
                submitted_by=by,
                on_time=instance.timing.is_on_time(moment),
                values=clean,
                prefilled=dict(prefilled or {}),
                rolled_up_from=list(rolled_up_from),
                idempotency_key=key,
            )
            Revision.objects.create(
                submission=submission, number=1, values=clean, by=by, at=moment, idempotency_key=key
            )
            audit.record(
                actor=by,
                action="sitreps.submit",
                object_type="sitreps.submission",
                object_id=submission.pk,
                unit_path=unit.path,
                after={"slot": instance.iso, "on_time": submission.on_time, "values": clean},
                clock=clock,
            )
    except IntegrityError:
        # A concurrent retry won the race; answer as a retry would.
        existing = selectors.submission_at(schedule, unit, instance)
        if existing is None:
            raise
        return _retry_or_refuse(existing, clean, key)
    return submission, True


def _retry_or_refuse(existing: Submission, values: Mapping[str, Any], key: str) -> tuple[Submission, bool]:
    if _same_request(existing, values, key):
        return existing, False
    raise AlreadySubmitted(
        _("%(unit)s already reported for this slot at %(at)s; send a correction with a reason.")
        % {"unit": existing.unit.full_name, "at": f"{to_local(existing.submitted_at):%d/%m/%Y %H:%M}"}
    )


def _cas(submission: Submission, version: int | None, statuses: Sequence[str], **changes: Any) -> Submission:
    """Compare-and-set: change the report only if nobody changed it meanwhile (works on SQLite too)."""
    guard = Q(pk=submission.pk, status__in=statuses)
    if version is not None:
        guard &= Q(version=version)
    if not Submission.objects.filter(guard).update(version=F("version") + 1, **changes):
        current = Submission.objects.get(pk=submission.pk)
        if current.status not in statuses:
            raise ReportAccepted() if current.status == Submission.Status.ACCEPTED else ReportNotAccepted()
        raise ReportChanged()
    return Submission.objects.select_related("schedule", "slot", "unit", "receiver").get(pk=submission.pk)


def correct_report(
    *,
    by: Any,
    submission: Submission,
    values: Mapping[str, Any],
    reason: str,
    version: int | None = None,
    idempotency_key: str | None = None,
    clock: Clock = now,
) -> tuple[Submission, bool]:
    """A new revision with a reason; a retry (same key) returns the report as is. Timeliness stays."""
    _require_reporter(by, submission.schedule, submission.unit)
    key = _key(idempotency_key)
    if _revision_with_key(submission, key):
        return submission, False
    reason = _words(reason)
    if not reason:
        raise ReasonRequired(field="reason")
    clean = validated_values(submission.schedule, values, rolled_up=bool(submission.rolled_up_from))
    if submission.status == Submission.Status.ACCEPTED:
        raise ReportAccepted()
    moment = clock()
    _require_correctable(submission, moment)
    if clean == submission.values:
        raise NothingChanged()
    try:
        return _add_revision(submission, by, clean, reason, key, version, moment, clock), True
    except (IntegrityError, ReportChanged):
        # A double click or a retry raced this one: its revision is the answer.
        if _revision_with_key(submission, key):
            return Submission.objects.get(pk=submission.pk), False
        raise


def _revision_with_key(submission: Submission, key: str) -> bool:
    return bool(key) and Revision.objects.filter(submission=submission, idempotency_key=key).exists()


def _require_correctable(submission: Submission, moment: Any) -> None:
    """Open until the slot locks; a report reopened by the receiving level is open as long again from then."""
    instance = selectors.instance_of(submission.schedule, submission.slot, local_date(submission.slot_at))
    reopened = submission.reopenings.order_by("-at").values_list("at", flat=True).first()
    if reopened is not None and moment <= reopened + timedelta(hours=submission.schedule.lock_after_hours):
        return
    _require_open(instance, moment)


def _add_revision(
    submission: Submission,
    by: Any,
    clean: dict[str, Any],
    reason: str,
    key: str,
    version: int | None,
    moment: Any,
    clock: Clock,
) -> Submission:
    with transaction.atomic():
        updated = _cas(
            submission, version, [Submission.Status.SUBMITTED], values=clean, revision=F("revision") + 1
        )
        Revision.objects.create(
            submission=updated,
            number=updated.revision,
            values=clean,
            reason=reason,
            by=by,
            at=moment,
            idempotency_key=key,
        )
        audit.record(
            actor=by,
            action="sitreps.correct",
            object_type="sitreps.submission",
            object_id=updated.pk,
            unit_path=updated.unit_path,
            before={"values": submission.values},
            after={"values": clean},
            clock=clock,
        )
    return updated


def _require_receiver(by: Any, submission: Submission) -> None:
    require_within(
        by,
        Perm.REVIEW_REPORTS,
        path=submission.unit_path,
        object_type="sitreps.submission",
        object_id=submission.pk,
    )
    if not selectors.may_review(by, submission):
        raise NotPermitted(_("Only the receiving level may accept or reopen a report."))


def accept_report(
    *, by: Any, submission: Submission, version: int | None = None, clock: Clock = now
) -> Submission:
    """The receiving level accepts the report; it is locked until reopened."""
    _require_receiver(by, submission)
    with transaction.atomic():
        moment = clock()
        try:
            updated = _cas(
                submission,
                version,
                [Submission.Status.SUBMITTED],
                status=Submission.Status.ACCEPTED,
                accepted_at=moment,
                accepted_by=by,
            )
        except ReportAccepted:
            raise _already_accepted(submission) from None
        audit.record(
            actor=by,
            action="sitreps.accept",
            object_type="sitreps.submission",
            object_id=updated.pk,
            unit_path=updated.unit_path,
            after={"status": updated.status},
            clock=clock,
        )
    return updated


def _already_accepted(submission: Submission) -> AlreadyAccepted:
    """The loser of two accepts learns who accepted first, and when."""
    current = Submission.objects.select_related("accepted_by").get(pk=submission.pk)
    who = current.accepted_by.username if current.accepted_by else "?"
    when = f"{to_local(current.accepted_at):%H:%M %d/%m/%Y}" if current.accepted_at else "?"
    return AlreadyAccepted(
        _("This report was already accepted by %(who)s at %(at)s.") % {"who": who, "at": when}
    )


def reopen_report(
    *, by: Any, submission: Submission, reason: str, version: int | None = None, clock: Clock = now
) -> Submission:
    """The receiving level reopens an accepted report so the unit can correct it."""
    _require_receiver(by, submission)
    reason = _words(reason)
    if not reason:
        raise ReasonRequired(field="reason")
    with transaction.atomic():
        moment = clock()
        updated = _cas(
            submission,
            version,
            [Submission.Status.ACCEPTED],
            status=Submission.Status.SUBMITTED,
            accepted_at=None,
            accepted_by=None,
        )
        Reopening.objects.create(submission=updated, reason=reason, by=by, at=moment)
        audit.record(
            actor=by,
            action="sitreps.reopen",
            object_type="sitreps.submission",
            object_id=updated.pk,
            unit_path=updated.unit_path,
            after={"status": updated.status},
            clock=clock,
        )
        notify(
            updated.unit,
            kind="sitreps.reopened",
            perm=Perm.SUBMIT_REPORTS,
            severity="warning",
            subject=_("%(unit)s reopened your report of %(slot)s")
            % {"unit": updated.receiver.full_name, "slot": f"{to_local(updated.slot_at):%d/%m/%Y %H:%M}"},
            body=reason,
            url=reverse("sitreps:submission", args=[updated.pk]),
            clock=clock,
        )
    return updated


def report_urgent(
    *,
    by: Any,
    unit: Any,
    severity: str,
    subject: str,
    body: str,
    idempotency_key: str | None = None,
    clock: Clock = now,
) -> tuple[UrgentReport, bool]:
    """An unscheduled report, sent at once to the level above, which is notified (S10: "đột xuất")."""
    require_within(by, Perm.SUBMIT_REPORTS, path=unit.path, object_type="territory.unit", object_id=unit.pk)
    if not selectors.may_submit_for(by, unit) or unit.parent is None:
        raise NotPermitted(
            _("Reports of %(unit)s are submitted by its own officials.") % {"unit": unit.full_name}
        )
    key = _key(idempotency_key)
    if key:
        existing = UrgentReport.objects.filter(unit=unit, idempotency_key=key).first()
        if existing is not None:
            return existing, False
    errors = {}
    if severity not in UrgentReport.Severity.values:
        errors["severity"] = _("Choose high or critical.")
    subject, body = _words(subject), _words(body)
    if not subject:
        errors["subject"] = _("Say in a few words what happened.")
    elif len(subject) > 200:
        errors["subject"] = _("Keep the subject under 200 characters.")
    if not body:
        errors["body"] = _("Describe the situation.")
    if errors:
        raise InvalidValues(errors)
    moment = clock()
    receiver = unit.parent
    try:
        with transaction.atomic():
            report = UrgentReport.objects.create(
                unit=unit,
                unit_path=unit.path,
                receiver=receiver,
                receiver_path=receiver.path,
                severity=severity,
                subject=subject,
                body=body,
                reported_at=moment,
                reported_by=by,
                idempotency_key=key,
            )
            audit.record(
                actor=by,
                action="sitreps.urgent",
                object_type="sitreps.urgentreport",
                object_id=report.pk,
                unit_path=unit.path,
                after={"severity": severity},
                clock=clock,
            )
            notify(
                receiver,
                kind="sitreps.urgent",
                perm=Perm.REVIEW_REPORTS,
                severity="urgent",
                subject=_("URGENT from %(unit)s: %(subject)s")
                % {"unit": unit.full_name, "subject": report.subject},
                body=report.body,
                url=reverse("sitreps:urgent", args=[report.pk]),
                clock=clock,
            )
    except IntegrityError:
        existing = UrgentReport.objects.filter(unit=unit, idempotency_key=key).first()
        if existing is None:
            raise
        return existing, False
    return report, True


def acknowledge_urgent(*, by: Any, report: UrgentReport, clock: Clock = now) -> UrgentReport:
    """The receiving level has read and taken up the report (the first acknowledgement stands)."""
    require_within(
        by,
        Perm.REVIEW_REPORTS,
        path=report.receiver_path,
        object_type="sitreps.urgentreport",
        object_id=report.pk,
    )
    with transaction.atomic():
        moment = clock()
        if UrgentReport.objects.filter(pk=report.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=moment, acknowledged_by=by
        ):
            audit.record(
                actor=by,
                action="sitreps.acknowledge",
                object_type="sitreps.urgentreport",
                object_id=report.pk,
                unit_path=report.unit_path,
                clock=clock,
            )
    return UrgentReport.objects.select_related("unit", "receiver").get(pk=report.pk)


@dataclass(frozen=True)
class ReminderRun:
    reminded: int
    escalated: int


def send_reminders(*, clock: Clock = now) -> ReminderRun:
    """Remind units that have not reported before a deadline; after it, tell the receiving level who is late.

    Safe to run as often as wanted (every few minutes from cron or the task worker): each reminder and
    escalation has a key and is sent once.
    """
    moment = clock()
    today = local_date(moment)
    reminded = escalated = 0
    for schedule in selectors.schedules():
        for day in (today - timedelta(days=1), today):
            for instance in selectors.instances_on(schedule, day):
                timing = instance.timing
                reminding = (
                    timing.deadline_at - timedelta(minutes=schedule.remind_minutes_before)
                    <= moment
                    < timing.deadline_at
                )
                escalating = timing.on_time_until < moment <= timing.locks_at
                if not (reminding or escalating):
                    continue
                missing = _missing_units(schedule, instance)
                if reminding:
                    reminded += _remind(schedule, instance, missing, clock)
                else:
                    escalated += _escalate(schedule, instance, missing, clock)
    return ReminderRun(reminded=reminded, escalated=escalated)


def _missing_units(schedule: Schedule, instance: SlotInstance) -> list[Any]:
    reported = set(
        Submission.objects.filter(schedule=schedule, slot_at=instance.timing.slot_at).values_list(
            "unit_id", flat=True
        )
    )
    return [
        unit
        for unit in selectors.reporting_units(schedule).select_related("parent")
        if unit.pk not in reported
    ]


def _remind(schedule: Schedule, instance: SlotInstance, missing: Sequence[Any], clock: Clock) -> int:
    deadline = f"{to_local(instance.timing.deadline_at):%H:%M %d/%m/%Y}"
    keys = {unit.pk: f"sitreps:remind:{schedule.code}:{unit.code}:{instance.iso}" for unit in missing}
    done = already_sent(list(keys.values()))
    missing = [unit for unit in missing if keys[unit.pk] not in done]
    for unit in missing:
        notify(
            unit,
            kind="sitreps.reminder",
            perm=Perm.SUBMIT_REPORTS,
            severity="warning",
            subject=_("Report due by %(deadline)s: %(schedule)s")
            % {"deadline": deadline, "schedule": schedule.name},
            url=reverse("sitreps:submit", args=[schedule.code]) + f"?slot={instance.iso}&unit={unit.code}",
            dedupe_key=keys[unit.pk],
            clock=clock,
        )
    return len(missing)


def _escalate(schedule: Schedule, instance: SlotInstance, missing: Sequence[Any], clock: Clock) -> int:
    by_receiver: dict[int, list[Any]] = {}
    for unit in missing:
        by_receiver.setdefault(unit.parent_id, []).append(unit)
    keys = {
        receiver: f"sitreps:missing:{schedule.code}:{units[0].parent.code}:{instance.iso}"
        for receiver, units in by_receiver.items()
    }
    done = already_sent(list(keys.values()))
    sent = 0
    for receiver_id, units in by_receiver.items():
        if keys[receiver_id] in done:
            continue
        receiver = units[0].parent
        names = ", ".join(unit.full_name for unit in units)
        sent += 1
        notify(
            receiver,
            kind="sitreps.missing",
            perm=Perm.REVIEW_REPORTS,
            severity="urgent",
            subject=_("%(count)s units have not reported for %(slot)s")
            % {"count": len(units), "slot": instance.local_label},
            body=names,
            url=reverse("sitreps:timeliness", args=[schedule.code]) + f"?date={instance.day.isoformat()}",
            dedupe_key=keys[receiver_id],
            clock=clock,
        )
    return sent
