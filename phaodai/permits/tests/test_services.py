"""Organisations, staff entries, decisions, issuing and revoking, through the services officers use."""

from datetime import timedelta
from typing import Any

import pytest

from phaodai.core.errors import Conflict, Duplicate, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.passes import selectors as passes
from phaodai.permits import selectors, services
from phaodai.permits.errors import AlreadyDecided, AlreadyIssued, AlreadyRevoked, OrganisationNotConfirmed
from phaodai.permits.models import Entry, Organisation, Permit
from phaodai.permits.tests.conftest import CCCD_AN, CCCD_BINH, CCCD_CUONG, org_details, staff_row, today

pytestmark = pytest.mark.django_db


# Organisations ------------------------------------------------------------------------------


def test_an_officer_registers_an_organisation_confirmed_and_a_retry_finds_it(org, ward_officer_bo_de, unit):
    assert org.status == Organisation.Status.CONFIRMED
    assert org.path == unit("00139").path
    again, created = services.register_organisation(
        by=ward_officer_bo_de, ward=unit("00139"), details=org_details()
    )
    assert (again.pk, created) == (org.pk, False)
    assert Organisation.objects.count() == 1


def test_registration_is_audited_without_the_contact_phone(org):
    entry = AuditEntry.objects.get(action="permits.organisation_registered")
    assert entry.object_id == str(org.pk)
    assert "0912345678" not in str(entry.__dict__)


def test_an_officer_of_another_ward_cannot_register_in_bo_de(ward_officer_phuc_xa, unit):
    with pytest.raises(OutOfScope):
        services.register_organisation(by=ward_officer_phuc_xa, ward=unit("00139"), details=org_details())


def test_a_role_without_permits_cannot_register(health_worker_bo_de, unit):
    with pytest.raises(NotPermitted):
        services.register_organisation(by=health_worker_bo_de, ward=unit("00139"), details=org_details())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tax_code": "0101234568", "governing_body": ""}, "tax_code"),
        ({"tax_code": "", "governing_body": ""}, "tax_code"),
        ({"name": "  "}, "name"),
        ({"contact_email": "not an email"}, "contact_email"),
        ({"contact_phone": "12345"}, "contact_phone"),
    ],
)
def test_bad_registrations_are_refused_naming_the_field(ward_officer_bo_de, unit, changes, field):
    with pytest.raises(InvalidInput) as error:
        services.register_organisation(
            by=ward_officer_bo_de, ward=unit("00139"), details=org_details(**changes)
        )
    if field:
        assert error.value.field == field


def test_a_district_is_not_a_ward(district_officer_long_bien, unit):
    with pytest.raises(InvalidInput) as error:
        services.register_organisation(by=district_officer_long_bien, ward=unit("004"), details=org_details())
    assert error.value.field == "ward"


def _business(by: Any, unit: Any, rep: Any) -> Any:
    from phaodai.business import services as business

    registered = business.register_business(
        by=by, tax_code="0100109106", name="Công ty Vận tải Bồ Đề", kind="factory", sector="factory",
        address="Số 5 Nguyễn Văn Cừ", unit=unit("00139"),
    )  # fmt: skip
    business.add_representative(by=by, business=registered, user=rep)
    return registered


def test_a_representative_submits_and_the_ward_confirms(ward_officer_bo_de, business_rep_bo_de, unit):
    business = _business(ward_officer_bo_de, unit, business_rep_bo_de)
    org, created = services.register_organisation(
        by=business_rep_bo_de, ward=unit("00139"), business=business,
        details=org_details(name="Công ty Vận tải Bồ Đề", governing_body="", tax_code=""),
    )  # fmt: skip
    assert created and org.status == Organisation.Status.PENDING and org.tax_code == "0100109106"
    with pytest.raises(OrganisationNotConfirmed):
        services.submit_entry(by=business_rep_bo_de, organisation=org, row=staff_row())
    services.confirm_organisation(by=ward_officer_bo_de, organisation=org)
    with pytest.raises(Conflict):
        services.confirm_organisation(by=ward_officer_bo_de, organisation=org)
    submitted = services.submit_entry(by=business_rep_bo_de, organisation=org, row=staff_row())
    assert submitted.created
    assert [o.pk for o in selectors.organisations_visible_to(business_rep_bo_de)] == [org.pk]
    with pytest.raises(NotPermitted):
        services.decide_entry(by=business_rep_bo_de, entry=submitted.entry, approve=True)


def test_a_tax_code_registered_in_another_ward_is_a_duplicate(
    org, ward_officer_bo_de, ward_officer_ngoc_lam, unit
):
    services.register_organisation(
        by=ward_officer_bo_de,
        ward=unit("00139"),
        details=org_details(name="Công ty A", tax_code="0100109106"),
    )
    with pytest.raises(Duplicate):
        services.register_organisation(
            by=ward_officer_ngoc_lam,
            ward=unit("00133"),
            details=org_details(name="Công ty B", tax_code="0100109106"),
        )


# Staff entries ------------------------------------------------------------------------------


