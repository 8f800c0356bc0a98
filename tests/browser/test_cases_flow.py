"""A ward officer, in a real browser, records a new case, adds its contacts and orders their isolation (#5).

The live server runs on the real clock (a frozen clock would expire the browser's session cookie), so
every moment typed is taken from now: the case was confirmed two hours ago, the contacts met the case the
day before, and the first isolation started an hour ago.
"""

# The residents fixtures are imported from the cases tests' conftest; pytest passes them by name.
# ruff: noqa: F811

import re
from datetime import timedelta

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from phaodai.cases.models import Case, Exposure, IsolationOrder, TraceLevel
from phaodai.cases.tests.conftest import bo_de_area, resident  # noqa: F401  (fixtures)
from phaodai.core.clock import now, to_local
from phaodai.people.tests.conftest import cccd_for

BO_DE_TDP05 = "Tổ dân phố 5 — Phường Bồ Đề"  # how the "lives in" lists name the area
NEWCOMER, NEWCOMER_PHONE = "Lê Thị Tư", "0912000111"
SAMPLE = "LB-XN-0917"
F1_DAYS, MONITORING_DAYS = 14, 7  # the F1 rule in force (data/rules.json)


def in_vietnamese(message: str) -> str:
    with translation.override("vi"):
        return translation.gettext(message)


def cccd_of(n: int) -> str:
    """The CCCD the `resident` fixture gives its n-th resident."""
    return cccd_for(1980, "M", serial=100000 + n)


def shown(moment, pattern: str = "%d/%m/%Y %H:%M") -> str:
    return to_local(moment).strftime(pattern)


@pytest.fixture
def residents(resident):
    """Bồ Đề's future F0 and one neighbour, both registered in Tổ dân phố 5."""
    return {"f0": resident(0), "neighbour": resident(1)}


@pytest.fixture
def moments():
    confirmed = to_local(now()).replace(second=0, microsecond=0) - timedelta(hours=2)
    return {
        "confirmed": confirmed,
        "exposed_on": confirmed.date() - timedelta(days=1),
        "isolated": confirmed + timedelta(hours=1),
    }


def open_contact(page: Page, case_url: str, name: str) -> None:
    """From the case page, open a contact's tracing page by their name in the contacts list."""
    page.goto(case_url)
    with page.expect_navigation():
        page.locator("#contacts").get_by_role("link", name=name, exact=True).click()
    expect(page.locator("#person h2")).to_contain_text(name)


def open_order_form(page: Page, name: str) -> None:
    """From a contact's tracing page without an open order, follow "Order isolation"."""
    expect(page.locator("#person-isolation")).to_contain_text(in_vietnamese("No open isolation order."))
    with page.expect_navigation():
        page.locator("#person").get_by_role("link", name=in_vietnamese("Order isolation")).click()
    expect(page.locator("main h1")).to_have_text(in_vietnamese("Order isolation"))
    expect(page.locator("#person h2")).to_have_text(name)
    expect(page.locator("#id_subject")).to_have_value("F1")  # derived from the tracing, not typed


def issue_at_home(page: Page, name: str, starts: str = "") -> None:
    """On the order form: at home, starting `starts` (empty: now); lands on the order."""
    page.locator("#id_setting").select_option("home")
    if starts:
        page.locator("#id_starts_at").fill(starts)
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Issue the order")).click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expect(page.locator("main h1")).to_contain_text(name)
    expect(page.locator("#order")).to_have_attribute("data-status", "active")


