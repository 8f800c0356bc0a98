"""Writes of situation reports: idempotent submission, corrections, acceptance, urgent reports, reminders."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core import mail
from django.db import connection

from phaodai.core.clock import hanoi
from phaodai.core.errors import NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.notifications.models import Notification
from phaodai.sitreps import selectors, services
from phaodai.sitreps.errors import (
    AlreadyAccepted,
    AlreadySubmitted,
    InvalidValues,
    NoSuchSlot,
    NotAReporter,
    NothingChanged,
    ReasonRequired,
    ReportAccepted,
    ReportChanged,
    ReportNotAccepted,
    SlotClosed,
    SlotNotOpen,
)
from phaodai.sitreps.models import Reopening, Revision, Submission, UrgentReport
from phaodai.sitreps.tests.conftest import BO_DE, NGOC_LAM, WARD_SCHEDULE, at, report

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "submissions": Submission.objects.count(),
        "revisions": Revision.objects.count(),
        "reopenings": Reopening.objects.count(),
        "urgent": UrgentReport.objects.count(),
        "notifications": Notification.objects.count(),
        "sitreps_audit": AuditEntry.objects.filter(action__startswith="sitreps.").count(),
    }


@contextmanager
def nothing_written() -> Iterator[None]:
    """The block is refused and leaves no report, revision, notification or audit entry behind."""
    before = counts()
    yield
    assert counts() == before


# Submitting ---------------------------------------------------------------------------------------


def test_a_ward_report_before_the_deadline_is_on_time_with_its_first_revision(submit, ward_officer_bo_de):
    submission, created = submit(ward_officer_bo_de, values=report(tests_taken="1.200"))
    assert created and submission.on_time and submission.status == Submission.Status.SUBMITTED
    assert submission.values["tests_taken"] == 1200  # typed as it is stored
    assert (submission.receiver.code, submission.unit_path) == ("004", "/01/004/00139/")
    [revision] = submission.revisions.all()
    assert (revision.number, revision.values, revision.by) == (1, submission.values, ward_officer_bo_de)
    assert AuditEntry.objects.filter(action="sitreps.submit", object_id=str(submission.pk)).count() == 1


def test_a_report_after_the_deadline_is_late(submit, ward_officer_bo_de):
    submission, _ = submit(ward_officer_bo_de, clock=at(16, 30, 1))
    assert not submission.on_time


def test_a_retry_with_the_same_key_returns_the_first_report(submit, ward_officer_bo_de):
    first, created = submit(ward_officer_bo_de, idempotency_key="retry-1")
    with nothing_written():
        again, created_again = submit(ward_officer_bo_de, idempotency_key="retry-1", clock=at(15, 1))
        # Even if the retry's body was re-typed differently, the key says it is the same request.
        third, _ = submit(ward_officer_bo_de, values=report(f1_traced=99), idempotency_key="retry-1")
    assert created and not created_again
    assert again.pk == first.pk == third.pk and again.submitted_at == first.submitted_at


def test_a_double_submission_of_the_same_values_without_a_key_returns_the_first(submit, ward_officer_bo_de):
    first, _ = submit(ward_officer_bo_de)
    with nothing_written():
        again, created = submit(ward_officer_bo_de, clock=at(15, 0, 2))
    assert (again.pk, created) == (first.pk, False)


def test_different_values_for_a_slot_already_reported_are_refused(submit, ward_officer_bo_de):
    submit(ward_officer_bo_de, idempotency_key="first")
    with nothing_written(), pytest.raises(AlreadySubmitted) as refused:
        submit(ward_officer_bo_de, values=report(f1_traced=15), idempotency_key="second")
    assert refused.value.status == 409 and "correction" in str(refused.value)
    with nothing_written(), pytest.raises(AlreadySubmitted):
        submit(ward_officer_bo_de, values=report(f1_traced=15))


def test_a_retry_that_lost_the_race_to_its_twin_answers_as_a_retry(submit, ward_officer_bo_de, monkeypatch):
    # Simulates two requests of a double click: the second looked before the first committed, so it
    # saw no report, then its insert hit the unique constraint; it must answer with the first report.
    first, _ = submit(ward_officer_bo_de, idempotency_key="click")
    real = selectors.submission_at
    looks: list[Any] = []

    def not_yet_committed(*args: Any) -> Any:
        looks.append(args)
        return None if len(looks) == 1 else real(*args)

    monkeypatch.setattr(selectors, "submission_at", not_yet_committed)
    with nothing_written():
        again, created = submit(ward_officer_bo_de, idempotency_key="click")
    assert (again.pk, created) == (first.pk, False) and len(looks) == 2
    with nothing_written(), pytest.raises(AlreadySubmitted):
        looks.clear()
        submit(ward_officer_bo_de, values=report(f1_traced=1), idempotency_key="other")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_of_a_slot_leave_one_report(unit, ward_officer_bo_de):
    schedule = selectors.schedule_by_code(WARD_SCHEDULE)
    instance = selectors.parse_slot(schedule, "2021-09-08T16:30")
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def send(key: str, values: dict[str, Any]) -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(
                services.submit_report(
                    by=ward_officer_bo_de,
                    schedule=schedule,
                    unit=unit(BO_DE),
                    instance=instance,
                    values=values,
                    idempotency_key=key,
                    clock=at(15),
                )
            )
        except Exception as error:  # the loser's answer is the point
            outcomes.append(error)
        finally:
            connection.close()

    for pair in ([("click", report()), ("click", report())], [("a", report()), ("b", report(f1_traced=1))]):
        Submission.objects.all().delete()
        outcomes.clear()
        threads = [threading.Thread(target=send, args=args) for args in pair]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert Submission.objects.filter(unit__code=BO_DE).count() == 1, outcomes
        assert Revision.objects.filter(submission__unit__code=BO_DE).count() == 1
        won = [o for o in outcomes if isinstance(o, tuple) and o[1]]
        assert len(won) == 1, outcomes
        [other] = [o for o in outcomes if o is not won[0]]
        if pair[0][0] == pair[1][0]:  # the same key: the twin gets the same report
            assert isinstance(other, tuple) and other[0].pk == won[0][0].pk and not other[1]
        else:  # different values: a clear conflict
            assert isinstance(other, AlreadySubmitted), outcomes


def test_bad_values_name_every_field_and_write_nothing(submit, ward_officer_bo_de):
    bad = report(tests_taken="abc", f1_traced=-1, vaccinations=True, quarantine_home=1.5, nope=1)
    del bad["new_f0_community"]
    with nothing_written(), pytest.raises(InvalidValues) as refused:
        submit(ward_officer_bo_de, values=bad)
    assert refused.value.status == 422
    assert set(refused.value.problems) == {
        "tests_taken", "f1_traced", "vaccinations", "quarantine_home", "nope", "new_f0_community",
    }  # fmt: skip
    assert refused.value.problems["f1_traced"] == "A count cannot be negative."
    errors = refused.value.as_dict()["errors"]
    assert {"field": "nope", "message": "This form has no such field."} in errors


def test_a_value_breaking_a_check_is_refused_with_the_forms_message(submit, ward_officer_bo_de):
    with nothing_written(), pytest.raises(InvalidValues) as refused:
        submit(ward_officer_bo_de, values=report(tests_taken=2, tests_positive=3))
    assert refused.value.problems == {"tests_positive": "Positive samples cannot exceed the samples taken."}


def test_a_slot_not_yet_open_is_refused(submit, schedule, ward_officer_bo_de):
    with nothing_written(), pytest.raises(SlotNotOpen) as refused:
        submit(ward_officer_bo_de, clock=at(8, 29))
    assert refused.value.status == 422 and "08/09/2021 08:30" in str(refused.value)
    tomorrow = selectors.parse_slot(schedule, "2021-09-09T16:30")
    with nothing_written(), pytest.raises(SlotNotOpen):
        submit(ward_officer_bo_de, instance=tomorrow)


def test_a_closed_slot_is_refused(submit, ward_officer_bo_de, ward_officer_ngoc_lam):
    late, _ = submit(ward_officer_bo_de, clock=at(16, 30, day=9))  # the last minute before the lock
    assert not late.on_time
    with nothing_written(), pytest.raises(SlotClosed) as refused:
        submit(ward_officer_ngoc_lam, code=NGOC_LAM, clock=at(16, 30, 1, day=9))
    assert refused.value.status == 409 and "09/09/2021 16:30" in str(refused.value)


def test_a_time_that_is_not_a_slot_of_the_schedule_is_refused(schedule):
    with pytest.raises(NoSuchSlot) as refused:
        selectors.parse_slot(schedule, "2021-09-08T16:00")
    assert "its slots are 16:30" in str(refused.value)
    for text in ("08/09/2021 16:30", "2021-09-08T16:30:15", "", "2021-07-31T16:30", "9999-09-08T16:30"):
        with pytest.raises(NoSuchSlot):
            selectors.parse_slot(schedule, text)
    # The same instant with an offset names the same slot.
    assert selectors.parse_slot(schedule, "2021-09-08T09:30:00+00:00").iso == "2021-09-08T16:30"


def test_a_district_is_not_a_reporter_on_the_ward_schedule(submit, district_officer_long_bien):
    with nothing_written(), pytest.raises(NotAReporter):
        submit(district_officer_long_bien, code="004")


def test_a_district_officer_cannot_submit_for_one_of_its_wards(submit, district_officer_long_bien):
    with nothing_written(), pytest.raises(NotPermitted) as refused:
        submit(district_officer_long_bien, code=BO_DE)
    assert refused.value.status == 403


def test_a_ward_outside_the_officers_jurisdiction_is_not_found_and_the_attempt_logged(
    submit, ward_officer_phuc_xa
):
    before = counts()
    with pytest.raises(OutOfScope) as refused:
        submit(ward_officer_phuc_xa, code=BO_DE)
    assert refused.value.status == 404
    denied = AuditEntry.objects.filter(action="scope.denied", actor_username="ward-00001")
    assert denied.count() == 1 and denied.get().unit_path == "/01/004/00139/"
    assert counts() == before


def test_a_role_without_reporting_cannot_submit(submit, health_worker_bo_de):
    with nothing_written(), pytest.raises(NotPermitted):
        submit(health_worker_bo_de)


# Corrections, acceptance, reopening ---------------------------------------------------------------


def test_a_correction_adds_a_revision_with_its_reason_and_keeps_timeliness(submit, ward_officer_bo_de):
    first, _ = submit(ward_officer_bo_de)
    corrected, created = services.correct_report(
        by=ward_officer_bo_de, submission=first, values=report(f1_traced=20),
        reason="  Bổ sung F1 của tổ 5  ", version=first.version, clock=at(17, 30),
    )  # fmt: skip
    assert created and corrected.values["f1_traced"] == 20
    assert (corrected.revision, corrected.version, corrected.on_time) == (2, 2, True)
    assert corrected.submitted_at == first.submitted_at
    revisions = list(corrected.revisions.order_by("number"))
    assert [(r.number, r.reason) for r in revisions] == [(1, ""), (2, "Bổ sung F1 của tổ 5")]
    assert revisions[0].values["f1_traced"] == 14  # history is kept
    assert AuditEntry.objects.filter(action="sitreps.correct").count() == 1


def test_a_correction_needs_a_reason_and_a_change(submit, ward_officer_bo_de):
    first, _ = submit(ward_officer_bo_de)
    with nothing_written(), pytest.raises(ReasonRequired):
        services.correct_report(
            by=ward_officer_bo_de, submission=first, values=report(f1_traced=2), reason=" "
        )
    with nothing_written(), pytest.raises(NothingChanged):
        services.correct_report(
            by=ward_officer_bo_de, submission=first, values=report(), reason="x", clock=at(15, 5)
        )
    with nothing_written(), pytest.raises(InvalidValues):
        services.correct_report(
            by=ward_officer_bo_de, submission=first, values=report(f1_traced=-2), reason="x", clock=at(15, 5)
        )


def test_a_correction_retried_with_its_key_adds_one_revision(submit, ward_officer_bo_de):
    first, _ = submit(ward_officer_bo_de)

    def correct() -> tuple[Submission, bool]:
        return services.correct_report(
            by=ward_officer_bo_de, submission=Submission.objects.get(pk=first.pk), values=report(f1_traced=3),
            reason="sửa", idempotency_key="fix-1", clock=at(15, 10),
        )  # fmt: skip

    assert correct()[1] and not correct()[1]
    assert Revision.objects.filter(submission=first).count() == 2


def test_a_stale_correction_is_a_conflict(submit, ward_officer_bo_de):
    first, _ = submit(ward_officer_bo_de)
    services.correct_report(
        by=ward_officer_bo_de, submission=first, values=report(f1_traced=3), reason="a", clock=at(15, 10)
    )
    with nothing_written(), pytest.raises(ReportChanged):
        services.correct_report(
            by=ward_officer_bo_de, submission=first, values=report(f1_traced=4), reason="b",
            version=first.version, clock=at(15, 11),
        )  # fmt: skip


def test_a_correction_after_the_lock_is_refused(submit, ward_officer_bo_de):
    first, _ = submit(ward_officer_bo_de)
    with nothing_written(), pytest.raises(SlotClosed):
        services.correct_report(
            by=ward_officer_bo_de, submission=first, values=report(f1_traced=3), reason="x",
            clock=at(16, 31, day=9),
        )  # fmt: skip


def test_an_accepted_report_cannot_be_corrected_until_reopened(
    submit, ward_officer_bo_de, district_officer_long_bien
):
    first, _ = submit(ward_officer_bo_de)
    accepted = services.accept_report(
        by=district_officer_long_bien, submission=first, version=first.version, clock=at(16, 45)
    )
    assert (
        accepted.status == Submission.Status.ACCEPTED and accepted.accepted_by == district_officer_long_bien
    )
    with nothing_written(), pytest.raises(ReportAccepted) as refused:
        services.correct_report(
            by=ward_officer_bo_de, submission=accepted, values=report(f1_traced=3), reason="x", clock=at(17)
        )
    assert refused.value.status == 409
    assert Submission.objects.get(pk=first.pk).values == first.values

    reopened = services.reopen_report(
        by=district_officer_long_bien, submission=accepted, reason="Số F1 chưa khớp", clock=at(17, 5)
    )
    assert reopened.status == Submission.Status.SUBMITTED and reopened.accepted_at is None
    assert Reopening.objects.get(submission=first).reason == "Số F1 chưa khớp"
    # The ward is told why.
    told = Notification.objects.get(kind="sitreps.reopened")
    assert told.unit.code == BO_DE and told.body == "Số F1 chưa khớp"
    corrected, _ = services.correct_report(
        by=ward_officer_bo_de, submission=reopened, values=report(f1_traced=3), reason="x", clock=at(17, 10)
    )
    assert corrected.revision == 2 and corrected.on_time


def test_reopening_needs_a_reason_and_an_accepted_report(
    submit, ward_officer_bo_de, district_officer_long_bien
):
    first, _ = submit(ward_officer_bo_de)
    with nothing_written(), pytest.raises(ReportNotAccepted):
        services.reopen_report(by=district_officer_long_bien, submission=first, reason="x")
    services.accept_report(by=district_officer_long_bien, submission=first)
    with nothing_written(), pytest.raises(ReasonRequired):
        services.reopen_report(by=district_officer_long_bien, submission=first, reason="")


def test_only_the_receiving_level_accepts(
    submit, ward_officer_bo_de, ward_officer_ngoc_lam, district_officer_ba_dinh, city_commander
):
    first, _ = submit(ward_officer_bo_de)
    with nothing_written(), pytest.raises(NotPermitted):
        services.accept_report(by=ward_officer_bo_de, submission=first)
    with nothing_written(), pytest.raises(NotPermitted):
        services.accept_report(by=ward_officer_ngoc_lam, submission=first)
    with nothing_written(), pytest.raises(OutOfScope):
        services.accept_report(by=district_officer_ba_dinh, submission=first)
    # The city is above the receiving district and may act for it.
    assert services.accept_report(by=city_commander, submission=first).status == Submission.Status.ACCEPTED


def test_two_acceptances_of_the_same_version_have_one_winner(
    submit, ward_officer_bo_de, district_officer_long_bien
):
    first, _ = submit(ward_officer_bo_de)
    stale = Submission.objects.get(pk=first.pk)  # both officers opened the report at version 1
    services.accept_report(by=district_officer_long_bien, submission=stale, version=stale.version)
    with nothing_written(), pytest.raises((AlreadyAccepted, ReportChanged)) as lost:
        services.accept_report(by=district_officer_long_bien, submission=stale, version=stale.version)
    assert lost.value.status == 409 and "already accepted by district-004" in str(lost.value)
    assert Submission.objects.get(pk=first.pk).version == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_acceptances_have_one_winner(
    unit, ward_officer_bo_de, district_officer_long_bien, city_commander
):
    schedule = selectors.schedule_by_code(WARD_SCHEDULE)
    first, _ = services.submit_report(
        by=ward_officer_bo_de, schedule=schedule, unit=unit(BO_DE),
        instance=selectors.parse_slot(schedule, "2021-09-08T16:30"), values=report(), clock=at(15),
    )  # fmt: skip
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def accept(by: Any) -> None:
        try:
            start.wait(timeout=10)
            stale = Submission.objects.get(pk=first.pk)
            outcomes.append(services.accept_report(by=by, submission=stale, version=1, clock=at(16, 40)))
        except Exception as error:  # the loser's conflict is the point
            outcomes.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(by,)) for by in (district_officer_long_bien, city_commander)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    won = [o for o in outcomes if isinstance(o, Submission)]
    lost = [o for o in outcomes if not isinstance(o, Submission)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], AlreadyAccepted | ReportChanged)
    assert Submission.objects.get(pk=first.pk).version == 2
    assert AuditEntry.objects.filter(action="sitreps.accept").count() == 1


# Urgent reports -----------------------------------------------------------------------------------


def test_an_urgent_report_notifies_the_district_in_the_app_and_by_mail(
    unit, ward_officer_bo_de, district_officer_long_bien, django_capture_on_commit_callbacks
):
    district_officer_long_bien.email = "chihuy.longbien@example.vn"
    district_officer_long_bien.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        urgent, created = services.report_urgent(
            by=ward_officer_bo_de, unit=unit(BO_DE), severity="critical",
            subject="Ổ dịch mới tại chợ Bồ Đề", body="12 F0 trong ngày, đề nghị phong tỏa tạm thời.",
            idempotency_key="u-1", clock=at(10),
        )  # fmt: skip
    assert created and urgent.receiver.code == "004"
    [note] = Notification.objects.filter(kind="sitreps.urgent")
    assert (note.unit.code, note.severity) == ("004", "urgent")
    assert "Ổ dịch mới tại chợ Bồ Đề" in note.subject
    [message] = mail.outbox
    assert message.to == ["chihuy.longbien@example.vn"] and "Ổ dịch mới" in message.subject
    with nothing_written():
        again, created_again = services.report_urgent(
            by=ward_officer_bo_de, unit=unit(BO_DE), severity="critical", subject="x", body="y",
            idempotency_key="u-1", clock=at(10, 1),
        )  # fmt: skip
    assert (again.pk, created_again) == (urgent.pk, False)


def test_an_urgent_report_needs_a_severity_a_subject_and_a_body(unit, ward_officer_bo_de):
    with nothing_written(), pytest.raises(InvalidValues) as refused:
        services.report_urgent(by=ward_officer_bo_de, unit=unit(BO_DE), severity="low", subject=" ", body="")
    assert set(refused.value.problems) == {"severity", "subject", "body"}


def test_an_urgent_report_is_sent_by_the_units_own_officials(
    unit, district_officer_long_bien, ward_officer_phuc_xa
):
    with nothing_written(), pytest.raises(NotPermitted):
        services.report_urgent(
            by=district_officer_long_bien, unit=unit(BO_DE), severity="high", subject="x", body="y"
        )
    with pytest.raises(OutOfScope):
        services.report_urgent(
            by=ward_officer_phuc_xa, unit=unit(BO_DE), severity="high", subject="x", body="y"
        )


def test_the_first_acknowledgement_of_an_urgent_report_stands(
    unit, ward_officer_bo_de, district_officer_long_bien, city_commander
):
    urgent, _ = services.report_urgent(
        by=ward_officer_bo_de, unit=unit(BO_DE), severity="high", subject="x", body="y", clock=at(10)
    )
    with pytest.raises(NotPermitted):
        services.acknowledge_urgent(by=ward_officer_bo_de, report=urgent)
    first = services.acknowledge_urgent(by=district_officer_long_bien, report=urgent, clock=at(10, 5))
    second = services.acknowledge_urgent(by=city_commander, report=urgent, clock=at(10, 9))
    assert first.acknowledged_at == second.acknowledged_at == hanoi(2021, 9, 8, 10, 5)
    assert second.acknowledged_by == district_officer_long_bien
    assert AuditEntry.objects.filter(action="sitreps.acknowledge").count() == 1


# Reminders and escalations ------------------------------------------------------------------------


@pytest.fixture
def long_bien_day(long_bien_ward_officers, submit):
    """12 of Long Biên's 14 wards reported on time on 08/9/2021; the last two did not."""
    wards = sorted(long_bien_ward_officers)
    for code in wards[:12]:
        submit(long_bien_ward_officers[code], code=code, clock=at(14))
    return wards