def test_an_entry_keeps_the_cccd_encrypted_and_masked(entry):
    assert entry.cccd_masked == "001******345"
    assert CCCD_AN.encode() not in bytes(entry.cccd_ciphertext)
    assert services.decrypt_cccd(entry) == CCCD_AN
    assert entry.plate == "29C-123.45" and entry.zones == ["004", "001"]


def test_submitting_the_same_person_again_is_idempotent(org, entry, ward_officer_bo_de):
    again = services.submit_entry(by=ward_officer_bo_de, organisation=org, row=staff_row())
    assert (again.entry.pk, again.created) == (entry.pk, False)
    assert Entry.objects.count() == 1


def test_audit_of_an_entry_carries_no_cccd(entry):
    record = AuditEntry.objects.get(action="permits.entry_submitted")
    assert CCCD_AN not in str(record.__dict__)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cccd": "01085012345"}, "cccd"),  # lost its leading zero: refused, never padded back
        ({"cccd": 1085012345}, "cccd"),  # read as a number
        ({"cccd": "1.08501E+11"}, "cccd"),
        ({"cccd": "999085012345"}, "cccd"),  # no such province
        ({"birth_year": 1986}, "birth_year"),  # the CCCD says 1985
        ({"birth_year": "85"}, "birth_year"),
        ({"group": 7}, "group"),
        ({"group": 5}, "group"),  # residents apply at their ward
        ({"plate": "ABC"}, "plate"),
        ({"zones": "99999"}, "zones"),
        ({"zones": "", "route": ""}, "zones"),
        ({"purpose": ""}, "purpose"),
        ({"full_name": "Nguyen 2"}, "full_name"),
        ({"valid_to": today() - timedelta(days=1), "valid_from": today() - timedelta(days=3)}, "valid_to"),
        ({"valid_to": today() + timedelta(days=40)}, "valid_to"),
    ],
)
def test_bad_rows_are_refused_naming_the_field(org, ward_officer_bo_de, changes, field):
    with pytest.raises(InvalidInput) as error:
        services.submit_entry(by=ward_officer_bo_de, organisation=org, row=staff_row(**changes))
    assert error.value.field == field
    assert Entry.objects.count() == 0


def test_a_route_instead_of_zones(org, ward_officer_bo_de):
    entry = services.submit_entry(
        by=ward_officer_bo_de, organisation=org, row=staff_row(zones="", route="QL5 – cầu Chương Dương")
    ).entry
    assert entry.zones == [] and entry.route == "QL5 – cầu Chương Dương"


# Decisions and permits ----------------------------------------------------------------------


def test_approval_issues_a_signed_permit_that_verifies(issued, entry):
    assert issued.status == Permit.Status.ACTIVE and issued.pass_id.startswith("GDD-")
    assert issued.code.startswith("PD1:")
    checked = passes.verify_code(issued.code)
    assert checked.signature_ok and checked.error is None
    payload = checked.payload
    assert payload is not None
    assert payload["id"] == issued.pass_id and payload["pg"] == 2 and payload["cc"] == "001******345"
    assert (
        payload["n"] == "Nguyễn Văn An" and payload["pl"] == "29C-123.45" and payload["z"] == ["004", "001"]
    )
    assert payload["og"] == "Công ty Môi trường đô thị Long Biên"
    assert CCCD_AN not in str(payload)
    entry.refresh_from_db()
    assert entry.status == Entry.Status.APPROVED and entry.version == 2


def test_a_permit_runs_from_midnight_of_the_first_day_to_midnight_after_the_last(issued):
    from phaodai.core.clock import to_local

    start, end = to_local(issued.valid_from), to_local(issued.valid_to)
    assert (start.hour, start.minute, end.hour) == (0, 0, 0)
    assert (end.date() - start.date()).days == 7


def test_a_second_decision_is_a_conflict(entry, ward_officer_bo_de, district_officer_long_bien, pass_key):
    services.decide_entry(by=ward_officer_bo_de, entry=entry, approve=False, reason="Không thuộc diện")
    with pytest.raises(AlreadyDecided):
        services.decide_entry(by=district_officer_long_bien, entry=entry, approve=True)
    entry.refresh_from_db()
    assert entry.status == Entry.Status.REJECTED and not entry.permits.exists()


def test_a_decision_on_a_stale_version_is_a_conflict(entry, ward_officer_bo_de):
    with pytest.raises(AlreadyDecided):
        services.decide_entry(by=ward_officer_bo_de, entry=entry, approve=False, reason="x", version=7)


def test_a_rejection_needs_a_reason(entry, ward_officer_bo_de):
    with pytest.raises(InvalidInput) as error:
        services.decide_entry(by=ward_officer_bo_de, entry=entry, approve=False, reason="  ")
    assert error.value.field == "reason"


def test_outside_the_ward_the_entry_is_out_of_scope(entry, ward_officer_phuc_xa, checkpoint_officer_ql6):
    for officer in (ward_officer_phuc_xa, checkpoint_officer_ql6):
        with pytest.raises(OutOfScope):
            services.decide_entry(by=officer, entry=entry, approve=True)
    assert AuditEntry.objects.filter(action="scope.denied", object_type="permits.entry").count() == 2