def test_a_ward_officer_goes_from_a_new_case_to_its_contacts_isolation_orders(
    page, sign_in, ward_officer_bo_de, residents, moments
):
    f0, neighbour = residents["f0"], residents["neighbour"]
    confirmed, exposed_on = moments["confirmed"], moments["exposed_on"]

    # the ward officer of Bồ Đề signs in (Vietnamese first) and opens Cases → record a new case
    sign_in(ward_officer_bo_de)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    with page.expect_navigation():
        page.locator("header nav").get_by_role("link", name=in_vietnamese("Cases"), exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name=in_vietnamese("Record a new case (F0)")).click()

    # types the CCCD and checks whom it belongs to: the name, the CCCD masked
    page.locator("#id_cccd").fill(cccd_of(0))
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Find the person")).click()
    found = page.locator("#found-person")
    expect(found).to_contain_text(f0.full_name)
    expect(found).to_contain_text("*********" + cccd_of(0)[-3:])
    expect(found).not_to_contain_text(cccd_of(0))

    # records the case: confirmed two hours ago, the sample's code, found in the community, source unknown
    page.locator("#id_confirmed_at").fill(confirmed.strftime("%d/%m/%Y %H:%M"))
    page.locator("#id_test_ref").fill(SAMPLE)
    page.locator("#id_detected_in").select_option("community")
    page.locator("input[name=source_known][value=unknown]").check()
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Record the case")).click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get(person=f0)
    case_url = f"/cases/{case.pk}/"
    assert cccd_of(0) not in page.url
    expect(page.locator("main h1")).to_contain_text(in_vietnamese("Case #%(pk)s") % {"pk": case.pk})
    expect(page.locator("main h1 .flag-unknown")).to_have_text(in_vietnamese("source unknown"))
    expect(page.locator("#case")).to_contain_text(confirmed.strftime("%d/%m/%Y %H:%M"))
    expect(page.locator("#case")).to_contain_text(SAMPLE)
    expect(page.locator("#case")).to_contain_text(in_vietnamese("In the community"))
    expect(page.locator("#contacts")).to_contain_text(in_vietnamese("No contact has been recorded yet."))

    # adds two contacts on the case page: the registered neighbour by CCCD, a newcomer by name and phone
    page.locator("#id_c-0-cccd").fill(cccd_of(1))
    page.locator("#id_c-0-exposed_on").fill(exposed_on.strftime("%d/%m/%Y"))
    page.locator("#id_c-0-setting").select_option("household")
    page.locator("#id_c-1-full_name").fill(NEWCOMER)
    page.locator("#id_c-1-phone").fill(NEWCOMER_PHONE)
    page.locator("#id_c-1-residence_area").select_option(label=BO_DE_TDP05)
    page.locator("#id_c-1-exposed_on").fill(exposed_on.strftime("%d/%m/%Y"))
    page.locator("#id_c-1-setting").select_option("neighbour")
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Save the contacts")).click()
    saved = in_vietnamese(
        "Contacts saved: %(added)s new, %(known)s already known, %(registered)s newly registered."
    ) % {"added": 2, "known": 0, "registered": 1}
    expect(page.locator(".messages .alert-success")).to_have_text(saved)

    # both are F1 of the case, exposed on the day typed (dd/mm/yyyy)
    contacts = page.locator("#contacts tbody tr")
    expect(contacts).to_have_count(2)
    for name in (neighbour.full_name, NEWCOMER):
        row = contacts.filter(has_text=name)
        expect(row.locator(".level")).to_have_text("F1")
        expect(row).to_contain_text(exposed_on.strftime("%d/%m/%Y"))

    # the neighbour's tracing page says F1 and offers to order isolation; a ward officer admits nobody
    # to a facility: the suggested facility has nothing to choose, and ordering it is refused in place
    open_contact(page, case_url, neighbour.full_name)
    level = in_vietnamese("%(level)s, exposed on %(day)s") % {"level": "F1", "day": f"{exposed_on:%d/%m/%Y}"}
    expect(page.locator("#person-level")).to_contain_text(level)
    open_order_form(page, neighbour.full_name)
    assert f"person={neighbour.pk}" in page.url and cccd_of(1) not in page.url
    expect(page.locator("#id_setting")).to_have_value("facility")  # what the F1 rule names
    expect(page.locator("#id_facility option")).to_have_count(1)  # only "—"
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Issue the order")).click()
    expect(page.locator("#id_facility-errors")).to_have_text(
        in_vietnamese("Choose the facility the person goes to.")
    )
    assert not IsolationOrder.objects.exists()

    # so orders isolation at home, from an hour ago: the planned end follows the F1 rule
    isolated = moments["isolated"]
    issue_at_home(page, neighbour.full_name, starts=isolated.strftime("%Y-%m-%dT%H:%M"))
    isolation_end = isolated + timedelta(days=F1_DAYS)
    expect(page.locator("#isolation-end")).to_contain_text(isolation_end.strftime("%H:%M %d/%m/%Y"))
    monitoring_end = isolation_end + timedelta(days=MONITORING_DAYS)
    expect(page.locator("#monitoring-end")).to_contain_text(monitoring_end.strftime("%H:%M %d/%m/%Y"))

    # the newcomer, registered on the way, is isolated at home from now
    open_contact(page, case_url, NEWCOMER)
    expect(page.locator("#person-level")).to_contain_text(level)
    expect(page.locator("#person .badge")).to_have_text(in_vietnamese("registration incomplete"))
    open_order_form(page, NEWCOMER)
    issue_at_home(page, NEWCOMER)
    newcomer_order = IsolationOrder.objects.exclude(person=neighbour).get()
    expect(page.locator("#isolation-end")).to_contain_text(
        shown(newcomer_order.isolation_ends_at, "%H:%M %d/%m/%Y")
    )

    # a contact's tracing page now shows the order instead of the link
    open_contact(page, case_url, neighbour.full_name)
    expect(page.locator("#person-isolation")).to_contain_text(isolation_end.strftime("%d/%m/%Y"))
    expect(page.locator("#order-isolation")).to_have_count(0)

    # Isolation: both orders, at home, with their planned end
    with page.expect_navigation():
        page.locator("header nav").get_by_role("link", name=in_vietnamese("Isolation"), exact=True).click()
    expect(page.locator("#counts dd[data-kind=home]")).to_have_text("2")
    orders = page.locator("#orders tbody tr[data-order]")
    expect(orders).to_have_count(2)
    for name, end in (
        (neighbour.full_name, isolation_end),
        (NEWCOMER, to_local(newcomer_order.isolation_ends_at)),
    ):
        row = orders.filter(has_text=name)
        expect(row).to_contain_text("F1")
        expect(row).to_contain_text(in_vietnamese("At home"))
        expect(row).to_contain_text(end.strftime("%d/%m/%Y %H:%M"))

    # and today's worklist of Tổ dân phố 5 has both to check, in isolation at home
    with page.expect_navigation():
        page.get_by_role("link", name=in_vietnamese("Today's worklist")).click()
    to_check = page.locator("section[data-area='00139-TDP05'] tbody tr[data-order]")
    expect(to_check).to_have_count(2)
    for name in (neighbour.full_name, NEWCOMER):
        expect(to_check.filter(has_text=name)).to_contain_text(in_vietnamese("isolation at home"))

    # what was written: the case, two F1 links, the newcomer registered, two orders following the case
    case.refresh_from_db()
    assert (case.confirmed_at, case.test_ref) == (confirmed, SAMPLE)
    assert (case.detected_in, case.source_known, case.detected_unit.code) == ("community", False, "00139")
    newcomer = newcomer_order.person
    assert (newcomer.full_name, newcomer.phone, newcomer.provisional) == (NEWCOMER, NEWCOMER_PHONE, True)
    assert newcomer.residence_area.code == "00139-TDP05"
    assert Exposure.objects.count() == 2
    assert set(Exposure.objects.values_list("exposed_on", "setting")) == {
        (exposed_on, "household"),
        (exposed_on, "neighbour"),
    }
    levels = dict(TraceLevel.objects.values_list("person_id", "level"))
    assert levels == {f0.pk: 0, neighbour.pk: 1, newcomer.pk: 1}
    assert TraceLevel.objects.get(person=newcomer).root_case_id == case.pk
    orders_written = IsolationOrder.objects.order_by("starts_at")
    assert [(o.person_id, o.subject, o.setting, o.status) for o in orders_written] == [
        (neighbour.pk, "F1", "home", "active"),
        (newcomer.pk, "F1", "home", "active"),
    ]
    for order in orders_written:
        assert (order.case_id, order.area.code, order.ordered_by_id) == (
            case.pk,
            "00139-TDP05",
            ward_officer_bo_de.pk,
        )
        assert order.isolation_ends_at - order.starts_at == timedelta(days=F1_DAYS)
        assert order.monitoring_ends_at - order.isolation_ends_at == timedelta(days=MONITORING_DAYS)
    assert orders_written[0].starts_at == isolated
