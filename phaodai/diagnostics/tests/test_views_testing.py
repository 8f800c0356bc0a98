"""The testing pages: plan a round, follow its coverage, register samples, enter results, worklists."""

from datetime import timedelta

import pytest
import time_machine

from phaodai.diagnostics.models import Retest, Sample, SessionTarget
from phaodai.diagnostics.models import TestingRound as Round
from phaodai.diagnostics.tests.conftest import SEPT_10_MORNING, first_session, resident_cccd

pytestmark = pytest.mark.django_db

DURING = SEPT_10_MORNING + timedelta(hours=1)


@pytest.fixture(autouse=True)
def _on_10_september():
    with time_machine.travel(DURING, tick=False):
        yield


def round_form(area, **changes):
    fields = {
        "token": "tok-1",
        "name": "Sàng lọc TDP5",
        "unit": "00139",
        "target": "areas",
        "areas": [area.code],
        "method": "pcr",
        "cadence_days": "3",
        "starts_on": "2021-09-10",
        "ends_on": "2021-09-16",
    }
    fields.update(changes)
    return fields


def test_a_ward_officer_plans_a_round_once_even_if_posted_twice(
    client, ward_officer_bo_de, bo_de_area, resident
):
    resident(1)
    client.force_login(ward_officer_bo_de)
    assert client.get("/diagnostics/rounds/new/").status_code == 200
    first = client.post("/diagnostics/rounds/new/", round_form(bo_de_area))
    again = client.post("/diagnostics/rounds/new/", round_form(bo_de_area))
    testing_round = Round.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/diagnostics/rounds/{testing_round.pk}/"
    page = client.get(first["Location"])
    assert page.status_code == 200
    assert "Sàng lọc TDP5" in page.content.decode()
    assert page.content.decode().count("data-session=") == 3


def test_a_slow_cadence_for_a_lockdown_shows_the_confirmation(client, ward_officer_bo_de, bo_de_area):
    client.force_login(ward_officer_bo_de)
    form = round_form(bo_de_area, target="group", risk_group="shipper", cadence_days="7", areas=[])
    response = client.post("/diagnostics/rounds/new/", form)
    assert response.status_code == 422
    assert "every 2 to 3 days" in response.content.decode()
    assert 'name="accept_slow_cadence"' in response.content.decode()
    confirmed = client.post("/diagnostics/rounds/new/", {**form, "accept_slow_cadence": "on"})
    assert confirmed.status_code == 302


def test_the_round_page_reads_a_bounded_number_of_queries(
    client, ward_officer_bo_de, area_round, resident, django_assert_max_num_queries
):
    for n in range(4):
        resident(n)
    testing_round = area_round()
    client.force_login(ward_officer_bo_de)
    with django_assert_max_num_queries(14):
        response = client.get(f"/diagnostics/rounds/{testing_round.pk}/")
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/diagnostics/").status_code == 200


