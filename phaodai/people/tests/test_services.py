import unicodedata
from datetime import date

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.identity import InvalidCCCD, InvalidPhone
from phaodai.core.models import AuditEntry
from phaodai.core.text import nfc, search_key
from phaodai.people import services, validation
from phaodai.people.cccd import cccd_index, decrypt_cccd
from phaodai.people.models import Person
from phaodai.people.services import PersonAlreadyRegistered
from phaodai.people.tests.conftest import AN, cccd_for


def _raw_row(person_id) -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM people_person WHERE id = %s",
            [person_id.hex if connection.vendor == "sqlite" else person_id],
        )
        return list(cursor.fetchone())


def _as_bytes(value) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return str(value).encode()


# --- registration ----------------------------------------------------------------------------------


def test_the_cccd_is_stored_only_as_ciphertext_and_blind_index(an):
    # given An registered with CCCD 001085123456
    row = _raw_row(an.pk)
    # then the plaintext appears in no column of his row, in any encoding
    plain = AN["cccd"].encode()
    assert all(plain not in _as_bytes(value) for value in row)
    assert all(plain.hex().encode() not in _as_bytes(value).lower() for value in row)
    # and the ciphertext opens to it only with the column's associated data
    assert decrypt_cccd(an.cccd_ciphertext) == AN["cccd"]
    assert an.cccd_index == cccd_index(AN["cccd"])


def test_two_registrations_of_the_same_number_encrypt_differently(register_in, an):
    person = Person.objects.get(pk=an.pk)
    other = register_in(
        cccd=cccd_for(1990, "F", 1), full_name="Lê Thị Hoa", birth_date=date(1990, 1, 1), sex="F"
    )
    assert person.cccd_ciphertext is not None and other.cccd_ciphertext is not None
    assert bytes(person.cccd_ciphertext) != bytes(other.cccd_ciphertext)
    assert person.cccd_index is not None and len(person.cccd_index) == 64


def test_registration_records_an_audit_entry_with_digests_only(an):
    entry = AuditEntry.objects.get(action="people.register")
    assert (entry.object_type, entry.object_id, entry.unit_path) == (
        "people.person",
        str(an.pk),
        "/01/004/00139/",
    )
    assert len(entry.after_digest) == 64 and entry.before_digest == ""
    stored = " ".join(str(getattr(entry, f.attname)) for f in AuditEntry._meta.fields)
    assert AN["cccd"] not in stored and "Nguyễn" not in stored and AN["phone"] not in stored


def test_a_retry_with_the_same_details_returns_the_same_person(register_in, an):
    again = register_in(phone="+84 912 345 678", full_name="  Nguyễn   Văn An ")
    assert again.pk == an.pk
    assert (an.registered_now, again.registered_now) == (True, False)
    assert Person.objects.count() == 1
    assert AuditEntry.objects.filter(action="people.register").count() == 1


def test_the_same_cccd_with_other_details_is_a_conflict_that_does_not_echo_the_number(register_in, an):
    with pytest.raises(PersonAlreadyRegistered) as caught:
        register_in(full_name="Nguyễn Văn Ba")
    error = caught.value
    assert (error.code, error.status, error.field) == ("person_exists", 409, "cccd")
    assert AN["cccd"] not in str(error.as_dict())
    assert Person.objects.count() == 1


def test_the_same_cccd_registered_in_another_ward_is_a_conflict(
    register_in, an, ward_officer_phuc_xa, phuc_xa_area
):
    with pytest.raises(PersonAlreadyRegistered):
        register_in(by=ward_officer_phuc_xa, area=phuc_xa_area)


@pytest.mark.parametrize(
    ("cccd", "says"),
    [
        ("00108512345", "exactly 12 digits; this one has 11"),
        ("0010851234567", "exactly 12 digits; this one has 13"),
        ("00108512345A", "digits only"),
        ("", "missing"),
        ("000085123456", "not a province code"),
        ("003085123456", "not a province code"),
        (cccd_for(1986, "M"), "encodes birth year 1986, but the birth date is in 1985"),
        (cccd_for(2085, "M"), "encodes birth year 2085, which is in the future"),
        (cccd_for(1985, "F"), "different sex"),
    ],
    ids=[
        "11-digits",
        "13-digits",
        "letter",
        "missing",
        "province-000",
        "province-003",
        "year",
        "future",
        "sex",
    ],
)
def test_a_bad_cccd_is_refused_saying_what_is_wrong(register_in, cccd, says):
    with pytest.raises(InvalidCCCD) as caught:
        register_in(cccd=cccd)
    assert caught.value.field == "cccd"
    assert says in str(caught.value.detail)
    assert not Person.objects.exists()


def test_a_century_digit_inconsistent_with_the_birth_date_is_refused(register_in):
    # born 2005, but the 4th digit (0) says the 1900s
    with pytest.raises(InvalidCCCD) as caught:
        register_in(cccd="001005123456", birth_date=date(2005, 6, 1))
    assert "century" in str(caught.value.detail)


def test_a_cccd_written_with_spaces_or_dots_is_normalised(register_in):
    person = register_in(cccd="001.085 123.456")
    assert decrypt_cccd(person.cccd_ciphertext) == AN["cccd"]


