"""Recording doses and adverse events: the rules' refusals read clearly, retries are idempotent, audit."""

from datetime import date

import pytest

from phaodai.core.clock import hanoi
from phaodai.core.errors import Duplicate, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.vaccination import errors, services
from phaodai.vaccination.models import AdverseEvent, Dose
from phaodai.vaccination.tests.conftest import CLOCK

pytestmark = pytest.mark.django_db


def record(by, person, product, number, on, **overrides):
    fields = {"lot": "AZ-123", "site": "Trạm Y tế phường Bồ Đề", "vaccinator": "Lê Thị Hoa"}
    fields.update(overrides)
    return services.record_dose(
        by=by, person=person, product=product, dose_number=number, given_on=on, clock=CLOCK, **fields
    )


def test_a_dose_is_recorded_with_its_next_due_day_and_audited(resident, product, health_worker_bo_de):
    an = resident(1)
    dose, created = record(health_worker_bo_de, an, product("astrazeneca"), 1, date(2021, 8, 1))
    assert created and dose.path == "/01/004/00139/" and not dose.completes_series
    assert (dose.next_due_on, dose.next_overdue_after) == (date(2021, 9, 26), date(2021, 10, 24))
    assert AuditEntry.objects.filter(action="vaccination.record_dose", object_id=str(dose.pk)).exists()


def test_the_second_dose_completes_the_series(resident, product, health_worker_bo_de, give):
    an = resident(1)
    give(an, "astrazeneca", 1, date(2021, 8, 1))
    dose, _ = record(health_worker_bo_de, an, product("pfizer"), 2, date(2021, 9, 1))
    assert dose.completes_series and dose.next_due_on is None


def test_the_same_dose_sent_twice_is_recorded_once(resident, product, health_worker_bo_de):
    an = resident(1)
    first, _ = record(health_worker_bo_de, an, product("pfizer"), 1, date(2021, 9, 1))
    again, created = record(health_worker_bo_de, an, product("pfizer"), 1, date(2021, 9, 1))
    assert (again.pk, created) == (first.pk, False)
    assert Dose.objects.count() == 1


def test_another_dose_under_a_taken_number_is_a_conflict_naming_the_first(
    resident, product, health_worker_bo_de
):
    an = resident(1)
    record(health_worker_bo_de, an, product("pfizer"), 1, date(2021, 9, 1))
    with pytest.raises(errors.DoseExists) as refused:
        record(health_worker_bo_de, an, product("pfizer"), 1, date(2021, 9, 2))
    assert isinstance(refused.value, Duplicate) and refused.value.status == 409
    assert "01/09/2021" in str(refused.value.detail) and refused.value.field == "dose_number"


def test_a_dose_beyond_the_series_says_how_long_the_series_is(resident, product, health_worker_bo_de, give):
    an = resident(1)
    give(an, "pfizer", 1, date(2021, 8, 1))
    give(an, "pfizer", 2, date(2021, 8, 22))
    with pytest.raises(errors.BeyondSeries) as refused:
        record(health_worker_bo_de, an, product("pfizer"), 3, date(2021, 10, 1))
    assert "2 doses in its primary series; dose 3 is beyond it" in str(refused.value.detail)


def test_a_short_interval_names_the_earliest_day(resident, product, health_worker_bo_de, give):
    an = resident(1)
    give(an, "astrazeneca", 1, date(2021, 8, 1))
    with pytest.raises(errors.IntervalTooShort) as refused:
        record(health_worker_bo_de, an, product("astrazeneca"), 2, date(2021, 8, 20))
    assert str(refused.value.detail) == (
        "Dose 1 was given on 01/08/2021; the next dose needs at least 28 days, so not before 29/08/2021."
    )
    assert refused.value.field == "given_on"


def test_a_dose_in_the_future_is_refused(resident, product, health_worker_bo_de):
    with pytest.raises(errors.DoseInFuture):
        record(health_worker_bo_de, resident(1), product("pfizer"), 1, date(2021, 10, 16))


