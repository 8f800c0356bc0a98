"""Pooled PCR (pools of 5 or 10): a positive pool sends each member to an individual retest (acceptance)."""

from datetime import timedelta

import pytest

from phaodai.diagnostics import selectors, services
from phaodai.diagnostics.models import Outcome, ResultCorrection, Retest, Sample
from phaodai.diagnostics.services import Change, SampleInput
from phaodai.diagnostics.tests.conftest import SEPT_10_MORNING, at, first_session, resident_cccd

pytestmark = pytest.mark.django_db

CLOCK = at(SEPT_10_MORNING + timedelta(days=1))
RESULT_AT = SEPT_10_MORNING + timedelta(hours=18)


@pytest.fixture
def pool_of_five(health_worker_bo_de, area_round, resident, lab_cdc):
    """Five residents of TDP5 swabbed into pool P-0001 at the 10/9 session of a pooled round."""
    session = first_session(area_round(method="pcr_pooled", pool_size=5))
    for n in range(5):
        resident(n)
        data = SampleInput(
            code=f"BD-{n:06d}",
            cccd=resident_cccd(n),
            collected_at=SEPT_10_MORNING + timedelta(minutes=n),
            lab_code="CDC-HN",
            pool_code="P-0001",
        )
        services.register_sample(by=health_worker_bo_de, data=data, session=session, clock=CLOCK)
    return Sample.objects.get(code="BD-000000").pool


def test_pooled_positives_produce_retests(lab_tech_cdc, health_worker_bo_de, pool_of_five):
    # when the lab reports the pool positive
    result = services.record_pool_result(
        by=lab_tech_cdc, pool=pool_of_five, outcome="positive", resulted_at=RESULT_AT, clock=CLOCK
    )
    # then each of the five members waits for an individual retest, once
    assert (result.change, result.members_changed, result.retests_requested) == (Change.RESULT, 5, 5)
    assert set(pool_of_five.members.values_list("outcome", flat=True)) == {Outcome.RETEST}
    assert Retest.objects.filter(pool=pool_of_five, status="open").count() == 5
    assert len(selectors.open_retests(health_worker_bo_de).items) == 5
    # the same result again changes nothing and requests nothing more
    again = services.record_pool_result(
        by=lab_tech_cdc, pool=pool_of_five, outcome="positive", resulted_at=RESULT_AT, clock=CLOCK
    )
    assert again == services.PoolResult(Change.UNCHANGED, 0, 0)
    assert Retest.objects.count() == 5
    # a member's pool result is not a positive of theirs: nobody is announced as a case to confirm
    assert not selectors.positives_to_confirm(health_worker_bo_de).items


def test_an_individual_sample_of_a_member_closes_their_retest(
    lab_tech_cdc, health_worker_bo_de, pool_of_five
):
    services.record_pool_result(by=lab_tech_cdc, pool=pool_of_five, outcome="positive", resulted_at=RESULT_AT)
    member = Sample.objects.get(code="BD-000003")
    retest_data = SampleInput(
        code="BD-R00003",
        cccd=resident_cccd(3),
        collected_at=SEPT_10_MORNING + timedelta(hours=20),
        method="pcr",
        lab_code="CDC-HN",
    )
    retest_sample, _ = services.register_sample(by=health_worker_bo_de, data=retest_data, clock=CLOCK)
    assert retest_sample.retest_of == member
    retest = Retest.objects.get(sample=member)
    assert (retest.status, retest.retest_sample) == ("done", retest_sample)
    assert len(selectors.open_retests(health_worker_bo_de).items) == 4


def test_a_negative_pool_makes_every_member_negative(lab_tech_cdc, pool_of_five):
    services.record_pool_result(by=lab_tech_cdc, pool=pool_of_five, outcome="negative", resulted_at=RESULT_AT)
    assert list(pool_of_five.members.values_list("outcome", "resulted_at").distinct()) == [
        ("negative", RESULT_AT)
    ]
    assert not Retest.objects.exists()


def test_correcting_a_positive_pool_to_negative_cancels_the_retests_and_keeps_history(
    lab_tech_cdc, pool_of_five
):
    services.record_pool_result(by=lab_tech_cdc, pool=pool_of_five, outcome="positive", resulted_at=RESULT_AT)
    later = RESULT_AT + timedelta(hours=1)
    result = services.record_pool_result(
        by=lab_tech_cdc, pool=pool_of_five, outcome="negative", resulted_at=later
    )
    assert (result.change, result.members_changed) == (Change.CORRECTED, 5)
    assert set(Retest.objects.values_list("status", flat=True)) == {"cancelled"}
    assert ResultCorrection.objects.filter(outcome_before="retest", outcome_after="negative").count() == 5
    # back to positive: the same five retests reopen, none added
    services.record_pool_result(by=lab_tech_cdc, pool=pool_of_five, outcome="positive", resulted_at=later)
    assert list(Retest.objects.values_list("status", flat=True).distinct()) == ["open"]
    assert Retest.objects.count() == 5


def test_a_pooled_members_result_is_entered_on_the_pool(lab_tech_cdc, pool_of_five):
    member = pool_of_five.members.first()
    with pytest.raises(services.PooledSample):
        services.record_result(by=lab_tech_cdc, sample=member, outcome="negative", resulted_at=RESULT_AT)


def test_a_pool_result_before_its_last_swab_is_refused(lab_tech_cdc, pool_of_five):
    with pytest.raises(services.InvalidInput) as refused:
        services.record_pool_result(
            by=lab_tech_cdc,
            pool=pool_of_five,
            outcome="negative",
            resulted_at=SEPT_10_MORNING + timedelta(minutes=2),
        )
    assert refused.value.field == "resulted_at"


def test_a_resulted_pool_takes_no_more_members(health_worker_bo_de, lab_tech_cdc, pool_of_five, resident):
    services.record_pool_result(by=lab_tech_cdc, pool=pool_of_five, outcome="negative", resulted_at=RESULT_AT)
    resident(9)
    data = SampleInput(
        code="BD-000009", cccd=resident_cccd(9), collected_at=SEPT_10_MORNING, pool_code="P-0001"
    )
    with pytest.raises(services.PoolNotOpen):
        services.register_sample(by=health_worker_bo_de, data=data, session=pool_of_five.session, clock=CLOCK)