def test_an_nfd_name_is_stored_as_nfc_and_found_without_diacritics(register_in):
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Đào")
    person = register_in(cccd=cccd_for(1990, "F", 7), full_name=nfd, birth_date=date(1990, 5, 2), sex="F")
    person.refresh_from_db()
    assert person.full_name == "Nguyễn Thị Đào" and unicodedata.is_normalized("NFC", person.full_name)
    assert person.name_key == "nguyen thi dao"


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "Nguyễn Văn 4n"}, "full_name"),
        ({"full_name": "x" * 151}, "full_name"),
        ({"birth_date": date(2099, 1, 1), "cccd": cccd_for(2099, "M")}, "birth_date"),
        ({"sex": "X"}, "sex"),
        ({"pregnant": True}, "pregnant"),
    ],
    ids=["blank-name", "digit-in-name", "long-name", "future-birth", "sex", "pregnant-man"],
)
def test_bad_details_are_refused_naming_the_field(register_in, details, field):
    with pytest.raises(InvalidInput) as caught:
        register_in(**details)
    assert caught.value.field == field


def test_the_phone_is_normalised_and_optional(register_in):
    assert register_in(phone="+84 98-765.4321").phone == "0987654321"
    assert (
        register_in(cccd=cccd_for(1970, "F", 2), birth_date=date(1970, 1, 1), sex="F", phone="").phone == ""
    )
    with pytest.raises(InvalidPhone):
        register_in(cccd=cccd_for(1971, "F", 3), birth_date=date(1971, 1, 1), sex="F", phone="0123")


def test_a_household_of_another_area_is_refused(register_in, household_bo_de, bo_de_area_2):
    with pytest.raises(InvalidInput) as caught:
        register_in(area=bo_de_area_2, household=household_bo_de)
    assert caught.value.field == "household"


def test_registering_outside_ones_ward_answers_not_found_and_is_logged(register_in, ward_officer_phuc_xa):
    with pytest.raises(OutOfScope):
        register_in(by=ward_officer_phuc_xa)
    assert not Person.objects.exists()
    assert AuditEntry.objects.filter(action="scope.denied", actor_username="ward-00001").exists()


@pytest.mark.parametrize("persona", ["checkpoint_officer_ql6", "welfare_officer_bo_de", "lab_tech_cdc"])
def test_roles_that_may_not_add_persons_are_refused(register_in, persona, request):
    with pytest.raises(NotPermitted):
        register_in(by=request.getfixturevalue(persona))


def test_a_health_worker_and_the_district_may_register_in_the_ward(
    register_in, health_worker_bo_de, district_officer_long_bien
):
    register_in(by=health_worker_bo_de)
    register_in(
        by=district_officer_long_bien, cccd=cccd_for(1960, "F", 9), birth_date=date(1960, 2, 2), sex="F"
    )
    assert Person.objects.count() == 2


# --- corrections -----------------------------------------------------------------------------------


def _update(person, by, **changes):
    values = {
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "phone": person.phone,
        "residence_area": person.residence_area,
        "chronic_illness": person.chronic_illness,
        "disability_immobile": person.disability_immobile,
        "pregnant": person.pregnant,
    }
    return services.update_person(by=by, person=person, **{**values, **changes})


def test_a_correction_is_saved_and_audited_with_before_and_after_digests(an, ward_officer_bo_de):
    person = _update(an, ward_officer_bo_de, full_name="Nguyễn Văn Ân", chronic_illness=True)
    person.refresh_from_db()
    assert (person.full_name, person.name_key, person.chronic_illness) == (
        "Nguyễn Văn Ân",
        "nguyen van an",
        True,
    )
    entry = AuditEntry.objects.get(action="people.update")
    assert entry.before_digest and entry.after_digest and entry.before_digest != entry.after_digest


def test_a_correction_changing_nothing_writes_nothing(an, ward_officer_bo_de):
    _update(an, ward_officer_bo_de)
    assert not AuditEntry.objects.filter(action="people.update").exists()


def test_a_new_birth_date_must_still_match_the_stored_cccd(an, ward_officer_bo_de):
    with pytest.raises(InvalidCCCD):
        _update(an, ward_officer_bo_de, birth_date=date(1986, 3, 14))


def test_a_corrected_cccd_is_re_encrypted_and_must_stay_unique(an, register_in, ward_officer_bo_de):
    other = register_in(cccd=cccd_for(1985, "M", 777), full_name="Trần Văn Bình")
    with pytest.raises(PersonAlreadyRegistered):
        _update(other, ward_officer_bo_de, cccd=AN["cccd"])
    fixed = _update(other, ward_officer_bo_de, cccd=cccd_for(1985, "M", 778))
    assert decrypt_cccd(fixed.cccd_ciphertext) == cccd_for(1985, "M", 778)
    assert fixed.cccd_index == cccd_index(cccd_for(1985, "M", 778))


def test_corrections_outside_scope_answer_not_found(an, ward_officer_phuc_xa):
    with pytest.raises(OutOfScope):
        _update(an, ward_officer_phuc_xa, full_name="Nguyễn Văn Bê")


def test_a_welfare_officer_may_read_but_not_correct(an, welfare_officer_bo_de):
    with pytest.raises(NotPermitted):
        _update(an, welfare_officer_bo_de, full_name="Nguyễn Văn Bê")


def test_moving_a_person_out_of_ones_ward_is_refused(an, ward_officer_bo_de, phuc_xa_area):
    with pytest.raises(OutOfScope):
        _update(an, ward_officer_bo_de, residence_area=phuc_xa_area)
    an.refresh_from_db()
    assert an.unit_path == "/01/004/00139/"


# --- name keys -------------------------------------------------------------------------------------


@given(st.text(alphabet=st.characters(categories=["L", "M", "Zs", "Pd"]), max_size=40))
def test_the_cached_name_key_equals_search_key(raw):
    name = nfc(raw)
    assert validation.name_key(name) == search_key(name)
