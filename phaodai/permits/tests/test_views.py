"""The permit pages as a Bồ Đề ward officer uses them, the holder's phone page and the PDFs."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from phaodai.permits import services
from phaodai.permits.models import Entry, Organisation, Permit
from phaodai.permits.tests.conftest import CCCD_AN, CCCD_BINH, org_details, staff_row, today

pytestmark = pytest.mark.django_db


def entry_form(**overrides):
    values = {
        "full_name": "Nguyễn Văn An", "cccd": CCCD_AN, "birth_year": "1985", "job": "Lái xe", "group": "2",
        "purpose": "Chở hàng", "zones": "004", "route": "", "plate": "29C-123.45",
        "valid_from": today().isoformat(), "valid_to": (today() + timedelta(days=3)).isoformat(),
    }  # fmt: skip
    values.update(overrides)
    return values


def test_the_desk_lists_what_awaits_a_decision(
    client, ward_officer_bo_de, entry, django_assert_max_num_queries
):
    client.force_login(ward_officer_bo_de)
    with django_assert_max_num_queries(15):
        response = client.get("/permits/")
    assert response.status_code == 200
    assert "Nguyễn Văn An" in response.text and "PC08" in response.text


def test_the_desk_is_vietnamese_first(vietnamese_client, ward_officer_bo_de):
    vietnamese_client.force_login(ward_officer_bo_de)
    response = vietnamese_client.get("/permits/")
    assert response.status_code == 200 and 'lang="vi"' in response.text


def test_registering_an_organisation_through_the_form(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    assert client.get("/permits/organisations/new/").status_code == 200
    form = {
        "name": "Trung tâm Y tế Long Biên", "tax_code": "", "governing_body": "Sở Y tế Hà Nội",
        "address": "Số 2 Nguyễn Văn Cừ", "ward": "00139", "contact_name": "Lê Thị Hoa",
        "contact_phone": "", "contact_email": "",
    }  # fmt: skip
    response = client.post("/permits/organisations/new/", form)
    org = Organisation.objects.get()
    assert response.status_code == 302 and response.url == f"/permits/organisations/{org.pk}/"
    bad = client.post("/permits/organisations/new/", {**form, "governing_body": "", "name": "Khác"})
    assert bad.status_code == 422 and "tax code" in bad.text


def test_the_organisation_page_lists_its_staff_with_bounded_queries(
    client, ward_officer_bo_de, org, django_assert_max_num_queries
):
    for n, cccd in enumerate(["001085012345", "001190054321", "001079000777"]):
        year = {"001085012345": 1985, "001190054321": 1990, "001079000777": 1979}[cccd]
        services.submit_entry(
            by=ward_officer_bo_de,
            organisation=org,
            row=staff_row(full_name=f"Người Số {'ABC'[n]}", cccd=cccd, birth_year=year),
        )
    client.force_login(ward_officer_bo_de)
    with django_assert_max_num_queries(14):
        response = client.get(f"/permits/organisations/{org.pk}/")
    assert response.status_code == 200 and "001******777" in response.text
    assert "001079000777" not in response.text


def test_adding_a_person_and_a_bad_cccd_beside_its_field(client, ward_officer_bo_de, org):
    client.force_login(ward_officer_bo_de)
    url = f"/permits/organisations/{org.pk}/entries/new/"
    bad = client.post(url, entry_form(cccd="01085012345"))
    assert bad.status_code == 422 and 'id="id_cccd-errors"' in bad.text
    assert Entry.objects.count() == 0
    response = client.post(url, entry_form())
    assert response.status_code == 302 and Entry.objects.count() == 1
    again = client.post(url, entry_form())
    assert again.status_code == 302 and Entry.objects.count() == 1


def test_uploading_a_list_shows_the_refused_lines(client, ward_officer_bo_de, org):
    client.force_login(ward_officer_bo_de)
    start, end = today(), today() + timedelta(days=2)
    text = (
        "full_name,cccd,birth_year,job,group,purpose,zones,route,plate,valid_from,valid_to\n"
        f"Nguyễn Văn An,{CCCD_AN},1985,Lái xe,2,Chở hàng,004,,,{start:%d/%m/%Y},{end:%d/%m/%Y}\n"
        f"Trần Thị Bình,{CCCD_BINH},1991,Kế toán,6,Trực,00139,,,{start:%d/%m/%Y},{end:%d/%m/%Y}\n"
    )
    upload = SimpleUploadedFile("ds.csv", text.encode(), content_type="text/csv")
    response = client.post(f"/permits/organisations/{org.pk}/entries/upload/", {"file": upload})
    assert response.status_code == 200
    assert "1 added" in response.text and "birth_year" in response.text
    template = client.get(f"/permits/organisations/{org.pk}/entries/upload/?template=1")
    assert template["Content-Type"].startswith("text/csv")


def test_approving_through_htmx_swaps_the_panel(client, ward_officer_bo_de, entry, pass_key):
    client.force_login(ward_officer_bo_de)
    response = client.post(
        f"/permits/entries/{entry.pk}/decide/", {"decision": "approve", "reason": "", "version": "1"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 200 and 'id="decision-panel"' in response.text
    assert "<html" not in response.text
    assert Permit.objects.filter(entry=entry, status="active").count() == 1


def test_a_second_officer_deciding_gets_a_conflict(
    client, ward_officer_bo_de, district_officer_long_bien, entry
):
    services.decide_entry(by=ward_officer_bo_de, entry=entry, approve=False, reason="Không thuộc diện")
    client.force_login(district_officer_long_bien)
    response = client.post(f"/permits/entries/{entry.pk}/decide/", {"decision": "approve", "version": "1"})
    assert response.status_code == 409 and "Another officer decided" in response.text


def test_a_rejection_without_reason_is_refused_beside_the_field(client, ward_officer_bo_de, entry):
    client.force_login(ward_officer_bo_de)
    response = client.post(f"/permits/entries/{entry.pk}/decide/", {"decision": "reject", "reason": ""})
    assert response.status_code == 422
    entry.refresh_from_db()
    assert entry.status == Entry.Status.PENDING


def test_the_permit_page_shows_the_qr_and_the_pdf_has_the_font(client, ward_officer_bo_de, issued):
    client.force_login(ward_officer_bo_de)
    page = client.get(f"/permits/{issued.pk}/")
    assert page.status_code == 200 and "<svg" in page.text and "001******345" in page.text
    pdf = client.get(f"/permits/{issued.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"DejaVu" in pdf.content


def test_the_organisation_prints_every_valid_permit_in_one_pdf(
    client, ward_officer_bo_de, org, issued, pass_key
):
    other = services.submit_entry(
        by=ward_officer_bo_de,
        organisation=org,
        row=staff_row(full_name="Trần Thị Bình", cccd=CCCD_BINH, birth_year=1990),
    ).entry
    services.decide_entry(by=ward_officer_bo_de, entry=other, approve=True)
    client.force_login(ward_officer_bo_de)
    pdf = client.get(f"/permits/organisations/{org.pk}/permits.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert b"/Count 2" in pdf.content


def test_the_holder_page_needs_no_sign_in_and_shows_revocation(client, ward_officer_bo_de, issued):
    page = client.get(f"/permits/p/{issued.token}/")
    assert page.status_code == 200 and "<svg" in page.text and "Nguyễn Văn An" in page.text
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert f"/permits/p/{issued.token}/pdf/" in page.text
    printed = client.get(f"/permits/p/{issued.token}/pdf/")
    assert printed.content.startswith(b"%PDF") and "no-store" in printed["Cache-Control"]
    services.revoke_permit(by=ward_officer_bo_de, permit=issued, reason="Nghỉ việc")
    revoked = client.get(f"/permits/p/{issued.token}/")
    assert "REVOKED" in revoked.text and "<svg" not in revoked.text and "Nghỉ việc" not in revoked.text
    assert client.get("/permits/p/not-a-token/").status_code == 404


def test_revoking_from_the_page_and_issuing_again(client, ward_officer_bo_de, issued, entry):
    client.force_login(ward_officer_bo_de)
    bad = client.post(f"/permits/{issued.pk}/revoke/", {"reason": ""})
    assert bad.status_code == 422
    response = client.post(f"/permits/{issued.pk}/revoke/", {"reason": "Nghỉ việc"})
    assert response.status_code == 302
    twice = client.post(f"/permits/{issued.pk}/revoke/", {"reason": "again"})
    assert twice.status_code == 409
    reissued = client.post(f"/permits/entries/{entry.pk}/issue/")
    assert reissued.status_code == 302
    assert Permit.objects.filter(entry=entry).count() == 2


def test_a_resident_application_through_the_form(client, ward_officer_bo_de, resident):
    client.force_login(ward_officer_bo_de)
    form = {"cccd": CCCD_BINH, "purpose": "food_medicine", "supporting_paper": "", "zones": "", "route": "",
            "valid_from": today().isoformat(), "valid_to": today().isoformat()}  # fmt: skip
    response = client.post("/permits/applications/new/", form)
    assert response.status_code == 302
    unknown = client.post("/permits/applications/new/", {**form, "cccd": "001079000777"})
    assert unknown.status_code == 422 and "register them first" in unknown.text


def test_outsiders_get_404_and_other_roles_403(client, ward_officer_phuc_xa, health_worker_bo_de, org, entry):
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/permits/organisations/{org.pk}/").status_code == 404
    assert client.get(f"/permits/entries/{entry.pk}/").status_code == 404
    client.force_login(health_worker_bo_de)
    assert client.get("/permits/").status_code == 403


def test_a_representative_sees_only_their_organisation(
    client, ward_officer_bo_de, business_rep_bo_de, unit, org
):
    from phaodai.business import services as business

    registered = business.register_business(
        by=ward_officer_bo_de, tax_code="0100109106", name="Công ty Vận tải Bồ Đề", kind="factory",
        sector="factory", address="Số 5 Nguyễn Văn Cừ", unit=unit("00139"),
    )  # fmt: skip
    business.add_representative(by=ward_officer_bo_de, business=registered, user=business_rep_bo_de)
    own, _ = services.register_organisation(
        by=business_rep_bo_de,
        ward=unit("00139"),
        business=registered,
        details=org_details(name="Vận tải Bồ Đề"),
    )
    client.force_login(business_rep_bo_de)
    assert client.get(f"/permits/organisations/{own.pk}/").status_code == 200
    assert client.get(f"/permits/organisations/{org.pk}/").status_code == 404
    assert client.post(f"/permits/organisations/{own.pk}/confirm/").status_code == 403


def test_a_representative_submits_their_business_through_the_form(
    client, ward_officer_bo_de, business_rep_bo_de, unit
):
    from phaodai.business import services as business

    registered = business.register_business(
        by=ward_officer_bo_de, tax_code="0100109106", name="Công ty Vận tải Bồ Đề", kind="factory",
        sector="factory", address="Số 5 Nguyễn Văn Cừ", unit=unit("00139"),
    )  # fmt: skip
    business.add_representative(by=ward_officer_bo_de, business=registered, user=business_rep_bo_de)
    client.force_login(business_rep_bo_de)
    form = {"name": "Công ty Vận tải Bồ Đề", "tax_code": "", "governing_body": "", "address": "Số 5",
            "ward": "00139", "contact_name": "Phạm Thu", "business": str(registered.pk)}  # fmt: skip
    response = client.post("/permits/organisations/new/", form)
    assert response.status_code == 302
    org = Organisation.objects.get()
    assert (org.status, org.tax_code, org.business_id) == ("pending", "0100109106", registered.pk)
    page = client.get(f"/permits/organisations/{org.pk}/")
    assert "Awaiting confirmation" in page.text and "Add a person" not in page.text


def test_the_permit_and_entry_pages_issue_few_queries(
    client, ward_officer_bo_de, issued, entry, django_assert_max_num_queries
):
    client.force_login(ward_officer_bo_de)
    with django_assert_max_num_queries(12):
        assert client.get(f"/permits/{issued.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/permits/entries/{entry.pk}/").status_code == 200
