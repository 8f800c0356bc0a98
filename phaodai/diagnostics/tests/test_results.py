"""Results entered by hand: idempotent, corrections kept, positives announced to the ward once."""

from datetime import timedelta

import pytest

from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.diagnostics import selectors, services
from phaodai.diagnostics.models import ResultCorrection
from phaodai.diagnostics.services import Change
from phaodai.diagnostics.tests.conftest import SEPT_10_MORNING, at
from phaodai.notifications.models import Notification

pytestmark = pytest.mark.django_db

RESULT_AT = SEPT_10_MORNING + timedelta(hours=20)
CLOCK = at(SEPT_10_MORNING + timedelta(days=1))


def test_a_result_then_the_same_again_changes_nothing(lab_tech_cdc, sampled_person):
    sample = sampled_person(1)
    first = services.record_result(
        by=lab_tech_cdc, sample=sample, outcome="negative", resulted_at=RESULT_AT, clock=CLOCK
    )
    again = services.record_result(
        by=lab_tech_cdc, sample=sample, outcome="negative", resulted_at=RESULT_AT, clock=CLOCK
    )
    sample.refresh_from_db()
    assert (first, again) == (Change.RESULT, Change.UNCHANGED)
    assert (sample.outcome, sample.resulted_at, sample.version) == ("negative", RESULT_AT, 2)
    assert not ResultCorrection.objects.exists()


def test_a_different_outcome_is_a_correction_kept_in_history(lab_tech_cdc, sampled_person):
    sample = sampled_person(1)
    services.record_result(
        by=lab_tech_cdc, sample=sample, outcome="invalid", resulted_at=RESULT_AT, clock=CLOCK
    )
    later = RESULT_AT + timedelta(hours=2)
    change = services.record_result(
        by=lab_tech_cdc, sample=sample, outcome="negative", resulted_at=later, clock=CLOCK
    )
    assert change == Change.CORRECTED
    [correction] = selectors.corrections_of(sample)
    assert (correction.outcome_before, correction.outcome_after, correction.corrected_by) == (
        "invalid",
        "negative",
        lab_tech_cdc,
    )
    assert correction.resulted_at_before == RESULT_AT


def test_an_older_result_cannot_replace_a_newer_one(lab_tech_cdc, sampled_person):
    sample = sampled_person(1)
    services.record_result(
        by=lab_tech_cdc, sample=sample, outcome="negative", resulted_at=RESULT_AT, clock=CLOCK
    )
    with pytest.raises(services.StaleResult):
        services.record_result(
            by=lab_tech_cdc,
            sample=sample,
            outcome="positive",
            resulted_at=RESULT_AT - timedelta(hours=1),
            clock=CLOCK,
        )


def test_a_stale_version_is_a_conflict(lab_tech_cdc, sampled_person):
    sample = sampled_person(1)
    with pytest.raises(services.SampleChanged):
        services.record_result(
            by=lab_tech_cdc, sample=sample, outcome="negative", resulted_at=RESULT_AT, version=7, clock=CLOCK
        )


@pytest.mark.parametrize(
    ("outcome", "resulted_at", "field"),
    [
        ("pending", RESULT_AT, "outcome"),
        ("maybe", RESULT_AT, "outcome"),
        ("negative", SEPT_10_MORNING - timedelta(minutes=1), "resulted_at"),
        ("negative", SEPT_10_MORNING + timedelta(days=3), "resulted_at"),
    ],
)
def test_bad_results_are_refused(lab_tech_cdc, sampled_person, outcome, resulted_at, field):
    sample = sampled_person(1)
    with pytest.raises(InvalidInput) as refused:
        services.record_result(
            by=lab_tech_cdc, sample=sample, outcome=outcome, resulted_at=resulted_at, clock=CLOCK
        )
    assert refused.value.field == field
    sample.refresh_from_db()
    assert sample.outcome == "pending"


def test_labs_enter_pcr_results_and_samplers_read_rapid_tests(
    health_worker_bo_de, ward_officer_phuc_xa, sampled_person
):
    pcr = sampled_person(1)
    with pytest.raises(NotPermitted):
        services.record_result(
            by=health_worker_bo_de, sample=pcr, outcome="negative", resulted_at=RESULT_AT, clock=CLOCK
        )
    with pytest.raises(OutOfScope):
        services.record_result(
            by=ward_officer_phuc_xa, sample=pcr, outcome="negative", resulted_at=RESULT_AT, clock=CLOCK
        )
    rapid = sampled_person(2, method="rapid_antigen")
    change = services.record_result(
        by=health_worker_bo_de,
        sample=rapid,
        outcome="negative",
        resulted_at=SEPT_10_MORNING + timedelta(minutes=15),
    )
    assert change == Change.RESULT


def test_a_positive_tells_the_ward_once_and_waits_for_a_case(
    lab_tech_cdc, ward_officer_bo_de, sampled_person
):
    sample = sampled_person(1)
    services.record_result(
        by=lab_tech_cdc, sample=sample, outcome="positive", resulted_at=RESULT_AT, clock=CLOCK
    )
    [notification] = Notification.objects.filter(kind="diagnostics.positive_to_confirm")
    assert notification.unit_path == sample.path
    assert sample.code in notification.body
    assert notification.severity == "urgent"
    # announcing again (the import's call after its batch) tells nobody twice
    assert services.announce_positives([sample.pk], clock=CLOCK) == 0
    assert Notification.objects.filter(kind="diagnostics.positive_to_confirm").count() == 1
    # the ward's worklist shows it until a case is recorded
    assert [s.pk for s in selectors.positives_to_confirm(ward_officer_bo_de).items] == [sample.pk]


def test_announcing_groups_by_ward_and_skips_negatives_and_persons_with_a_case(
    ward_officer_bo_de, sampled_person, resident, phuc_xa_area, city_commander
):
    from phaodai.cases import services as cases_services

    positive = [sampled_person(n, outcome="positive") for n in (1, 2)]
    negative = sampled_person(3, outcome="negative")
    elsewhere = sampled_person(
        4, outcome="positive", person=resident(4, area=phuc_xa_area, by=city_commander)
    )
    with_case = sampled_person(5, outcome="positive")
    cases_services.record_case(
        by=ward_officer_bo_de,
        person=with_case.person,
        confirmed_at=SEPT_10_MORNING + timedelta(hours=3),
        detected_in="screening",
        source_known=False,
        test_ref=with_case.code,
        clock=CLOCK,
    )
    ids = [s.pk for s in [*positive, negative, elsewhere, with_case]]
    assert services.announce_positives(ids, clock=CLOCK) == 3
    paths = sorted(
        Notification.objects.filter(kind="diagnostics.positive_to_confirm").values_list(
            "unit_path", flat=True
        )
    )
    assert paths == sorted([positive[0].path, elsewhere.path])
    assert services.announce_positives(ids, clock=CLOCK) == 0
    assert {s.pk for s in selectors.positives_to_confirm(ward_officer_bo_de).items} == {
        p.pk for p in positive
    }
