"""The F0/F1 food allowance (NQ 68: VND 80,000 a day, F0 up to 45 days, F1 up to 21): candidates proposed
from isolation records, the days and amount taken from the record, one allowance per isolation."""

import contextlib
from datetime import date, timedelta

import pytest

from phaodai.cases import isolation
from phaodai.cases.models import IsolationOrder
from phaodai.core.clock import hanoi
from phaodai.core.errors import Duplicate, InvalidInput
from phaodai.welfare import selectors, services
from phaodai.welfare.models import Application
from phaodai.welfare.tests.world import SEPT_6, build_world, clock_at

pytestmark = pytest.mark.django_db
STARTED = hanoi(2021, 8, 20, 9, 0)


@pytest.fixture
def world(ward_officer_bo_de):
    world = build_world(ward_officer=ward_officer_bo_de, residents=2)
    isolation.order_isolation(
        by=ward_officer_bo_de,
        person=world.residents[0],
        subject="F1",
        setting="home",
        starts_at=STARTED,
        clock=clock_at(STARTED),
    )
    return world


def test_candidates_come_from_isolation_records(
    world, ward_officer_bo_de, welfare_officer_bo_de, ward_officer_phuc_xa
):
    found = selectors.food_candidates(
        ward_officer_bo_de, world.ward, since=date(2021, 8, 1), until=date(2021, 9, 30)
    )
    assert [(c.person_id, c.subject, c.starts_on) for c in found] == [
        (world.residents[0].pk, "F1", date(2021, 8, 20))
    ]
    assert found[0].days <= 21 and found[0].amount == 80_000 * found[0].days
    # The ward's welfare officer (who files support there, orders no isolation) is proposed the same.
    theirs = selectors.food_candidates(
        welfare_officer_bo_de, world.ward, since=date(2021, 8, 1), until=date(2021, 9, 30)
    )
    assert [(c.person_id, c.order_id) for c in theirs] == [(c.person_id, c.order_id) for c in found]
    # Another ward's officer files nothing here: no candidates.
    elsewhere = selectors.food_candidates(
        ward_officer_phuc_xa, world.ward, since=date(2021, 8, 1), until=date(2021, 9, 30)
    )
    assert elsewhere == []


def test_a_welfare_officer_files_the_allowance_for_a_released_isolation(
    world, ward_officer_bo_de, welfare_officer_bo_de
):
    order = release(ward_officer_bo_de, world.residents[0], 10)
    orders = selectors.isolation_orders_of(welfare_officer_bo_de, world.residents[0])
    assert [o.pk for o in orders] == [order.pk] and orders[0].status != "open"
    application, created = food(welfare_officer_bo_de, world.residents[0], ward=world.ward)
    assert created and application.period_key == f"iso-{order.pk}"
    assert application.days == 10 and application.amount == 800_000


def test_the_allowance_takes_its_days_from_the_record_and_is_paid_once_per_isolation(
    world, ward_officer_bo_de
):
    application, _ = services.file_application(
        by=ward_officer_bo_de,
        ward=world.ward,
        person_id=world.residents[0].pk,
        programme_code="NQ68-FOOD",
        clock=clock_at(SEPT_6),
    )
    assert application.facts["isolation"]["subject"] == "F1"
    order = IsolationOrder.objects.get(person=world.residents[0])
    assert application.period_key == f"iso-{order.pk}"  # one allowance per isolation order
    assert application.facts["isolation"]["order"] == order.pk
    days = application.days or 0
    assert 0 < days <= 21 and application.amount == 80_000 * days
    assert (
        selectors.food_candidates(
            ward_officer_bo_de, world.ward, since=date(2021, 8, 1), until=date(2021, 9, 30)
        )
        == []
    )
    with pytest.raises(Duplicate):
        services.file_application(
            by=ward_officer_bo_de,
            ward=world.ward,
            person_id=world.residents[0].pk,
            programme_code="NQ68-FOOD",
            clock=clock_at(SEPT_6),
        )


def test_more_days_than_the_cap_are_refused(world, ward_officer_bo_de):
    with pytest.raises(InvalidInput) as refused:
        services.file_application(
            by=ward_officer_bo_de,
            ward=world.ward,
            person_id=world.residents[0].pk,
            programme_code="NQ68-FOOD",
            days=30,
            clock=clock_at(SEPT_6),
        )
    assert refused.value.field == "days"


def test_someone_never_isolated_does_not_qualify(world, ward_officer_bo_de):
    with pytest.raises(InvalidInput) as refused:
        services.file_application(
            by=ward_officer_bo_de,
            ward=world.ward,
            person_id=world.residents[1].pk,
            programme_code="NQ68-FOOD",
            clock=clock_at(SEPT_6),
        )
    assert refused.value.field == "eligibility" and "f0_or_f1" in str(refused.value)


def food(by, person, **extra):
    return services.file_application(
        by=by,
        ward=extra.pop("ward"),
        person_id=person.pk,
        programme_code="NQ68-FOOD",
        clock=clock_at(SEPT_6),
        **extra,
    )


