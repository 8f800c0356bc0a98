"""Bad declarations: each refused with a message beside its field, and nothing written."""

import pytest

from phaodai.core.models import AuditEntry
from phaodai.declarations import services
from phaodai.declarations.models import Declaration
from phaodai.declarations.tests.conftest import NOW, all_no, at, typed
from phaodai.notifications.models import Notification

pytestmark = pytest.mark.django_db


def refused(**changes) -> dict[str, str]:
    audits = AuditEntry.objects.count()
    with pytest.raises(services.DeclarationInvalid) as caught:
        services.submit_declaration(data=typed(**changes), clock=at(NOW))
    assert Declaration.objects.count() == 0
    assert AuditEntry.objects.count() == audits
    assert not Notification.objects.exists()
    return caught.value.errors


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (1800, "A year of birth must be from 1901 to 2021."),
        (2022, "A year of birth must be from 1901 to 2021."),
        ("19x5", "Enter the year of birth as four digits, e.g. 1985."),
        ("19⁸⁵", "Enter the year of birth as four digits, e.g. 1985."),  # digits to isdigit(), not to int()
        (None, "Enter the year of birth as four digits, e.g. 1985."),
    ],
)
def test_an_impossible_birth_year(pass_key, year, message):
    assert refused(birth_year=year)["birth_year"] == message


def test_a_birth_year_the_cccd_contradicts(pass_key):
    assert (
        refused(birth_year=1986)["birth_year"] == "The citizen ID (CCCD) encodes birth year 1985, not 1986."
    )


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("00108501234", "exactly 12 digits; this one has 11"),
        ("0010850123456", "exactly 12 digits; this one has 13"),
        ("1085012345", "exactly 12 digits; this one has 10"),  # leading zeros lost: never padded back
        ("00108501234O", "digits only"),
        ("999085012345", "not a province code"),
        ("", "Enter the number of the identity document."),
    ],
)
def test_a_mangled_cccd_is_never_repaired(pass_key, number, expected):
    assert expected in refused(id_number=number)["id_number"]


def test_a_cccd_of_the_other_sex(pass_key):
    assert "different sex" in refused(gender="F")["id_number"]


def test_cmnd_and_passport_shapes(pass_key):
    assert "exactly 9 digits" in refused(id_kind="cmnd", id_number="0123456789")["id_number"]
    assert "letters and digits" in refused(id_kind="passport", id_number="B-123")["id_number"]
    assert "kind of identity" in refused(id_kind="driving")["id_kind"]


def test_a_missing_acknowledgement(pass_key):
    assert "false declaration is punishable" in refused(acknowledged=False)["acknowledged"]
    assert "acknowledged" in refused(acknowledged="yes")


def test_an_unknown_ward_or_one_outside_the_district(pass_key):
    assert refused(ward="99999")["ward"] == "There is no Hà Nội ward 99999."
    assert refused(ward="004")["ward"] == "There is no Hà Nội ward 004."
    assert refused(ward="")["ward"] == "Choose a ward of Hà Nội."
    assert "is not in the district chosen" in refused(district="001")["ward"]
    assert refused(province="999")["province"] == "Choose the province or city."


def test_an_address_outside_ha_noi_needs_its_district_and_ward(pass_key):
    errors = refused(province="079", ward="")
    assert set(errors) == {"district_name", "ward_name"}


def test_oversized_text(pass_key):
    assert refused(full_name="A" * 101)["full_name"] == "At most 100 characters (this has 101)."
    assert "At most 1000" in refused(travel_details="x" * 1001)["travel_details"]


def test_a_symptom_answered_neither_yes_nor_no(pass_key):
    answers: dict[str, object] = {**all_no()}
    del answers["fever"]
    answers["cough"] = "yes"
    errors = refused(answers=answers)
    assert errors["answers.fever"] == "Answer yes or no: Fever."
    assert errors["answers.cough"] == "Answer yes or no: Cough."


def test_an_unknown_question(pass_key):
    assert "Unknown questions: pets" in refused(answers={**all_no(), "pets": False})["answers"]


def test_every_problem_is_reported_at_once(pass_key):
    errors = refused(full_name="", birth_year=3000, phone="12345", email="not-mail", acknowledged=False)
    assert {"full_name", "birth_year", "phone", "email", "acknowledged"} <= set(errors)


def test_invisible_characters_and_spacing_are_cleaned_not_refused(pass_key):
    declaration, _ = services.submit_declaration(
        data=typed(full_name="  Nguyễn\u200b  Văn   An "), clock=at(NOW)
    )
    assert declaration.full_name == "Nguyễn Văn An"
