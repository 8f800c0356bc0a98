"""Corrections at the edges: a double click racing itself, a report reopened after its slot locked,
a district's roll-up carrying every ward's text, text that cannot be stored."""

import pytest

from phaodai.sitreps import selectors, services
from phaodai.sitreps.errors import InvalidValues, NoSuchSlot, SlotClosed
from phaodai.sitreps.models import Revision
from phaodai.sitreps.rules import TEXT_LIMIT
from phaodai.sitreps.tests.conftest import BO_DE, at, report

pytestmark = pytest.mark.django_db


def test_a_correction_racing_its_own_retry_answers_as_the_retry(submit, ward_officer_bo_de, monkeypatch):
    submission, _ = submit(ward_officer_bo_de)
    corrected, created = services.correct_report(
        by=ward_officer_bo_de, submission=submission, values=report(tests_taken=1300), reason="Sửa số mẫu",
        version=submission.version, idempotency_key="click-1", clock=at(15, 10),
    )  # fmt: skip
    assert created
    # The twin read the report before the first saved: its key check saw nothing, its version is stale.
    real, calls = services._revision_with_key, []

    def not_yet_on_the_first_look(submission, key):
        calls.append(key)
        return False if len(calls) == 1 else real(submission, key)

    monkeypatch.setattr(services, "_revision_with_key", not_yet_on_the_first_look)
    again, created = services.correct_report(
        by=ward_officer_bo_de, submission=submission, values=report(tests_taken=1300), reason="Sửa số mẫu",
        version=submission.version, idempotency_key="click-1", clock=at(15, 10),
    )  # fmt: skip
    assert len(calls) == 2  # it went as far as saving, lost, and looked again
    assert not created and again.pk == corrected.pk and again.revision == 2
    assert Revision.objects.filter(submission=submission).count() == 2


def test_a_report_reopened_after_its_slot_locked_can_be_corrected_for_as_long_again(
    submit, ward_officer_bo_de, district_officer_long_bien
):
    submission, _ = submit(ward_officer_bo_de)
    services.accept_report(by=district_officer_long_bien, submission=submission, clock=at(17))
    # 08/9's slot locked at 16:30 on 09/9; the district reopens on 10/9 at 09:00.
    reopened = services.reopen_report(
        by=district_officer_long_bien, submission=submission, reason="Số F1 chưa khớp", clock=at(9, day=10)
    )
    corrected, created = services.correct_report(
        by=ward_officer_bo_de, submission=reopened, values=report(f1_traced=20), reason="Bổ sung F1",
        clock=at(18, day=10),
    )  # fmt: skip
    assert created and corrected.values["f1_traced"] == 20 and corrected.on_time
    with pytest.raises(SlotClosed):
        services.correct_report(
            by=ward_officer_bo_de, submission=corrected, values=report(f1_traced=21), reason="Lần nữa",
            clock=at(9, 30, day=11),
        )  # fmt: skip


def test_a_district_roll_up_may_carry_every_wards_text_but_a_ward_is_held_to_its_own_limit(
    unit, long_bien_ward_officers, district_officer_long_bien
):
    ward_schedule = selectors.schedule_by_code("ward-daily-1630")
    ward_slot = selectors.parse_slot(ward_schedule, "2021-09-08T16:30")
    long_text = "Tình hình ổn định, các chốt trực 24/24. " * 10  # about 400 characters per ward
    for code, officer in long_bien_ward_officers.items():
        services.submit_report(
            by=officer, schedule=ward_schedule, unit=unit(code), instance=ward_slot,
            values=report(situation=long_text), clock=at(15),
        )  # fmt: skip
    district_schedule = selectors.schedule_by_code("district-3x-daily")
    district_slot = selectors.parse_slot(district_schedule, "2021-09-08T18:00")
    draft = selectors.rollup_draft(district_schedule, unit("004"), district_slot)
    assert draft is not None and len(draft.values["situation"]) > TEXT_LIMIT
    submission, created = services.submit_report(
        by=district_officer_long_bien, schedule=district_schedule, unit=unit("004"), instance=district_slot,
        values=draft.values, rolled_up_from=[u.code for u, _ in draft.sources], clock=at(17, 50),
    )  # fmt: skip
    assert created and submission.values["situation"] == draft.values["situation"]
    with pytest.raises(InvalidValues) as refused:
        services.submit_report(
            by=long_bien_ward_officers[BO_DE], schedule=ward_schedule, unit=unit(BO_DE),
            instance=selectors.parse_slot(ward_schedule, "2021-09-09T16:30"),
            values=report(situation="x" * (TEXT_LIMIT + 1)), clock=at(15, day=9),
        )  # fmt: skip
    assert "situation" in refused.value.problems


@pytest.mark.parametrize("text", ["ổn định\x00", "lỗi \ud800 mã"])
def test_text_with_a_nul_or_a_lone_surrogate_is_refused_beside_its_field(submit, ward_officer_bo_de, text):
    with pytest.raises(InvalidValues) as refused:
        submit(ward_officer_bo_de, values=report(situation=text))
    assert "control characters" in refused.value.problems["situation"]


def test_free_text_of_reasons_and_urgent_reports_is_stored_without_control_characters(
    submit, unit, ward_officer_bo_de
):
    submission, _ = submit(ward_officer_bo_de)
    corrected, _ = services.correct_report(
        by=ward_officer_bo_de, submission=submission, values=report(tests_taken=1100), reason="Sửa\x00 lại",
        clock=at(15, 5),
    )  # fmt: skip
    assert Revision.objects.get(submission=corrected, number=2).reason == "Sửa lại"
    urgent, _ = services.report_urgent(
        by=ward_officer_bo_de, unit=unit(BO_DE), severity="high", subject="Ổ dịch\x00 mới",
        body="Chi tiết\ud800", clock=at(15, 6),
    )  # fmt: skip
    assert (urgent.subject, urgent.body) == ("Ổ dịch mới", "Chi tiết")


@pytest.mark.parametrize("slot_text", ["0001-01-01T06:00+14:00", "9999-12-31T23:30-10:00"])
def test_a_slot_at_the_ends_of_the_calendar_is_refused_not_overflowed(schedule, slot_text):
    with pytest.raises(NoSuchSlot) as refused:
        selectors.parse_slot(schedule, slot_text)
    assert refused.value.code == "no_such_slot"