def release(by, person, days):
    order = IsolationOrder.objects.get(person=person, status__in=["active", "monitoring"])
    return isolation.release(
        by=by,
        order=order,
        decision=f"QD-{order.pk}",
        released_at=order.starts_at + timedelta(days=days),
        reason="Hết thời gian cách ly",
        clock=clock_at(order.starts_at + timedelta(days=days)),
    )


def test_a_declared_isolation_is_never_paid(world, welfare_officer_bo_de):
    """Finding 1: a welfare officer (no Perm.ORDER_ISOLATION) cannot be paid on declared isolation facts."""
    declared = {"isolation": {"subject": "F0", "starts_on": "2021-08-01", "days": 45}}
    with pytest.raises(InvalidInput) as refused:
        food(welfare_officer_bo_de, world.residents[1], ward=world.ward, facts=declared)
    assert refused.value.field == "eligibility" and "f0_or_f1" in str(refused.value)
    assert not Application.objects.exists()


def test_a_released_isolation_is_not_paid_twice_with_shifted_start_dates(
    world, ward_officer_bo_de, welfare_officer_bo_de
):
    """Finding 1: the period is the order, not a declared start date; the record's facts win."""
    release(ward_officer_bo_de, world.residents[0], 10)
    for filer in (welfare_officer_bo_de, ward_officer_bo_de):
        for start in ("2021-08-20", "2021-08-21"):
            shifted = {"isolation": {"subject": "F0", "starts_on": start, "days": 45}}
            with contextlib.suppress(InvalidInput, Duplicate):
                food(filer, world.residents[0], ward=world.ward, facts=shifted)
    [paid] = Application.objects.all()  # one allowance for the one isolation
    order = IsolationOrder.objects.get(person=world.residents[0])
    assert paid.period_key == f"iso-{order.pk}" and paid.facts["isolation"]["subject"] == "F1"
    assert paid.facts["isolation"]["starts_on"] == "2021-08-20" and paid.days == 10
    assert paid.amount == 800_000


def test_the_filer_chooses_the_order_and_it_must_be_the_person_s(world, ward_officer_bo_de):
    """Finding 1/9: with two isolations the filer names the order; each is paid once; not another's."""
    first = release(ward_officer_bo_de, world.residents[0], 14)
    second_start = hanoi(2021, 9, 1, 9, 0)
    second, _ = isolation.order_isolation(
        by=ward_officer_bo_de,
        person=world.residents[0],
        subject="F1",
        setting="home",
        starts_at=second_start,
        clock=clock_at(second_start),
    )
    a, _ = food(ward_officer_bo_de, world.residents[0], ward=world.ward, isolation_order=first.pk)
    b, _ = food(ward_officer_bo_de, world.residents[0], ward=world.ward, isolation_order=str(second.pk))
    assert (a.period_key, a.days) == (f"iso-{first.pk}", 14)
    assert b.period_key == f"iso-{second.pk}" and b.facts["isolation"]["starts_on"] == "2021-09-01"
    with pytest.raises(Duplicate):
        food(ward_officer_bo_de, world.residents[0], ward=world.ward, isolation_order=first.pk)
    with pytest.raises(InvalidInput) as foreign:
        food(ward_officer_bo_de, world.residents[1], ward=world.ward, isolation_order=first.pk)
    assert foreign.value.field == "isolation_order"
    assert Application.objects.count() == 2


def test_more_days_than_recorded_are_refused(world, ward_officer_bo_de):
    """Finding 2: declared days never exceed the record's, even under the cap."""
    release(ward_officer_bo_de, world.residents[0], 5)
    with pytest.raises(InvalidInput) as refused:
        food(ward_officer_bo_de, world.residents[0], ward=world.ward, days=10)
    assert refused.value.field == "days" and "5" in str(refused.value)
    application, _ = food(ward_officer_bo_de, world.residents[0], ward=world.ward, days=4)
    assert (application.days, application.amount) == (4, 320_000)


def test_candidates_are_filtered_by_day_before_the_limit_newest_first(world, ward_officer_bo_de, monkeypatch):
    """Finding 6: the limit applies after the date filter, newest first."""
    later_start = hanoi(2021, 9, 2, 8, 0)
    isolation.order_isolation(
        by=ward_officer_bo_de,
        person=world.residents[1],
        subject="F1",
        setting="home",
        starts_at=later_start,
        clock=clock_at(later_start),
    )
    monkeypatch.setattr(selectors, "PUBLIC_LIST_MAX", 1)
    found = selectors.food_candidates(
        ward_officer_bo_de, world.ward, since=date(2021, 9, 1), until=date(2021, 9, 3)
    )
    assert [c.person_id for c in found] == [world.residents[1].pk]
    monkeypatch.setattr(selectors, "PUBLIC_LIST_MAX", 10)
    both = selectors.food_candidates(
        ward_officer_bo_de, world.ward, since=date(2021, 8, 20), until=date(2021, 9, 2)
    )
    assert [c.starts_on for c in both] == [date(2021, 9, 2), date(2021, 8, 20)]
