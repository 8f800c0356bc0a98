"""Vaccination end to end in a real browser, in Vietnamese (S19): Bồ Đề's health worker finds a resident by
CCCD and records their first dose; a second dose too early is refused beside its date; the resident shows
in the ward's due list when dose 2 falls due and leaves it once it is given; the coverage figures count
them. An immobile resident asks for a home visit, the ward officer registers a mobile team and schedules
it, the team records the dose given at home, and it shows among her doses and in the coverage.

The live server runs on the real clock (a frozen clock would expire the browser's session cookie), so the
first dose is dated 25 days ago: Pfizer's dose 2 is due from day 21 and overdue after day 28.
"""

# The residents fixtures are imported from the vaccination tests' conftest; pytest passes them by name.
# ruff: noqa: F811

import json
import re
import time
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from phaodai.core.clock import local_date, now, to_local
from phaodai.core.text import mask_name
from phaodai.vaccination.models import Dose, HomeVisit, MobileTeam
from phaodai.vaccination.tests.conftest import (  # noqa: F401  (fixtures)
    areas,
    cccd_for,
    resident,
)

PFIZER = "pfizer"
PFIZER_NAME = "Comirnaty (Pfizer-BioNTech)"
TDP01 = "Tổ dân phố 1"
SITE = "Trạm Y tế phường Bồ Đề"
VACCINATOR = "Lê Thị Hoa"
TEAM = "Đội tiêm lưu động số 1"
FIRST_DOSE_DAYS_AGO = 25  # Pfizer: dose 2 from day 21 (min and recommended), overdue after day 28


def in_vietnamese(message: Any) -> str:
    """A message (str or lazy) as the Vietnamese pages show it."""
    with translation.override("vi"):
        return translation.gettext(str(message))


# Three adults of Bồ Đề's Tổ dân phố 1: (CCCD serial, sex, born, name, cannot leave their bed).
ADULTS = {
    "an": (1, "M", date(1985, 3, 2), "Nguyễn Văn An", False),
    "binh": (2, "F", date(1940, 7, 9), "Trần Thị Bình", True),
    "cuong": (3, "M", date(1994, 11, 20), "Lê Văn Cường", False),
}


def cccd(key: str) -> str:
    serial, sex, born, _name, _immobile = ADULTS[key]
    return cccd_for(sex, born, serial)


@pytest.fixture
def people(resident: Any) -> dict[str, Any]:
    return {
        key: resident(serial, sex=sex, born=born, name=name, disability_immobile=immobile)
        for key, (serial, sex, born, name, immobile) in ADULTS.items()
    }


@pytest.fixture
def same_day() -> None:
    """The pages' "today" and the test's must agree: never start a few minutes before local midnight."""
    local = to_local(now())
    if (local.hour, local.minute) >= (23, 55):
        time.sleep((60 - local.minute) * 60 - local.second + 30)


def open_vaccination(page: Page, link: str = "") -> None:
    """The menu's Vaccination (the coverage page), then one of its sub-navigation links."""
    with page.expect_navigation():
        page.locator("header nav").get_by_role("link", name=in_vietnamese("Vaccination"), exact=True).click()
    if link:
        with page.expect_navigation():
            page.locator("main .subnav").get_by_role("link", name=in_vietnamese(link), exact=True).click()


def find_person(page: Page, key: str, person: Any) -> None:
    """Vaccination → Record a dose: the person's page, found by their CCCD (typed, never in the address)."""
    open_vaccination(page, "Record a dose")
    expect(page.locator("main h1")).to_have_text(in_vietnamese("Find the person to vaccinate"))
    page.locator("#id_cccd").fill(cccd(key))
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Find"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/vaccination/people/{person.pk}/$"))
    assert cccd(key) not in page.url


def fill_dose(page: Page, number: int, given_on: Any) -> None:
    page.locator("#id_product").select_option(PFIZER)
    page.locator("#id_dose_number").fill(str(number))
    page.locator("#id_given_on").fill(given_on.isoformat())
    page.locator("#id_lot").fill(f"FF{number}234")
    page.locator("#id_site").fill(SITE)
    page.locator("#id_vaccinator").fill(VACCINATOR)


def show_due(page: Page) -> None:
    """The due list of Bồ Đề as of today (the form's default day)."""
    open_vaccination(page, "Due lists")
    page.locator("#id_ward").select_option("00139")
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Show"), exact=True).click()


def coverage_of_bo_de(page: Page) -> tuple[str, str]:
    """The adults with a dose and the adults fully vaccinated, as "(n / adults)" on the ward's coverage."""
    open_vaccination(page)
    expect(page.locator("main h1")).to_contain_text("Bồ Đề")
    first = page.locator("#totals [data-figure=first_dose_18plus_pct]").inner_text()
    full = page.locator("#totals [data-figure=full_dose_18plus_pct]").inner_text()
    return first, full


