"""The KPIs: new F0 by where found, the 24-hour isolation share and median (against a hand count), people
in isolation; per ward, rolled up into the district, in a bounded number of queries; and the board."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from phaodai.cases import kpis, services
from phaodai.cases.models import IsolationOrder, IsolationRule
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.core.clock import hanoi
from phaodai.people import services as people_services
from phaodai.people.tests.conftest import cccd_for, make_area

pytestmark = pytest.mark.django_db

DAY = date(2021, 9, 10)
LATER = at(hanoi(2021, 9, 13, 9, 0))


def order(person: Any, starts_at: datetime, by: Any, *, setting: str = "home", status: str = "active") -> Any:
    """An isolation order written directly, at a known start (the isolation pages are not needed here)."""
    rule = IsolationRule.objects.get(code="F1-2021-09")
    return IsolationOrder.objects.create(
        person=person, subject="F1", setting=setting, rule=rule, starts_at=starts_at,
        isolation_ends_at=starts_at + timedelta(days=14), monitoring_ends_at=starts_at + timedelta(days=21),
        status=status, area=person.residence_area, path=person.unit_path, ordered_by=by,
    )  # fmt: skip


@pytest.fixture
def outbreak(resident: Any, health_worker_bo_de: Any, ward_officer_ngoc_lam: Any) -> dict[str, Any]:
    """An F0 of Bồ Đề confirmed 09:00 10/9, six F1 in Bồ Đề and one in Ngọc Lâm, isolated at known delays."""
    f0 = resident(0)
    f1s = [resident(1 + i) for i in range(6)]
    ngoc_lam = people_services.register_person(
        by=ward_officer_ngoc_lam, cccd=cccd_for(1990, "F", serial=200001), full_name="Trần Thị Lan",
        birth_date=date(1990, 5, 5), sex="F", phone=None,
        residence_area=make_area("00133", "TDP03", "Tổ dân phố 3"), clock=at(hanoi(2021, 9, 1)),
    )  # fmt: skip
    services.record_case(
        by=health_worker_bo_de, person=f0, confirmed_at=SEPT_10_MORNING, detected_in="community",
        source_known=False, test_ref="LB-0910-0001", clock=at(SEPT_10_MORNING),
    )  # fmt: skip
    services.add_contacts(
        by=health_worker_bo_de,
        source=f0,
        contacts=[
            services.ContactInput(exposed_on=date(2021, 9, 9), setting="household", person=p)
            for p in [*f1s, ngoc_lam]
        ],
        clock=at(hanoi(2021, 9, 10, 9, 30)),
    )
    by = health_worker_bo_de
    # Delays from 09:00 10/9: 1 h, 6 h, exactly 24 h, 27 h; one already isolated since 8/9 (0 h);
    # one with only a cancelled order (not isolated: late). Ngọc Lâm's F1: 30 h.
    order(f1s[0], hanoi(2021, 9, 10, 10, 0), by, setting="facility")
    order(f1s[1], hanoi(2021, 9, 10, 15, 0), by)
    order(f1s[2], hanoi(2021, 9, 11, 9, 0), by)
    order(f1s[3], hanoi(2021, 9, 11, 12, 0), by, setting="facility")
    order(f1s[4], hanoi(2021, 9, 8, 18, 0), by)
    order(f1s[5], hanoi(2021, 9, 10, 10, 0), by, status="cancelled")
    order(ngoc_lam, hanoi(2021, 9, 11, 15, 0), by)
    # Other new F0 of the day: found by screening (community), in quarantine, on arrival.
    for n, found in [(20, "screening"), (21, "quarantine"), (22, "arrival")]:
        services.record_case(
            by=health_worker_bo_de, person=resident(n), confirmed_at=hanoi(2021, 9, 10, 14, n - 20),
            detected_in=found, source_known=True, test_ref=f"LB-0910-00{n}", clock=at(hanoi(2021, 9, 10, 16)),
        )  # fmt: skip
    return {"f0": f0, "f1s": f1s, "ngoc_lam": ngoc_lam}


def test_the_24_hour_isolation_kpi_matches_a_hand_count(outbreak: dict[str, Any], unit: Any) -> None:
    long_bien, bo_de, ngoc_lam = unit("004"), unit("00139"), unit("00133")
    rows = {row.unit.code: row for row in kpis.daily([long_bien, bo_de, ngoc_lam], DAY, clock=LATER)}
    # Bồ Đề by hand: delays 1, 6, 24, 27, 0 and one not isolated; within 24 h: 1, 6, 24, 0 → 4 of 6;
    # the median of the five isolated (0, 1, 6, 24, 27) is 6.
    bd = rows["00139"].timeliness
    assert (bd.f1, bd.on_time, bd.not_isolated) == (6, 4, 1)
    assert bd.share == pytest.approx(4 / 6)
    assert (bd.percent, bd.median_hours) == (66.7, 6.0)
    nl = rows["00133"].timeliness
    assert (nl.f1, nl.on_time, nl.share, nl.median_hours) == (1, 0, 0.0, 30.0)
    # Long Biên: 4 of 7; the median of 0, 1, 6, 24, 27, 30 is (6 + 24) / 2.
    lb = rows["004"].timeliness
    assert (lb.f1, lb.on_time, lb.median_hours) == (7, 4, 15.0)
    assert lb.share == pytest.approx(4 / 7)


def test_new_cases_are_counted_by_where_they_were_found(outbreak: dict[str, Any], unit: Any) -> None:
    rows = {row.unit.code: row for row in kpis.daily([unit("004"), unit("00133")], DAY, clock=LATER)}
    assert rows["004"].new_cases == kpis.NewCases(community=2, quarantine=1, other=1)
    assert rows["00133"].new_cases == kpis.NewCases()
    nothing = kpis.daily([unit("004")], DAY - timedelta(days=1), clock=LATER)[0]
    assert nothing.new_cases.total == 0 and nothing.timeliness.f1 == 0 and nothing.timeliness.share is None


def test_people_in_isolation_at_the_end_of_the_day_by_setting(outbreak: dict[str, Any], unit: Any) -> None:
    tenth, eleventh = (
        {row.unit.code: row.isolation for row in kpis.daily([unit("00139"), unit("00133")], day, clock=LATER)}
        for day in (DAY, DAY + timedelta(days=1))
    )
    # end of 10/9: the 10:00 facility order, the 15:00 home order and the one since 8/9 (cancelled: never)
    assert tenth["00139"] == kpis.InIsolation(home=2, facility=1)
    assert tenth["00133"] == kpis.InIsolation()
    assert eleventh["00139"] == kpis.InIsolation(home=3, facility=2)
    assert eleventh["00133"] == kpis.InIsolation(home=1)


def test_the_kpis_of_the_city_and_every_district_take_four_queries(
    outbreak: dict[str, Any], unit: Any, django_assert_max_num_queries: Any
) -> None:
    from phaodai.territory import selectors as territory

    city = territory.city()
    districts = list(territory.children_of(city))
    with django_assert_max_num_queries(4):
        rows = kpis.daily([city, *districts], DAY, clock=LATER)
    assert len(rows) == 31
    assert rows[0].timeliness.f1 == 7 and rows[0].new_cases.total == 4


def test_an_f1_isolated_before_the_day_is_over_but_after_as_of_is_not_yet_isolated(
    outbreak: dict[str, Any], unit: Any
) -> None:
    # seen at 12:00 10/9, only the 0 h and the 1 h F1 were isolated; the rest are not (yet)
    noon = kpis.daily([unit("00139")], DAY, clock=at(hanoi(2021, 9, 10, 12, 0)))[0].timeliness
    assert (noon.f1, noon.on_time, noon.not_isolated, noon.median_hours) == (6, 2, 4, 0.5)


# The board


def test_the_board_shows_the_district_and_its_wards(
    client: Any, outbreak: dict[str, Any], district_officer_long_bien: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(district_officer_long_bien)
    with django_assert_max_num_queries(12):
        response = client.get("/cases/kpis/?day=2021-09-10")
    assert response.status_code == 200
    page = response.content.decode()
    assert "57.1 %" in page  # Long Biên: 4 of 7
    assert "66.7 %" in page  # Bồ Đề
    assert 'data-unit="00139"' in page and 'data-unit="00133"' in page


def test_the_citys_board_of_thirty_districts_takes_as_few_queries(
    client: Any, outbreak: dict[str, Any], city_commander: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(city_commander)
    with django_assert_max_num_queries(12):
        page = client.get("/cases/kpis/?day=2021-09-10").content.decode()
    assert page.count('data-unit="') == 31  # the city's total and its 30 districts


def test_the_board_of_a_ward_for_its_officer_and_404_elsewhere(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any, welfare_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    page = client.get("/cases/kpis/?day=10/09/2021").content.decode()
    assert "Phường Bồ Đề" in page and "66.7 %" in page
    assert client.get("/cases/kpis/?unit=00133").status_code == 404
    assert client.get("/cases/kpis/?unit=004").status_code == 404
    bad_day = client.get("/cases/kpis/?day=31/02/2021")
    assert bad_day.status_code == 200 and "Enter a valid date." in bad_day.content.decode()
    client.force_login(welfare_officer_bo_de)
    assert client.get("/cases/kpis/").status_code == 403
