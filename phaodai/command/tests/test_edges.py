"""Edges found in review: years and times at the ends of the calendar, unit codes that name nothing,
the duty rule keyed on the member, decisions a ward may link a body to."""

from datetime import date
from typing import Any

import pytest

from phaodai.command import selectors, services
from phaodai.command.rules import year_of
from phaodai.command.services_bodies import DutyClash
from phaodai.command.tests.test_bodies_services import new_body, on_duty, seat
from phaodai.core.clock import hanoi
from phaodai.territory import selectors as territory


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2021", 2021),
        (" 1975 ", 1975),
        ("0000", None),
        ("9999", None),
        ("²²²²", None),
        ("20 1", None),
        ("", None),
    ],
)
def test_a_year_filter_reads_only_a_plausible_four_digit_year(text, year):
    assert year_of(text) == year


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/public/commendations/?year=0000", "/public/commendations/?year=%C2%B2%C2%B2%C2%B2%C2%B2"]
)
def test_the_public_commendations_page_ignores_an_impossible_year(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_times_at_the_ends_of_the_calendar_are_refused_not_overflowed(client, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    response = client.get("/api/v1/command/units/004/duty", {"at": "0001-01-01T00:00:00+14:00"})
    assert response.status_code == 422 and response.json()["field"] == "at"
    page = client.get("/command/duty/", {"unit": "004", "day": "01/01/0001"})
    assert page.status_code == 200 and "dd/mm/yyyy" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["0\x00139", "00139 ", "٠٠١٣٩", "001390"])
def test_a_unit_code_that_is_not_a_gso_code_names_no_unit(code):
    assert territory.unit_by_code(code) is None


@pytest.mark.django_db
def test_a_chosen_member_cannot_be_on_two_overlapping_shifts_whatever_name_is_typed(
    unit, district_officer_long_bien
):
    long_bien = unit("004")
    body = new_body(district_officer_long_bien, long_bien)
    member = seat(district_officer_long_bien, body, "head", name="Nguyễn Văn Hùng")
    on_duty(district_officer_long_bien, long_bien, hanoi(2021, 9, 6, 7), hanoi(2021, 9, 6, 19), member=member)
    with pytest.raises(DutyClash):
        on_duty(
            district_officer_long_bien,
            long_bien,
            hanoi(2021, 9, 6, 12),
            hanoi(2021, 9, 6, 20),
            name="Đ/c Hùng",
            member=member,
        )


@pytest.mark.django_db
def test_a_ward_links_its_bodies_only_to_decisions_it_may_read(unit, city_commander, ward_officer_bo_de):
    city, bo_de = unit("01"), unit("00139")
    common: dict[str, Any] = {"kind": "quyet_dinh", "issuer": "UBND Thành phố", "issued_on": date(2021, 9, 5)}
    shared = services.register_document(
        by=city_commander, unit=city, number="10/QĐ-UBND", title="Quyết định công khai", public=True, **common
    )
    services.register_document(
        by=city_commander, unit=city, number="11/QĐ-UBND", title="Quyết định nội bộ", **common
    )
    own = services.register_document(
        by=ward_officer_bo_de,
        unit=bo_de,
        number="1/QĐ-UBND",
        title="Thành lập Sở Chỉ huy",
        **{**common, "issuer": "UBND phường Bồ Đề"},
    )
    offered = {d.number for d in selectors.documents_for(bo_de, ward_officer_bo_de)}
    assert offered == {shared.number, own.number}
    assert len(selectors.documents_for(bo_de, city_commander)) == 3
