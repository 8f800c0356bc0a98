"""Registering samples: barcodes checked and unique, the person found by CCCD within scope, coverage."""

from datetime import timedelta
from typing import Any

import pytest

from phaodai.core.clock import hanoi
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.diagnostics import services
from phaodai.diagnostics.models import Sample
from phaodai.diagnostics.services import SampleInput
from phaodai.diagnostics.tests.conftest import SEPT_10_MORNING, at, first_session, resident_cccd

pytestmark = pytest.mark.django_db

CLOCK = at(SEPT_10_MORNING + timedelta(hours=1))


def swab(n: int, code: str | None = None, **changes) -> SampleInput:
    values: dict[str, Any] = {
        "code": f"BD-{n:06d}" if code is None else code,
        "cccd": resident_cccd(n),
        "collected_at": SEPT_10_MORNING,
        "place": "",
        "team": "Tổ lấy mẫu số 2",
        "lab_code": "CDC-HN",
    }
    values.update(changes)
    return SampleInput(**values)


def test_sampling_a_target_counts_towards_the_session_coverage(
    health_worker_bo_de, area_round, resident, lab_cdc
):
    resident(1)
    resident(2)
    session = first_session(area_round())
    sample, created = services.register_sample(
        by=health_worker_bo_de, data=swab(1), session=session, clock=CLOCK
    )
    session.refresh_from_db()
    assert created and (session.targeted, session.sampled) == (2, 1)
    assert (sample.method, sample.lab, sample.place, sample.path) == (
        "pcr",
        lab_cdc,
        session.place,
        session.path,
    )
    assert session.targets.get(person=sample.person).sample == sample
    session.round.refresh_from_db()
    assert session.round.status == "running"


def test_a_walk_in_becomes_a_target(health_worker_bo_de, area_round, resident, bo_de_area_2, lab_cdc):
    session = first_session(area_round())
    resident(5, area=bo_de_area_2)  # lives in TDP6, sampled at TDP5's session
    services.register_sample(by=health_worker_bo_de, data=swab(5), session=session, clock=CLOCK)
    session.refresh_from_db()
    assert (session.targeted, session.sampled) == (1, 1)


def test_the_same_swab_sent_twice_is_one_sample(health_worker_bo_de, area_round, resident, lab_cdc):
    resident(1)
    session = first_session(area_round())
    first, _ = services.register_sample(by=health_worker_bo_de, data=swab(1), session=session, clock=CLOCK)
    again, created = services.register_sample(
        by=health_worker_bo_de, data=swab(1), session=session, clock=CLOCK
    )
    assert (again.pk, created, Sample.objects.count()) == (first.pk, False, 1)


def test_a_code_already_used_for_another_swab_is_a_clear_duplicate(health_worker_bo_de, resident, lab_cdc):
    resident(1)
    resident(2)
    services.register_sample(by=health_worker_bo_de, data=swab(1, method="pcr"), clock=CLOCK)
    with pytest.raises(services.DuplicateSample) as refused:
        services.register_sample(
            by=health_worker_bo_de, data=swab(2, code="BD-000001", method="pcr"), clock=CLOCK
        )
    assert (refused.value.status, refused.value.field) == (409, "code")
    assert "already registered" in str(refused.value.detail)


def test_one_person_is_sampled_once_per_session(health_worker_bo_de, area_round, resident, lab_cdc):
    resident(1)
    session = first_session(area_round())
    services.register_sample(by=health_worker_bo_de, data=swab(1), session=session, clock=CLOCK)
    with pytest.raises(services.AlreadySampled):
        services.register_sample(
            by=health_worker_bo_de, data=swab(1, code="BD-999999"), session=session, clock=CLOCK
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "AB"}, "code"),
        ({"code": "BD 0001"}, "code"),
        ({"code": "-BD0001"}, "code"),
        ({"code": "X" * 33}, "code"),
        ({"cccd": "1.23457E+11"}, "cccd"),
        ({"cccd": resident_cccd(42)}, "cccd"),  # nobody registered with it
        ({"collected_at": SEPT_10_MORNING + timedelta(days=1)}, "collected_at"),
        ({"collected_at": hanoi(1899, 1, 1)}, "collected_at"),
        ({"lab_code": "NOPE"}, "lab"),
        ({"method": ""}, "method"),
        ({"method": "pcr_pooled"}, "method"),
        ({"method": "pcr", "pool_code": "P-0001"}, "pool_code"),
    ],
)
def test_bad_registrations_are_refused_beside_their_field(
    health_worker_bo_de, resident, lab_cdc, changes, field
):
    resident(1)
    data = swab(1, **{"method": "pcr", **changes})
    with pytest.raises(InvalidInput) as refused:
        services.register_sample(by=health_worker_bo_de, data=data, clock=CLOCK)
    assert refused.value.field == field
    assert Sample.objects.count() == 0