@pytest.mark.parametrize("given_on", [date(2012, 8, 1), date(2020, 11, 30)])
def test_a_dose_dated_before_any_covid_vaccine_is_refused(resident, product, health_worker_bo_de, given_on):
    # L6: 2012 typed for 2021 is never recorded, nor counted in coverage.
    with pytest.raises(errors.BeforeVaccines) as refused:
        record(health_worker_bo_de, resident(1), product("pfizer"), 1, given_on)
    assert refused.value.field == "given_on" and refused.value.status == 422
    assert "01/12/2020" in str(refused.value.detail) and not Dose.objects.exists()


def test_sputnik_cannot_follow_sinopharm(resident, product, health_worker_bo_de, give):
    an = resident(1)
    give(an, "sinopharm", 1, date(2021, 8, 1))
    with pytest.raises(errors.NotInterchangeable):
        record(health_worker_bo_de, an, product("sputnik_v"), 2, date(2021, 9, 1))


@pytest.mark.parametrize(("field", "value"), [("lot", ""), ("vaccinator", "x" * 151), ("site", "  ")])
def test_missing_or_long_text_is_refused_by_field(resident, product, health_worker_bo_de, field, value):
    with pytest.raises(InvalidInput) as refused:
        record(health_worker_bo_de, resident(1), product("pfizer"), 1, date(2021, 9, 1), **{field: value})
    assert refused.value.field == field


def test_a_vaccinator_elsewhere_gets_404_and_a_role_without_the_capability_403(
    resident, product, ward_officer_phuc_xa, welfare_officer_bo_de
):
    an = resident(1)
    with pytest.raises(OutOfScope):
        record(ward_officer_phuc_xa, an, product("pfizer"), 1, date(2021, 9, 1))
    with pytest.raises(NotPermitted):
        record(welfare_officer_bo_de, an, product("pfizer"), 1, date(2021, 9, 1))
    assert AuditEntry.objects.filter(action="scope.denied", actor_username="ward-00001").exists()


def test_an_adverse_event_is_recorded_once_per_key(resident, health_worker_bo_de, give):
    dose = give(resident(1), "moderna", 1, date(2021, 10, 1))
    kwargs = {
        "by": health_worker_bo_de, "dose": dose, "severity": "severe",
        "onset_at": hanoi(2021, 10, 1, 10, 30), "outcome": "hospitalised",
        "description": "Sốc phản vệ độ II", "idempotency_key": "k-1", "clock": CLOCK,
    }  # fmt: skip
    first, created = services.report_adverse_event(**kwargs)
    again, created_again = services.report_adverse_event(**kwargs)
    assert created and not created_again and first.pk == again.pk
    assert AdverseEvent.objects.count() == 1 and first.path == dose.path


def test_an_adverse_event_cannot_begin_before_the_dose(resident, health_worker_bo_de, give):
    dose = give(resident(1), "moderna", 1, date(2021, 10, 1))
    with pytest.raises(errors.OnsetBeforeDose):
        services.report_adverse_event(
            by=health_worker_bo_de, dose=dose, severity="mild", onset_at=hanoi(2021, 9, 30, 23, 0),
            description="Sốt nhẹ", clock=CLOCK,
        )  # fmt: skip


def test_an_adverse_event_needs_a_known_severity(resident, health_worker_bo_de, give):
    dose = give(resident(1), "moderna", 1, date(2021, 10, 1))
    with pytest.raises(InvalidInput) as refused:
        services.report_adverse_event(
            by=health_worker_bo_de, dose=dose, severity="terrible", onset_at=hanoi(2021, 10, 1, 12),
            description="?", clock=CLOCK,
        )  # fmt: skip
    assert refused.value.field == "severity"


def test_the_summary_follows_the_doses(resident, give):
    from phaodai.vaccination.models import Summary

    an = resident(1)
    give(an, "abdala", 1, date(2021, 9, 15))
    give(an, "abdala", 2, date(2021, 9, 29))
    assert (Summary.objects.get(person=an).first_dose_on, Summary.objects.get(person=an).completed_on) == (
        date(2021, 9, 15), None,
    )  # fmt: skip
    give(an, "abdala", 3, date(2021, 10, 13))
    assert Summary.objects.get(person=an).completed_on == date(2021, 10, 13)
