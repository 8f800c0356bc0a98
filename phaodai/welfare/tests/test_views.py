"""The welfare pages: home, filing for a resident (finding the person, the programme's facts, documents,
refusals that keep what was typed), an application's page with its history and the ward's review.

Pages run at 10:00 on 6 September 2021 in Hà Nội (time-machine), inside the 3642 programme.
"""

import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from phaodai.welfare import approval, listing, services
from phaodai.welfare.models import Application, Document
from phaodai.welfare.tests.world import INFORMAL, SEPT_6, build_world, clock_at, later, pdf

pytestmark = pytest.mark.django_db

NEW = "/welfare/applications/new/"


@pytest.fixture
def world(ward_officer_bo_de, ward_officer_phuc_xa):
    return build_world(ward_officer=ward_officer_bo_de, outsider_officer=ward_officer_phuc_xa)


@pytest.fixture
def bo_de(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    return client


@pytest.fixture
def at_sept_6():
    with time_machine.travel(SEPT_6, tick=False):
        yield


def file(by: Any, world: Any, n: int = 0, **extra: Any) -> Application:
    params: dict[str, Any] = dict(
        by=by, ward=world.ward, person_id=world.residents[n].pk, programme_code="HN-3642", facts=INFORMAL,
        documents=[("application_form", pdf())], clock=clock_at(SEPT_6),
    )  # fmt: skip
    params.update(extra)
    return services.file_application(**params)[0]


def posted_list(world: Any, officer: Any, count: int = 2) -> Any:
    filed = [file(officer, world, n) for n in range(count)]
    for application in filed:
        services.review(by=officer, application=application, accept=True, clock=later(0.1))
    return listing.post_list(by=officer, ward=world.ward, programme_code="HN-3642", clock=later(0.2))


def appraised_list(world: Any, officer: Any, district: Any, count: int = 2) -> Any:
    posted = posted_list(world, officer, count)
    submitted = listing.submit_list(by=officer, support_list=posted, clock=later(3))
    return approval.appraise(by=district, support_list=submitted, clock=later(4))


def approved(world: Any, officer: Any, district: Any, count: int = 2) -> Any:
    appraised = appraised_list(world, officer, district, count)
    return approval.approve(
        by=district,
        support_lists=[appraised],
        number="125/QĐ-UBND",
        signed_on=date(2021, 9, 10),
        clock=later(4.1),
    )


def filing_form(world: Any, n: int = 0, **changes: Any) -> dict[str, Any]:
    form = {
        "person": str(world.residents[n].pk), "programme": "HN-3642", "ward": "00139", "channel": "ward",
        "fact_job__lost_work_on": "2021-07-24", "token": f"tok-{n}",
        "doc_application_form": pdf(),
    }  # fmt: skip
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


# Home ----------------------------------------------------------------------------------------------


def test_the_home_shows_programmes_counts_and_what_waits(
    world, bo_de, ward_officer_bo_de, at_sept_6, django_assert_max_num_queries
):
    file(ward_officer_bo_de, world, 0)
    file(ward_officer_bo_de, world, 1)
    with django_assert_max_num_queries(16):
        response = bo_de.get("/welfare/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "HN-3642" in page and "NQ68-FOOD" in page  # programmes in force on 6/9/2021
    assert 'data-status="filed"' in page
    assert response.context["waiting"]["to_review"] == 2
    assert [row["count"] for row in response.context["counts"] if row["status"] == "filed"] == [2]


def test_the_home_is_for_welfare_roles(client, health_worker_bo_de):
    client.force_login(health_worker_bo_de)
    assert client.get("/welfare/").status_code == 403


# Finding the person ----------------------------------------------------------------------------------


def test_finding_the_person_by_name_and_by_cccd(world, bo_de, at_sept_6):
    page = bo_de.get(NEW, {"q": "nguyen van"}).content.decode()
    person = world.residents[0]
    assert "Nguyễn Văn An" in page and f"?person={person.pk}" in page
    assert bo_de.get(NEW, {"q": "001078"}).status_code == 302  # digits never searched from a URL
    found = bo_de.post("/welfare/applications/new/find/", {"cccd": "001078400000", "programme": "HN-3642"})
    assert found.status_code == 302
    assert found["Location"] == f"{NEW}?person={person.pk}&programme=HN-3642"
    assert "001078400000" not in found["Location"]
    missing = bo_de.post("/welfare/applications/new/find/", {"cccd": "001078499999"})
    assert missing.status_code == 404 and "001078499999" not in missing.content.decode()


def test_another_wards_resident_is_not_found(world, bo_de):
    assert bo_de.get(NEW, {"person": str(world.outsider.pk)}).status_code == 404


# Filing ----------------------------------------------------------------------------------------------


def test_the_form_asks_the_facts_the_programme_s_rules_read(world, bo_de, at_sept_6):
    page = bo_de.get(NEW, {"person": str(world.residents[0].pk), "programme": "HN-3642"}).content.decode()
    for name in ("fact_job__labour_contract", "fact_job__lost_work_on", "fact_job__other_support"):
        assert f'name="{name}"' in page
    assert 'name="doc_application_form"' in page and 'name="amount"' not in page
    assert '<input type="hidden" name="programme" value="HN-3642"' in page  # sent with the form
    food = bo_de.get(NEW, {"person": str(world.residents[0].pk), "programme": "NQ68-FOOD"}).content.decode()
    # Paid per isolation: the record is chosen, its facts are never typed in.
    assert 'name="isolation_order"' in food and 'name="days"' in food
    assert 'name="fact_isolation__subject"' not in food
    suspended = bo_de.get(NEW, {"person": str(world.residents[0].pk), "programme": "NQ68-SUSPENDED"})
    assert 'name="amount"' in suspended.content.decode()


def test_filing_from_the_form_and_a_double_submit_files_once(world, bo_de, at_sept_6):
    response = bo_de.post(NEW, filing_form(world))
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/welfare/applications/{application.pk}/"
    assert application.amount == 1_500_000 and application.facts["job"]["lost_work_on"] == "2021-07-24"
    assert Document.objects.filter(application=application, kind="application_form").count() == 1
    again = bo_de.post(NEW, filing_form(world))  # the same form sent twice (same token)
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert Application.objects.count() == 1


def test_an_ineligible_person_is_told_which_rule_failed_and_keeps_the_input(world, bo_de, at_sept_6):
    response = bo_de.post(NEW, filing_form(world, fact_job__labour_contract="on", channel="self"))
    page = response.content.decode()
    assert response.status_code == 422
    assert "no_labour_contract" in page and 'data-section="eligibility"' in page
    assert 'value="2021-07-24"' in page  # the date typed is kept
    assert re.search(r'<input type="checkbox" name="fact_job__labour_contract"[^>]* checked>', page)
    assert '<option value="self" selected>' in page
    assert not Application.objects.exists()


def test_missing_documents_are_named(world, bo_de, at_sept_6):
    response = bo_de.post(NEW, filing_form(world, doc_application_form=None))
    page = response.content.decode()
    assert response.status_code == 422 and 'data-section="documents"' in page
    assert "Missing documents: Application form (Mẫu 01)" in page  # named (the tests run in English)
    assert not Application.objects.exists()


def test_a_document_that_is_not_a_pdf_is_refused(world, bo_de, at_sept_6):
    fake = SimpleUploadedFile("don.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = bo_de.post(NEW, filing_form(world, doc_application_form=fake))
    assert response.status_code == 422 and not Application.objects.exists()


def test_a_second_application_shows_the_earlier_record(world, bo_de, ward_officer_bo_de, at_sept_6):
    earlier = file(ward_officer_bo_de, world, 0)
    response = bo_de.post(NEW, filing_form(world, token="another"))
    page = response.content.decode()
    assert response.status_code == 409
    assert 'id="earlier-record"' in page and f"/welfare/applications/{earlier.pk}/" in page
    assert earlier.reference in page
    assert Application.objects.count() == 1


def test_a_person_of_another_ward_of_the_district_is_refused_for_this_ward(
    world, client, district_officer_long_bien, at_sept_6
):
    client.force_login(district_officer_long_bien)
    response = client.post(NEW, filing_form(world, ward="00133"))  # Ngọc Lâm: not where the person lives
    page = response.content.decode()
    assert response.status_code == 422 and 'data-section="person"' in page
    assert not Application.objects.exists()


def test_an_amount_outside_the_programme_s_is_refused(world, bo_de, at_sept_6):
    form = filing_form(
        world, programme="NQ68-SUSPENDED", amount="5.000.000", doc_application_form=None,
        doc_suspension_agreement=pdf(), fact_job__social_insurance="on", fact_job__suspended_days="20",
    )  # fmt: skip
    response = bo_de.post(NEW, form)
    page = response.content.decode()
    assert response.status_code == 422 and 'id="id_amount-errors"' in page
    assert 'value="5.000.000"' in page and 'value="20"' in page
    assert not Application.objects.exists()


# One application ---------------------------------------------------------------------------------------


def test_the_application_page_shows_history_and_the_review(
    world, bo_de, ward_officer_bo_de, at_sept_6, django_assert_max_num_queries
):
    application = file(ward_officer_bo_de, world)
    with django_assert_max_num_queries(14):
        page = bo_de.get(f"/welfare/applications/{application.pk}/").content.decode()
    assert application.reference in page and 'id="review"' in page and 'id="history"' in page
    assert "Nguyễn V. A., 1978" in page  # how the public list will show the person
    refused = bo_de.post(
        f"/welfare/applications/{application.pk}/review/", {"decision": "reject", "note": "", "version": "1"}
    )
    assert refused.status_code == 422  # a rejection says why
    accepted = bo_de.post(
        f"/welfare/applications/{application.pk}/review/", {"decision": "accept", "version": "1"}
    )
    assert accepted.status_code == 302
    assert Application.objects.get(pk=application.pk).status == "reviewed"
    stale = bo_de.post(
        f"/welfare/applications/{application.pk}/review/", {"decision": "accept", "version": "1"}
    )
    assert stale.status_code == 409


def test_an_application_of_another_ward_is_not_found(world, client, ward_officer_bo_de, ward_officer_phuc_xa):
    application = file(ward_officer_bo_de, world)
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/welfare/applications/{application.pk}/").status_code == 404
    review = client.post(
        f"/welfare/applications/{application.pk}/review/", {"decision": "accept", "version": "1"}
    )
    assert review.status_code == 404
    assert Application.objects.get(pk=application.pk).status == "filed"


def test_documents_are_attached_and_downloaded_within_reach(
    world, bo_de, client, ward_officer_bo_de, ward_officer_phuc_xa
):
    application = file(ward_officer_bo_de, world)
    response = bo_de.post(
        f"/welfare/applications/{application.pk}/documents/", {"kind": "other", "file": pdf("xac-nhan.pdf")}
    )
    assert response.status_code == 302
    document = Document.objects.get(application=application, kind="other")
    download = bo_de.get(f"/welfare/documents/{document.pk}/")
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/welfare/documents/{document.pk}/").status_code == 404


def test_withdrawing_needs_a_note(world, bo_de, ward_officer_bo_de):
    application = file(ward_officer_bo_de, world)
    assert (
        bo_de.post(f"/welfare/applications/{application.pk}/withdraw/", {"version": "1"}).status_code == 422
    )
    done = bo_de.post(
        f"/welfare/applications/{application.pk}/withdraw/", {"version": "1", "note": "Người dân rút đơn"}
    )
    assert done.status_code == 302 and Application.objects.get(pk=application.pk).status == "withdrawn"


def test_the_list_of_applications_filters_and_is_bounded(
    world, bo_de, ward_officer_bo_de, django_assert_max_num_queries
):
    for n in range(4):
        file(ward_officer_bo_de, world, n)
    with django_assert_max_num_queries(8):
        page = bo_de.get("/welfare/applications/?status=filed").content.decode()
    assert page.count('data-reference="HT-00139-') == 4
    rows = bo_de.get("/welfare/applications/?status=paid", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in rows and "HT-00139-" not in rows


def test_objections_are_recorded_and_resolved_on_the_application_page(world, bo_de, ward_officer_bo_de):
    support_list = posted_list(world, ward_officer_bo_de, count=1)
    application = support_list.applications.get()
    response = bo_de.post(
        f"/welfare/applications/{application.pk}/objections/",
        {"text": "Anh ấy vẫn đi làm có hợp đồng", "objector": "Tổ trưởng"},
    )
    assert response.status_code == 302
    objection = application.objections.get()
    empty = bo_de.post(f"/welfare/objections/{objection.pk}/resolve/", {"outcome": "uphold", "note": ""})
    assert empty.status_code == 422
    upheld = bo_de.post(
        f"/welfare/objections/{objection.pk}/resolve/", {"outcome": "uphold", "note": "Đã xác minh"}
    )
    assert upheld.status_code == 302
    assert Application.objects.get(pk=application.pk).status == "rejected"


def test_time_shown_is_hanoi_time(world, bo_de, ward_officer_bo_de):
    application = file(ward_officer_bo_de, world)
    page = bo_de.get(f"/welfare/applications/{application.pk}/").content.decode()
    assert "10:00 06/09/2021" in page  # filed at 03:00 UTC


def test_a_retry_in_the_future_is_not_a_new_period(world, bo_de, ward_officer_bo_de):
    # The 3642 support is once: a month later the same person is still blocked (no new period).
    file(ward_officer_bo_de, world)
    with time_machine.travel(SEPT_6 + timedelta(days=30), tick=False):
        response = bo_de.post(NEW, filing_form(world, token="next-month"))
    assert response.status_code == 409 and Application.objects.count() == 1


def test_food_allowance_candidates_come_from_isolation_records(
    world, bo_de, client, ward_officer_bo_de, welfare_officer_bo_de, ward_officer_phuc_xa
):
    from phaodai.cases import isolation
    from phaodai.core.clock import hanoi

    started = hanoi(2021, 8, 20, 9, 0)
    isolation.order_isolation(
        by=ward_officer_bo_de, person=world.residents[0], subject="F1", setting="home", starts_at=started,
        clock=clock_at(started),
    )  # fmt: skip
    url = "/welfare/candidates/food/?ward=00139&since=2021-08-01&until=2021-09-30"
    page = bo_de.get(url).content.decode()
    assert 'id="candidates"' in page and "Nguyễn Văn An" in page and "20/08/2021" in page
    assert f"?person={world.residents[0].pk}&amp;programme=NQ68-FOOD" in page
    client.force_login(welfare_officer_bo_de)  # files support in the ward: proposed the same candidates
    theirs = client.get(url).content.decode()
    assert (
        'id="candidates"' in theirs and f"?person={world.residents[0].pk}&amp;programme=NQ68-FOOD" in theirs
    )
    client.force_login(ward_officer_phuc_xa)
    assert client.get(url).status_code == 404


def test_the_food_allowance_is_filed_for_a_chosen_isolation_once(world, bo_de, ward_officer_bo_de):
    from phaodai.cases import isolation
    from phaodai.core.clock import hanoi
    from phaodai.welfare.models import Programme

    started = hanoi(2021, 8, 20, 9, 0)
    order, _created = isolation.order_isolation(
        by=ward_officer_bo_de, person=world.residents[0], subject="F1", setting="home", starts_at=started,
        clock=clock_at(started),
    )  # fmt: skip
    programme = Programme.objects.filter(code="NQ68-FOOD").order_by("-version").first()
    assert programme is not None
    form = {
        "person": str(world.residents[0].pk), "programme": "NQ68-FOOD", "ward": "00139", "channel": "ward",
        "isolation_order": str(order.pk), "days": "14", "token": "food-1",
        **{f"doc_{item['kind']}": pdf() for item in programme.required_documents or []},
    }  # fmt: skip
    with time_machine.travel(hanoi(2021, 9, 6, 9, 0), tick=False):
        page = bo_de.get(NEW, {"person": form["person"], "programme": "NQ68-FOOD"}).content.decode()
        assert f'<option value="{order.pk}"' in page  # the person's isolation is offered
        first = bo_de.post(NEW, form)
        documents = {key: pdf() for key in form if key.startswith("doc_")}
        again = bo_de.post(NEW, {**form, "token": "food-2", **documents})
    assert first.status_code == 302, first.content.decode()[-2000:]
    application = Application.objects.get(programme_code="NQ68-FOOD")
    assert application.period_key == f"iso-{order.pk}"
    assert again.status_code == 409 and Application.objects.filter(programme_code="NQ68-FOOD").count() == 1