def reminders() -> Any:
    return Notification.objects.filter(kind="sitreps.reminder")


def test_before_the_deadline_each_ward_without_a_report_gets_one_reminder(long_bien_day, unit):
    from phaodai.territory.models import Unit

    wards_in_city = Unit.objects.filter(level="ward").count()
    run = services.send_reminders(clock=at(16))
    assert run.reminded == wards_in_city - 12
    assert reminders().count() == wards_in_city - 12
    long_bien = reminders().filter(unit_path__startswith="/01/004/")
    assert sorted(long_bien.values_list("unit__code", flat=True)) == long_bien_day[12:]
    assert not reminders().filter(unit__code=long_bien_day[0]).exists()
    sent = Notification.objects.count()
    services.send_reminders(clock=at(16, 10))
    assert Notification.objects.count() == sent  # nothing new on a second run


def test_a_second_reminder_run_reports_that_it_sent_nothing(long_bien_day):
    # Run from cron every few minutes, the command must not claim to have reminded anyone again.
    services.send_reminders(clock=at(16))
    again = services.send_reminders(clock=at(16, 10))
    assert (again.reminded, again.escalated) == (0, 0)


def test_after_the_deadline_the_district_gets_one_escalation_listing_the_missing_wards(long_bien_day, unit):
    services.send_reminders(clock=at(17))
    services.send_reminders(clock=at(17, 30))
    [escalation] = Notification.objects.filter(kind="sitreps.missing", unit__code="004")
    missing_names = [unit(code).full_name for code in long_bien_day[12:]]
    assert escalation.body == ", ".join(missing_names)
    assert escalation.subject.startswith("2 units have not reported for 08/09/2021 16:30")
    assert escalation.severity == "urgent"
    # No ward reminders after the deadline (the districts' 18:00 slot has its own from 17:30);
    # every other district hears about its own wards once.
    assert not reminders().filter(unit__level="ward").exists()
    assert Notification.objects.filter(kind="sitreps.missing", unit__level="district").count() == 30


def test_operators_send_reminders_from_the_command_line(long_bien_day):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("sitreps_remind", "--at", "2021-09-08T16:00", stdout=out)
    assert out.getvalue().startswith("reminded 567 units, escalated to ")
    assert reminders().count() == 567
    with pytest.raises(CommandError, match="--at"):
        call_command("sitreps_remind", "--at", "08/09/2021 16:00")


def test_the_reminder_task_sends_the_same_reminders(long_bien_day):
    import time_machine

    from phaodai.sitreps.tasks import remind

    with time_machine.travel(hanoi(2021, 9, 8, 16), tick=False):
        result = remind.call()
    assert result["reminded"] == 567 and reminders().count() == 567
