"""Correcting an organisation: its officers and representatives may, two saves at once have one winner."""

from dataclasses import replace

import pytest

from phaodai.core.audit import AuditEntry
from phaodai.core.errors import Duplicate, NotPermitted, OutOfScope
from phaodai.permits import organisation_changes, services
from phaodai.permits.errors import ChangedMeanwhile
from phaodai.permits.tests.conftest import org_details

pytestmark = pytest.mark.django_db


def change(by, org, **fields):
    details = replace(organisation_changes.details_of(org), **fields)
    return organisation_changes.change_organisation(
        by=by, organisation=org, details=details, seen=org.updated_at
    )


def test_an_officer_corrects_the_address_and_it_is_audited(org, ward_officer_bo_de):
    changed = change(ward_officer_bo_de, org, address="12 Nguyễn Văn Cừ", contact_phone="0912345678")
    assert (changed.address, changed.contact_phone) == ("12 Nguyễn Văn Cừ", "0912345678")
    logged = AuditEntry.objects.filter(action="permits.organisation_changed").get()
    assert (logged.object_id, logged.unit_path) == (str(org.pk), org.path)
    assert logged.before_digest != logged.after_digest


def test_the_second_of_two_saves_from_the_same_reading_is_refused(org, ward_officer_bo_de):
    seen = org.updated_at
    first = replace(organisation_changes.details_of(org), address="Số 1 Ngọc Lâm")
    organisation_changes.change_organisation(
        by=ward_officer_bo_de, organisation=org, details=first, seen=seen
    )
    second = replace(organisation_changes.details_of(org), address="Số 2 Ngọc Lâm")
    with pytest.raises(ChangedMeanwhile):
        organisation_changes.change_organisation(
            by=ward_officer_bo_de, organisation=org, details=second, seen=seen
        )
    org.refresh_from_db()
    assert org.address == "Số 1 Ngọc Lâm"


def test_a_name_another_organisation_of_the_ward_has_is_refused(org, ward_officer_bo_de, unit):
    other, _ = services.register_organisation(
        by=ward_officer_bo_de,
        ward=unit("00139"),
        details=replace(org_details(), name="Bệnh viện Đa khoa Đức Giang", tax_code="0314409058"),
    )
    with pytest.raises(Duplicate) as refused:
        change(ward_officer_bo_de, other, name=org.name)
    assert refused.value.field == "name"


def test_bad_details_are_refused_on_their_field(org, ward_officer_bo_de):
    with pytest.raises(services.InvalidInput) as refused:
        change(ward_officer_bo_de, org, contact_email="not an address")
    assert refused.value.field == "contact_email"


def test_outsiders_cannot_change_it(org, ward_officer_phuc_xa, health_worker_bo_de):
    with pytest.raises(OutOfScope):
        change(ward_officer_phuc_xa, org, address="x")
    with pytest.raises(NotPermitted):
        change(health_worker_bo_de, org, address="x")


def test_the_page_saves_and_a_stale_form_says_so(client, org, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    page = client.get(f"/permits/organisations/{org.pk}/edit/")
    assert page.status_code == 200 and org.name in page.text
    form = {**page.context["form"].initial, "address": "Số 3 Ngọc Lâm"}
    form = {key: value or "" for key, value in form.items()}
    saved = client.post(f"/permits/organisations/{org.pk}/edit/", form)
    assert saved.status_code == 302
    stale = client.post(f"/permits/organisations/{org.pk}/edit/", {**form, "address": "Số 4"})
    assert stale.status_code == 409 and "changed this organisation" in stale.text
    org.refresh_from_db()
    assert org.address == "Số 3 Ngọc Lâm"
    missing = client.post(f"/permits/organisations/{org.pk}/edit/", {**form, "name": ""})
    assert missing.status_code == 422