def test_a_health_worker_records_doses_follows_the_due_list_and_a_home_visit_is_recorded_as_a_dose(
    page, new_page, sign_in, health_worker_bo_de, ward_officer_bo_de, people, same_day
):
    an, binh = people["an"], people["binh"]
    today = local_date(now())
    first_on = today - timedelta(days=FIRST_DOSE_DAYS_AGO)

    # 1. Bồ Đề's health worker (Vietnamese) opens Vaccination: the ward's three adults, nobody vaccinated
    sign_in(health_worker_bo_de)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    first, full = coverage_of_bo_de(page)
    assert "(0 / 3)" in first and "(0 / 3)" in full
    expect(page.locator("#children tbody tr").filter(has_text=TDP01).locator("td.num")).to_have_text("3")

    # a CCCD nobody in the ward holds finds nobody
    open_vaccination(page, "Record a dose")
    page.locator("#id_cccd").fill(cccd_for("M", date(1985, 3, 2), 99))
    with page.expect_navigation() as missing:
        page.get_by_role("button", name=in_vietnamese("Find"), exact=True).click()
    assert missing.value is not None and missing.value.status == 404
    expect(page.locator("#id_cccd-errors")).to_have_text(
        in_vietnamese("No person with this CCCD is registered where you work.")
    )

    # 2. finds An by CCCD: no dose yet; records his first Pfizer dose, given 25 days ago
    find_person(page, "an", an)
    expect(page.locator("main h1")).to_contain_text(mask_name(an.full_name))
    expect(page.locator("#doses tbody")).to_contain_text(in_vietnamese("No dose recorded yet."))
    fill_dose(page, 1, first_on)
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Record"), exact=True).click()
    expect(page.locator(".messages .alert-success")).to_have_text(
        in_vietnamese("Dose %(number)s recorded.") % {"number": 1}
    )
    dose_1 = page.locator("#doses tbody tr[data-dose='1']")
    expect(dose_1.locator("td")).to_have_text(["1", PFIZER_NAME, f"{first_on:%d/%m/%Y}", "FF1234", SITE, "0"])

    # dose 2 dated 10 days ago (15 days after dose 1) is refused beside its date, and nothing is written
    too_early = today - timedelta(days=10)
    fill_dose(page, 2, too_early)
    with page.expect_navigation() as refused:
        page.get_by_role("button", name=in_vietnamese("Record"), exact=True).click()
    assert refused.value is not None and refused.value.status == 422
    with translation.override("vi"):
        expected = translation.gettext(
            "Dose %(previous)s was given on %(previous_on)s; the next dose needs at least %(days)s days, "
            "so not before %(earliest)s."
        ) % {
            "previous": 1,
            "previous_on": f"{first_on:%d/%m/%Y}",
            "days": 21,
            "earliest": f"{first_on + timedelta(days=21):%d/%m/%Y}",
        }
    expect(page.locator("#id_given_on-errors")).to_have_text(expected)
    expect(page.locator("#doses tbody tr[data-dose]")).to_have_count(1)
    assert Dose.objects.filter(person=an).count() == 1

    # 3. the due list of Bồ Đề today: An is due for dose 2 since day 21, not yet overdue
    show_due(page)
    expect(page.locator("main h2")).to_contain_text(f"{today:%d/%m/%Y}")
    due_rows = page.locator("#due tbody tr[data-status]")
    expect(due_rows).to_have_count(1)
    row = due_rows.first
    expect(row).to_have_attribute("data-status", "due")
    expect(row.locator("td")).to_have_text(
        [
            an.full_name,
            f"{PFIZER_NAME} · 1 · {first_on:%d/%m/%Y}",
            "2",
            f"{first_on + timedelta(days=21):%d/%m/%Y}",
            in_vietnamese("Due"),
        ]
    )

    # 4. from the due list to An's page: dose 2 today completes his series (✓), and he leaves the list
    with page.expect_navigation():
        row.get_by_role("link", name=an.full_name).click()
    expect(page).to_have_url(re.compile(rf"/vaccination/people/{an.pk}/$"))
    fill_dose(page, 2, today)
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Record"), exact=True).click()
    expect(page.locator(".messages .alert-success")).to_have_text(
        in_vietnamese("Dose %(number)s recorded.") % {"number": 2}
    )
    expect(page.locator("#doses tbody tr[data-dose]")).to_have_count(2)
    expect(page.locator("#doses tbody tr[data-dose='2'] td").first).to_have_text("2 ✓")
    show_due(page)
    expect(page.locator("#due tbody tr[data-status]")).to_have_count(0)
    expect(page.locator("#due tbody")).to_contain_text(in_vietnamese("Nobody is due."))

    # and the coverage counts him: one adult of three with a dose, fully vaccinated
    first, full = coverage_of_bo_de(page)
    assert "(1 / 3)" in first and "(1 / 3)" in full

    # 5. Bình cannot leave her bed: from her page the health worker asks for a home visit (the registry's
    # flag is the reason)
    find_person(page, "binh", binh)
    expect(page.locator("#doses tbody")).to_contain_text(in_vietnamese("No dose recorded yet."))
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Request a home visit"), exact=True).click()
    expect(page.locator(".messages .alert-success")).to_have_text(in_vietnamese("Home visit requested."))
    visit = HomeVisit.objects.get(person=binh)
    assert (visit.status, visit.reason) == (HomeVisit.Status.REQUESTED, HomeVisit.Reason.IMMOBILE)

    # 6. the ward officer registers a mobile team and schedules the visit for today with it
    officer = new_page()
    sign_in(ward_officer_bo_de, on=officer)
    open_vaccination(officer, "Home visits")
    with officer.expect_navigation():
        officer.locator("main").get_by_role("link", name=in_vietnamese("Mobile teams"), exact=True).click()
    expect(officer.locator("main h1")).to_have_text(in_vietnamese("Mobile vaccination teams"))
    officer.locator("#id_unit").select_option("00139")
    officer.locator("#id_name").fill(TEAM)
    officer.locator("#id_daily_capacity").fill("8")
    with officer.expect_navigation():
        officer.get_by_role("button", name=in_vietnamese("Register"), exact=True).click()
    expect(officer.locator(".messages .alert-success")).to_have_text(in_vietnamese("Team registered."))
    team = MobileTeam.objects.get(name=TEAM)
    expect(officer.locator(f"#teams li[data-team='{team.pk}']")).to_contain_text(TEAM)

    open_vaccination(officer, "Home visits")
    officer.locator("#id_ward").select_option("00139")
    with officer.expect_navigation():
        officer.get_by_role("button", name=in_vietnamese("Show"), exact=True).click()
    visit_row = officer.locator(f"#visits tbody tr[data-visit='{visit.pk}']")
    expect(visit_row).to_have_attribute("data-status", "requested")
    expect(visit_row).to_contain_text(binh.full_name)
    expect(visit_row).to_contain_text(in_vietnamese(HomeVisit.Reason.IMMOBILE.label))
    visit_row.locator("select[name=team]").select_option(str(team.pk))
    expect(visit_row.locator("input[name=visit_on]")).to_have_value(today.isoformat())
    with officer.expect_navigation():
        visit_row.get_by_role("button", name=in_vietnamese("Schedule"), exact=True).click()
    expect(officer.locator(".messages .alert-success")).to_have_text(in_vietnamese("Visit scheduled."))
    visit_row = officer.locator(f"#visits tbody tr[data-visit='{visit.pk}']")
    expect(visit_row).to_have_attribute("data-status", "scheduled")
    expect(visit_row).to_contain_text(f"{TEAM} · {today:%d/%m/%Y}")

    # 7. at Bình's home the team records the dose through the API (the team's device; pages have no form
    # for it), signed in as the health worker: the same session and CSRF token the pages use
    token = json.loads(page.locator("body").get_attribute("hx-headers") or "{}")["X-CSRFToken"]
    answer = page.request.post(
        f"/api/v1/vaccination/home-visits/{visit.pk}/dose",
        data=json.dumps({"product": PFIZER, "dose_number": 1, "lot": "FF9876", "vaccinator": VACCINATOR}),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert answer.status == 200, answer.text()
    assert answer.json()["status"] == HomeVisit.Status.DONE

    # her page shows the dose given at home today, and the ward's open requests no longer list her
    find_person(page, "binh", binh)
    home_dose = page.locator("#doses tbody tr[data-dose='1']")
    expect(home_dose.locator("td")).to_have_text(
        ["1", PFIZER_NAME, f"{today:%d/%m/%Y}", "FF9876", in_vietnamese("At home"), "0"]
    )
    with officer.expect_navigation():
        officer.reload()
    expect(officer.locator(f"#visits tbody tr[data-visit='{visit.pk}']")).to_have_count(0)
    expect(officer.locator("#visits tbody")).to_contain_text(in_vietnamese("No open request."))

    # the coverage now counts two adults of three with a dose, one of them fully vaccinated
    first, full = coverage_of_bo_de(page)
    assert "(2 / 3)" in first and "(1 / 3)" in full