def test_the_session_page_masks_names_and_pages_with_htmx(
    client, health_worker_bo_de, area_round, resident, django_assert_max_num_queries
):
    for n in range(3):
        resident(n)
    session = first_session(area_round())
    client.force_login(health_worker_bo_de)
    with django_assert_max_num_queries(10):
        response = client.get(f"/diagnostics/sessions/{session.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn V. A." in body and "Nguyễn Văn An" not in body
    partial = client.get(f"/diagnostics/sessions/{session.pk}/?after=1", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()


def test_registering_in_a_session_raises_its_coverage(
    client, health_worker_bo_de, area_round, resident, lab_cdc
):
    resident(1)
    resident(2)
    session = first_session(area_round())
    client.force_login(health_worker_bo_de)
    url = f"/diagnostics/samples/new/?session={session.pk}"
    form = {
        "code": "BD-000001",
        "cccd": resident_cccd(1),
        "collected_at": "2021-09-10T09:00",
        "lab": "CDC-HN",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.sampled, session.targeted) == (1, 2)
    # the same code for someone else: a clear message beside the code, 409
    duplicate = client.post(url, {**form, "cccd": resident_cccd(2)})
    assert duplicate.status_code == 409
    assert "already registered with this code" in duplicate.content.decode()
    assert SessionTarget.objects.filter(sample__isnull=False).count() == 1


def test_bad_sample_input_is_shown_beside_the_field(client, health_worker_bo_de, resident, lab_cdc):
    resident(1)
    client.force_login(health_worker_bo_de)
    form = {"code": "x", "cccd": resident_cccd(1), "collected_at": "2021-09-10T09:00", "method": "pcr"}
    response = client.post("/diagnostics/samples/new/", form)
    assert response.status_code == 422
    assert 'id="id_code-errors"' in response.content.decode()
    assert not Sample.objects.exists()


def test_the_lab_finds_a_sample_by_code_and_enters_its_result(client, lab_tech_cdc, sampled_person, lab_cdc):
    sample = sampled_person(1)
    client.force_login(lab_tech_cdc)
    found = client.get("/diagnostics/results/", {"code": sample.code})
    assert found["Location"] == f"/diagnostics/samples/{sample.pk}/"
    assert client.get("/diagnostics/results/", {"code": "NOPE-1"}).status_code == 404
    result = {"outcome": "positive", "resulted_at": "2021-09-10T09:30", "lab": "CDC-HN", "version": "1"}
    assert client.post(f"/diagnostics/samples/{sample.pk}/result/", result).status_code == 302
    sample.refresh_from_db()
    assert sample.outcome == "positive"
    # a result before the swab is refused beside its field
    early = client.post(
        f"/diagnostics/samples/{sample.pk}/result/",
        {**result, "resulted_at": "2021-09-10T08:00", "version": "2"},
    )
    assert early.status_code == 422
    assert "cannot come before" in early.content.decode()


def test_the_ward_sees_positives_to_confirm_with_a_link_to_record_the_case(
    client, ward_officer_bo_de, sampled_person, django_assert_max_num_queries
):
    samples = [sampled_person(n, outcome="positive") for n in range(3)]
    client.force_login(ward_officer_bo_de)
    with django_assert_max_num_queries(8):
        response = client.get("/diagnostics/positives/")
    body = response.content.decode()
    assert all(s.code in body for s in samples)
    assert "/cases/new/" in body


def test_a_pool_result_page_sends_members_to_retest(
    client, lab_tech_cdc, health_worker_bo_de, area_round, resident, lab_cdc
):
    from phaodai.diagnostics import services

    session = first_session(area_round(method="pcr_pooled", pool_size=5))
    for n in range(3):
        resident(n)
        data = services.SampleInput(
            code=f"BD-{n:06d}", cccd=resident_cccd(n), collected_at=SEPT_10_MORNING, pool_code="P-0007"
        )
        services.register_sample(by=health_worker_bo_de, data=data, session=session)
    pool = Sample.objects.get(code="BD-000000").pool
    assert pool is not None
    client.force_login(lab_tech_cdc)
    assert (
        client.get("/diagnostics/results/", {"code": "P-0007"})["Location"]
        == f"/diagnostics/pools/{pool.pk}/"
    )
    posted = client.post(
        f"/diagnostics/pools/{pool.pk}/result/", {"outcome": "positive", "resulted_at": "2021-09-10T09:45"}
    )
    assert posted.status_code == 302
    assert Retest.objects.filter(status="open").count() == 3
    client.force_login(health_worker_bo_de)
    assert client.get("/diagnostics/retests/").content.decode().count("P-0007") == 3


def test_turnaround_page_lists_labs_districts_and_late_samples(
    client, district_officer_long_bien, sampled_person, django_assert_max_num_queries
):
    sampled_person(1, outcome="negative", resulted_at=SEPT_10_MORNING + timedelta(hours=5))
    sampled_person(2, collected_at=SEPT_10_MORNING - timedelta(days=2))  # still waiting
    client.force_login(district_officer_long_bien)
    with django_assert_max_num_queries(14):
        response = client.get("/diagnostics/turnaround/", {"first": "2021-09-05", "last": "2021-09-10"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "CDC Hà Nội" in body and "Long Biên" in body
    assert "HN-0000002" in body
    bad = client.get("/diagnostics/turnaround/", {"first": "2021-09-10", "last": "2021-09-01"})
    assert bad.status_code == 422


def test_pages_answer_in_vietnamese_first(vietnamese_client, ward_officer_bo_de):
    vietnamese_client.force_login(ward_officer_bo_de)
    response = vietnamese_client.get("/diagnostics/")
    assert response.status_code == 200
    assert 'lang="vi"' in response.content.decode()
