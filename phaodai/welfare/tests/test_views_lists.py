"""The ward's lists and the district's pages: posting, sending after the posting, appraising with a
returned application, approving in a numbered decision, and two officers approving at once."""

from datetime import timedelta

import pytest
import time_machine

from phaodai.welfare.models import Application, Decision, SupportList
from phaodai.welfare.tests.test_views import appraised_list, file, posted_list
from phaodai.welfare.tests.world import SEPT_6, build_world, later

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(ward_officer_bo_de, ward_officer_phuc_xa):
    return build_world(ward_officer=ward_officer_bo_de, outsider_officer=ward_officer_phuc_xa)


@pytest.fixture
def bo_de(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    return client


@pytest.fixture
def long_bien(client, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    return client


def test_posting_the_reviewed_applications_then_sending_after_the_posting(world, bo_de, ward_officer_bo_de):
    from phaodai.welfare import services

    for n in range(2):
        services.review(
            by=ward_officer_bo_de,
            application=file(ward_officer_bo_de, world, n),
            accept=True,
            clock=later(0.1),
        )
    with time_machine.travel(SEPT_6 + timedelta(hours=3), tick=False):
        page = bo_de.get("/welfare/lists/").content.decode()
        assert 'data-ward="00139" data-programme="HN-3642"' in page
        posted = bo_de.post("/welfare/lists/post/", {"ward": "00139", "programme": "HN-3642"})
        support_list = SupportList.objects.get()
        assert posted.status_code == 302 and posted["Location"] == f"/welfare/lists/{support_list.pk}/"
        nothing = bo_de.post("/welfare/lists/post/", {"ward": "00139", "programme": "HN-3642"})
        assert nothing.status_code == 422 and "No reviewed applications" in nothing.content.decode()
        early = bo_de.post(f"/welfare/lists/{support_list.pk}/send/", {"version": "1"})
        assert early.status_code == 422 and "stays posted until" in early.content.decode()
    with time_machine.travel(SEPT_6 + timedelta(days=3), tick=False):
        sent = bo_de.post(f"/welfare/lists/{support_list.pk}/send/", {"version": "1"})
    assert sent.status_code == 302
    assert SupportList.objects.get().status == "submitted"
    assert set(Application.objects.values_list("status", flat=True)) == {"submitted"}


def test_an_open_objection_holds_the_list(world, bo_de, ward_officer_bo_de):
    from phaodai.welfare import listing

    support_list = posted_list(world, ward_officer_bo_de, count=1)
    listing.record_objection(
        by=ward_officer_bo_de,
        application=support_list.applications.get(),
        text="Không đúng đối tượng",
        clock=later(1),
    )
    with time_machine.travel(SEPT_6 + timedelta(days=3), tick=False):
        page = bo_de.get(f"/welfare/lists/{support_list.pk}/").content.decode()
        assert "Resolve the open objections first." in page
        held = bo_de.post(f"/welfare/lists/{support_list.pk}/send/", {"version": "1"})
    assert held.status_code == 422 and "open objection" in held.content.decode()
    assert SupportList.objects.get().status == "posted"


def test_a_list_of_another_ward_is_not_found(world, client, ward_officer_bo_de, ward_officer_phuc_xa):
    support_list = posted_list(world, ward_officer_bo_de, count=1)
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/welfare/lists/{support_list.pk}/").status_code == 404
    assert client.post(f"/welfare/lists/{support_list.pk}/send/", {"version": "1"}).status_code == 404


def test_the_district_appraises_returning_one_application_with_its_reason(
    world, long_bien, ward_officer_bo_de, django_assert_max_num_queries
):
    from phaodai.welfare import listing

    posted = posted_list(world, ward_officer_bo_de, count=3)
    submitted = listing.submit_list(by=ward_officer_bo_de, support_list=posted, clock=later(3))
    with django_assert_max_num_queries(12):
        page = long_bien.get(f"/welfare/lists/{submitted.pk}/").content.decode()
    assert 'id="appraise"' in page and page.count('name="return"') == 3
    back = Application.objects.filter(support_list=submitted).order_by("pk").first()
    assert back is not None
    response = long_bien.post(
        f"/welfare/lists/{submitted.pk}/appraise/",
        {"version": str(submitted.version), "return": [str(back.pk)], f"reason_{back.pk}": "Có HĐLĐ"},
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=back.pk).status == "returned"
    assert Application.objects.get(pk=back.pk).status_note == "Có HĐLĐ"
    assert Application.objects.filter(support_list=submitted, status="appraised").count() == 2


def test_a_ward_officer_cannot_appraise(world, bo_de, ward_officer_bo_de):
    from phaodai.welfare import listing

    posted = posted_list(world, ward_officer_bo_de, count=1)
    submitted = listing.submit_list(by=ward_officer_bo_de, support_list=posted, clock=later(3))
    assert bo_de.post(f"/welfare/lists/{submitted.pk}/appraise/", {"version": "2"}).status_code == 403
    assert bo_de.get("/welfare/approve/").status_code == 403


def test_approving_in_a_numbered_decision(world, long_bien, ward_officer_bo_de, district_officer_long_bien):
    appraised = appraised_list(world, ward_officer_bo_de, district_officer_long_bien)
    page = long_bien.get(f"/welfare/approve/?list={appraised.pk}").content.decode()
    assert f'value="{appraised.pk}"' in page and "checked" in page
    form = {"lists": [str(appraised.pk)], "number": "125/QĐ-UBND", "signed_on": "2021-09-10"}
    missing = long_bien.post("/welfare/approve/", {**form, "number": ""})
    assert missing.status_code == 422 and 'value="2021-09-10"' in missing.content.decode()
    response = long_bien.post("/welfare/approve/", form)
    decision = Decision.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/welfare/decisions/{decision.pk}/"
    assert decision.number == "125/QĐ-UBND" and decision.count == 2 and decision.total == 3_000_000
    assert list(Application.objects.order_by("line_no").values_list("line_no", flat=True)) == [1, 2]


def test_the_second_officer_approving_the_same_list_sees_the_decision_that_won(
    world, client, ward_officer_bo_de, district_officer_long_bien, city_commander
):
    appraised = appraised_list(world, ward_officer_bo_de, district_officer_long_bien)
    form = {"lists": [str(appraised.pk)], "signed_on": "2021-09-10"}
    client.force_login(district_officer_long_bien)
    assert client.post("/welfare/approve/", {**form, "number": "125/QĐ-UBND"}).status_code == 302
    client.force_login(city_commander)  # had the page open with the same list ticked
    late = client.post("/welfare/approve/", {**form, "number": "126/QĐ-UBND"})
    page = late.content.decode()
    assert late.status_code == 409
    assert 'id="conflict"' in page and "125/QĐ-UBND" in page
    assert Decision.objects.count() == 1


def test_a_decision_number_is_used_once(world, long_bien, ward_officer_bo_de, district_officer_long_bien):
    first = appraised_list(world, ward_officer_bo_de, district_officer_long_bien, count=1)
    long_bien.post(
        "/welfare/approve/", {"lists": [str(first.pk)], "number": "125/QĐ-UBND", "signed_on": "2021-09-10"}
    )
    from phaodai.welfare import listing, services

    application = file(ward_officer_bo_de, world, 2)
    services.review(by=ward_officer_bo_de, application=application, accept=True, clock=later(5))
    again = listing.post_list(
        by=ward_officer_bo_de, ward=world.ward, programme_code="HN-3642", clock=later(5)
    )
    listing.submit_list(by=ward_officer_bo_de, support_list=again, clock=later(8))
    from phaodai.welfare import approval

    approval.appraise(
        by=district_officer_long_bien, support_list=SupportList.objects.get(pk=again.pk), clock=later(9)
    )
    response = long_bien.post(
        "/welfare/approve/", {"lists": [str(again.pk)], "number": "125/QĐ-UBND", "signed_on": "2021-09-20"}
    )
    assert response.status_code == 409 and 'id="id_number-errors"' in response.content.decode()
    assert Decision.objects.count() == 1
