"""A ward reports before 16:30 in a real browser; the district reads who reported on time (S10)."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from phaodai.sitreps import selectors
from phaodai.sitreps.models import Schedule
from phaodai.sitreps.tests.conftest import report

WARD_DAILY = "ward-daily-1630"


def in_vietnamese(message: str) -> str:
    with translation.override("vi"):
        return translation.gettext(message)


@pytest.fixture
def open_slot(db):
    """Today's (or tomorrow's) 16:30 slot, taking reports now whatever the time of day.

    The live server runs on the real clock (a frozen clock would expire the browser's session cookie),
    so the schedule opens 24 hours before its deadline: the slot to fill is always open.
    """
    Schedule.objects.filter(code=WARD_DAILY).update(open_hours_before=24, grace_minutes=30)
    schedule = selectors.schedule_by_code(WARD_DAILY)
    instance = selectors.current_instance(schedule)
    assert instance is not None
    return instance


def test_a_ward_reports_on_time_and_the_district_sees_who_is_missing(
    page, new_page, sign_in, ward_officer_bo_de, district_officer_long_bien, open_slot
):
    # the ward officer of Bồ Đề opens today's report from the report desk
    sign_in(ward_officer_bo_de)
    page.goto("/reports/")
    desk = page.locator("#schedule-ward-daily-1630")
    expect(desk.locator("[data-unit='00139']")).to_contain_text(in_vietnamese("not reported yet"))
    with page.expect_navigation():
        desk.get_by_role("link", name=in_vietnamese("Submit the report")).click()
    expect(page.locator("#slot-summary [data-slot]")).to_have_attribute("data-slot", open_slot.iso)
    expect(page.locator("#slot-summary [data-state]")).to_have_attribute("data-state", "open")

    # fills the form, typing thousands the Vietnamese way, and submits
    for code, value in report(tests_taken="1.200", situation="Ổn định, đã phong tỏa chợ").items():
        page.locator(f"#id_v_{code}").fill(str(value))
    expect(page.locator("#id_v_tests_taken")).to_have_attribute("inputmode", "numeric")
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Submit the report")).click()

    # the report is received on time, with the figures as numbers
    expect(page.locator("#summary [data-timeliness]")).to_have_attribute("data-timeliness", "on_time")
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expect(page.locator("#values tr[data-field='tests_taken'] .value")).to_have_text("1.200")

    # the district officer of Long Biên reads the day's timeliness
    district = new_page()
    sign_in(district_officer_long_bien, on=district)
    district.goto(f"/reports/{WARD_DAILY}/timeliness/?date={open_slot.day.isoformat()}")
    slot = district.locator(f"section.slot[data-slot='{open_slot.iso}']")
    expect(slot.locator("[data-count='expected']")).to_have_text("14")
    expect(slot.locator("[data-count='on_time']")).to_have_text("1")
    expect(slot.locator("[data-count='missing']")).to_have_text("13")
    expect(slot.locator("ul.on-time li[data-unit='00139']")).to_contain_text("Bồ Đề")
    expect(slot.locator("ul.missing li[data-unit]")).to_have_count(13)
    expect(slot.locator("ul.missing li[data-unit='00139']")).to_have_count(0)
    expect(slot.locator("ul.missing li[data-unit='00133']")).to_contain_text("Ngọc Lâm")