def test_approval_without_a_signing_key_stays_approved_and_issues_later(
    entry, ward_officer_bo_de, city_commander
):
    decision = services.decide_entry(by=ward_officer_bo_de, entry=entry, approve=True)
    assert decision.permit is None and decision.issue_error is not None
    assert decision.issue_error.code == "no_signing_key"
    from phaodai.passes import services as passes_services

    passes_services.rotate_key(by=city_commander, purpose="passes", label="k", pass_types=["permit"])
    permit = services.issue_permit(by=ward_officer_bo_de, entry=entry)
    assert permit.status == Permit.Status.ACTIVE
    with pytest.raises(AlreadyIssued):
        services.issue_permit(by=ward_officer_bo_de, entry=entry)


def test_a_pending_or_rejected_entry_is_not_issued(entry, ward_officer_bo_de, pass_key):
    with pytest.raises(Conflict):
        services.issue_permit(by=ward_officer_bo_de, entry=entry)


def test_revoking_lists_the_pass_and_reissuing_gives_a_new_pass_id(issued, entry, ward_officer_bo_de):
    services.revoke_permit(by=ward_officer_bo_de, permit=issued, reason="Nghỉ việc")
    assert selectors.revoked_permit_ids() == [issued.pass_id]
    with pytest.raises(AlreadyRevoked):
        services.revoke_permit(by=ward_officer_bo_de, permit=issued, reason="again")
    again = services.issue_permit(by=ward_officer_bo_de, entry=entry)
    assert again.pass_id != issued.pass_id and again.token != issued.token
    assert selectors.revoked_permit_ids() == [issued.pass_id]
    assert AuditEntry.objects.filter(action="permits.permit_revoked", object_id=str(issued.pk)).exists()


def test_a_revoked_permit_leaves_the_list_once_it_would_have_expired(issued, ward_officer_bo_de):
    services.revoke_permit(by=ward_officer_bo_de, permit=issued, reason="x")
    assert selectors.revoked_permit_ids(at=issued.valid_to) == []


def test_revoking_needs_a_reason_and_the_ward(issued, ward_officer_bo_de, ward_officer_phuc_xa):
    with pytest.raises(InvalidInput):
        services.revoke_permit(by=ward_officer_bo_de, permit=issued, reason="")
    with pytest.raises(OutOfScope):
        services.revoke_permit(by=ward_officer_phuc_xa, permit=issued, reason="x")


# Residents (group 5) ------------------------------------------------------------------------


def test_a_resident_applies_at_their_ward(resident, ward_officer_bo_de, pass_key):
    person = services.resident_by_cccd(by=ward_officer_bo_de, cccd=CCCD_BINH)
    application = services.Application(
        purpose="medical",
        valid_from=today(),
        valid_to=today() + timedelta(days=2),
        supporting_paper="Giấy hẹn BV Đức Giang",
    )
    submitted = services.file_application(by=ward_officer_bo_de, person=person, application=application)
    entry = submitted.entry
    assert (entry.group, entry.organisation, entry.zones, entry.person_id) == (
        5,
        None,
        ["00139"],
        resident.pk,
    )
    assert entry.purpose == "Khám, chữa bệnh" and entry.birth_year == 1990
    again = services.file_application(by=ward_officer_bo_de, person=person, application=application)
    assert (again.entry.pk, again.created) == (entry.pk, False)
    permit = services.decide_entry(by=ward_officer_bo_de, entry=entry, approve=True).permit
    assert permit is not None
    assert (passes.verify_code(permit.code).payload or {})["pg"] == 5


def test_a_medical_trip_needs_a_paper_and_food_does_not(resident, ward_officer_bo_de):
    person = services.resident_by_cccd(by=ward_officer_bo_de, cccd=CCCD_BINH)
    days: dict[str, Any] = {"valid_from": today(), "valid_to": today()}
    with pytest.raises(InvalidInput) as error:
        services.file_application(
            by=ward_officer_bo_de, person=person, application=services.Application(purpose="medical", **days)
        )
    assert error.value.field == "supporting_paper"
    services.file_application(
        by=ward_officer_bo_de,
        person=person,
        application=services.Application(purpose="food_medicine", **days),
    )


def test_an_unregistered_or_far_resident_is_not_found(resident, ward_officer_bo_de, ward_officer_phuc_xa):
    with pytest.raises(InvalidInput):
        services.resident_by_cccd(by=ward_officer_bo_de, cccd=CCCD_CUONG)
    with pytest.raises(InvalidInput):
        services.resident_by_cccd(by=ward_officer_phuc_xa, cccd=CCCD_BINH)
    with pytest.raises(InvalidInput):
        services.resident_by_cccd(by=ward_officer_bo_de, cccd="01190054321")


def test_an_officer_of_another_ward_cannot_file_for_a_bo_de_resident(resident, ward_officer_phuc_xa):
    application = services.Application(purpose="food_medicine", valid_from=today(), valid_to=today())
    with pytest.raises(OutOfScope):
        services.file_application(by=ward_officer_phuc_xa, person=resident, application=application)
