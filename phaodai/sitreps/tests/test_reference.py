"""The shipped form and schedules (S10, S11) are in the database after migrate, as the issue specifies."""

from datetime import date, time

import pytest

from phaodai.sitreps import selectors
from phaodai.sitreps.models import FormField, ReportForm, Schedule
from phaodai.sitreps.reference import ensure_reference_data

pytestmark = pytest.mark.django_db


def test_the_ward_schedule_reports_every_ward_to_its_district_before_1630():
    schedule = selectors.schedule_by_code("ward-daily-1630")
    assert (schedule.reporter_level, schedule.scope.code, schedule.source) == ("ward", "01", None)
    assert [(s.at, s.deadline) for s in selectors.slots_of(schedule)] == [(time(16, 30), time(16, 30))]
    assert (schedule.open_hours_before, schedule.lock_after_hours, schedule.grace_minutes) == (8, 24, 0)
    assert schedule.active_from <= date(2021, 9, 8)
    assert selectors.reporting_units(schedule).count() == 579


def test_the_district_schedule_reports_at_six_noon_and_six_rolled_up_from_the_wards():
    schedule = selectors.schedule_by_code("district-3x-daily")
    assert (schedule.reporter_level, schedule.scope.code) == ("district", "01")
    assert schedule.source is not None and schedule.source.code == "ward-daily-1630"
    assert [(s.at, s.deadline) for s in selectors.slots_of(schedule)] == [
        (time(6), time(6)),
        (time(12), time(12)),
        (time(18), time(18)),
    ]
    assert selectors.reporting_units(schedule).count() == 30
    assert schedule.form.code == "sitrep-2021"


def test_the_form_carries_what_the_seeds_reports_carried():
    form = ReportForm.objects.get(code="sitrep-2021")
    fields = {f.code: f for f in FormField.objects.filter(form=form)}
    assert set(fields) >= {
        "new_f0_community", "new_f0_quarantine", "f1_traced", "quarantine_concentrated", "quarantine_home",
        "tests_taken", "results_pending", "vaccinations", "checkpoints_staffed", "violations_found",
        "violations_fined", "welfare_paid", "situation", "proposals",
    }  # fmt: skip
    for field in fields.values():
        assert field.label and field.label_en and field.label != field.label_en
        assert field.rollup in FormField.Rollup.values and field.kind in FormField.Kind.values
    assert {fields[c].kind for c in ("situation", "proposals")} == {"text"}
    assert {fields[c].rollup for c in ("situation", "proposals")} == {"collect"}
    assert fields["welfare_paid"].kind == "amount" and fields["welfare_paid"].unit_label == "đồng"
    assert not fields["situation"].required and fields["tests_taken"].required
    checks = {c.code: c for c in form.checks.all()}
    assert "positives_within_samples" in checks
    assert checks["positives_within_samples"].field_code == "tests_positive"
    assert all(c.message and c.message_en for c in checks.values())


def test_restoring_the_reference_data_keeps_what_officials_changed():
    Schedule.objects.filter(code="ward-daily-1630").update(grace_minutes=10)
    ensure_reference_data()
    assert Schedule.objects.get(code="ward-daily-1630").grace_minutes == 10
    assert Schedule.objects.count() == 2 and selectors.slots_of(
        selectors.schedule_by_code("district-3x-daily")
    )