def test_the_collection_day_must_be_the_sessions(health_worker_bo_de, area_round, resident, lab_cdc):
    resident(1)
    later = area_round().sessions.order_by("day")[1]
    with pytest.raises(InvalidInput) as refused:
        services.register_sample(by=health_worker_bo_de, data=swab(1), session=later, clock=CLOCK)
    assert refused.value.field == "collected_at"


def test_a_resident_of_another_ward_is_not_found(
    health_worker_bo_de, resident, phuc_xa_area, city_commander, lab_cdc
):
    resident(3, area=phuc_xa_area, by=city_commander)
    with pytest.raises(services.PersonNotFound):
        services.register_sample(by=health_worker_bo_de, data=swab(3, method="pcr"), clock=CLOCK)


def test_only_samplers_register_and_only_in_their_sessions(
    lab_tech_cdc, ward_officer_phuc_xa, area_round, resident, lab_cdc
):
    resident(1)
    session = first_session(area_round())
    with pytest.raises(NotPermitted):
        services.register_sample(by=lab_tech_cdc, data=swab(1, method="pcr"), clock=CLOCK)
    with pytest.raises(OutOfScope):
        services.register_sample(by=ward_officer_phuc_xa, data=swab(1), session=session, clock=CLOCK)


def test_a_closed_round_takes_no_more_samples(
    health_worker_bo_de, ward_officer_bo_de, area_round, resident, lab_cdc
):
    resident(1)
    testing_round = area_round()
    services.close_round(by=ward_officer_bo_de, testing_round=testing_round, version=None, clock=CLOCK)
    with pytest.raises(services.SessionNotOpen):
        services.register_sample(
            by=health_worker_bo_de, data=swab(1), session=first_session(testing_round), clock=CLOCK
        )


def test_a_pool_holds_at_most_its_size(health_worker_bo_de, area_round, resident, lab_cdc):
    session = first_session(area_round(method="pcr_pooled", pool_size=5))
    for n in range(6):
        resident(n)
    for n in range(5):
        services.register_sample(
            by=health_worker_bo_de, data=swab(n, pool_code="P-0001"), session=session, clock=CLOCK
        )
    with pytest.raises(services.PoolFull) as refused:
        services.register_sample(
            by=health_worker_bo_de, data=swab(5, pool_code="P-0001"), session=session, clock=CLOCK
        )
    assert refused.value.field == "pool_code"
    pool = Sample.objects.get(code="BD-000000").pool
    assert pool is not None
    assert (pool.size, pool.members.count(), pool.path) == (5, 5, session.path)


def test_a_pooled_round_needs_a_pool_code(health_worker_bo_de, area_round, resident, lab_cdc):
    resident(1)
    session = first_session(area_round(method="pcr_pooled", pool_size=10))
    with pytest.raises(InvalidInput) as refused:
        services.register_sample(by=health_worker_bo_de, data=swab(1), session=session, clock=CLOCK)
    assert refused.value.field == "pool_code"


def test_the_shipped_laboratories_load_once(lab_cdc):
    added = services.ensure_labs()
    assert added >= 7  # CDC Hà Nội was there already: left as it is
    assert services.ensure_labs() == 0
    duc_giang = services.lab_by_code("BV-DUCGIANG")
    assert duc_giang is not None and duc_giang.path == "/01/004/"
    lab_cdc.refresh_from_db()
    assert lab_cdc.name == "CDC Hà Nội"
