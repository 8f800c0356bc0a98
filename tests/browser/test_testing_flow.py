"""Testing end to end in a real browser, in Vietnamese (S18): a ward officer plans a pooled screening round,
a health worker swabs the first session into a pool, the CDC's technician finds the pool positive, its
members go to individual retest, and a positive retest waits in the ward's "positives to confirm" with a
link to the new-case form, its sample code filled in.

The live server runs on the real clock (a frozen clock would expire the browser's session cookie): the
round starts today, swabs are taken now and results come now, as the forms propose.
"""

# The residents and laboratory fixtures are imported from the testing tests' conftest; pytest passes
# them by name.
# ruff: noqa: F811

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import formats, translation
from playwright.sync_api import Page, expect

from phaodai.core.clock import local_date, now, to_local
from phaodai.core.text import mask_name
from phaodai.diagnostics import services
from phaodai.diagnostics.models import Outcome, Pool, Retest, Sample, SamplingSession
from phaodai.diagnostics.models import TestingRound as Round  # "Test…" would be collected by pytest
from phaodai.diagnostics.tests.conftest import (  # noqa: F401  (fixtures)
    bo_de_area,
    lab_cdc,
    name_of,
    resident,
    resident_cccd,
)

from .conftest import PHONE

ROUND_NAME = "Sàng lọc TDP5 — PCR mẫu gộp"
POOL = "BD-GOP-0001"
MEMBERS = [f"BD-XN-{n:04d}" for n in range(1, 6)]  # the five swabs of the pool, residents 0 to 4
RETEST = "BD-XN-0101"  # resident 0's individual retest
TDP05 = "Tổ dân phố 5"
LAB = "CDC-HN"
ROUND_DAYS, CADENCE = 14, 2  # the form proposes 14 days from today; every 2 days: 7 sessions
SESSIONS = len(range(0, ROUND_DAYS, CADENCE))


def in_vietnamese(message: Any) -> str:
    """A message (str or lazy) as the Vietnamese pages show it."""
    with translation.override("vi"):
        return translation.gettext(str(message))


def plural_in_vietnamese(singular: str, plural: str, n: int) -> str:
    with translation.override("vi"):
        return translation.ngettext(singular, plural, n)


def percent(sampled: int, targeted: int) -> str:
    """Coverage as the Vietnamese pages write it (decimal comma)."""
    with translation.override("vi"):
        return f"{formats.localize(round(sampled * 100 / targeted, 1))}%"


@pytest.fixture
def residents(resident: Any) -> list[Any]:
    """Six residents of Bồ Đề's Tổ dân phố 5: five fill a pool of 5, the sixth stays unsampled."""
    return [resident(n) for n in range(6)]


@pytest.fixture
def same_day() -> None:
    """Swabs must be taken on their session's day: never start the flow a few minutes before midnight."""
    local = to_local(now())
    if (local.hour, local.minute) >= (23, 57):
        time.sleep((60 - local.minute) * 60 - local.second + 30)


def open_testing(page: Page, link: str) -> None:
    """From the menu's Testing page, follow one of its links."""
    with page.expect_navigation():
        page.locator("header nav").get_by_role("link", name=in_vietnamese("Testing"), exact=True).click()
    expect(page.locator("main h1")).to_have_text(in_vietnamese("Testing"))
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=in_vietnamese(link), exact=True).click()


def find_by_code(page: Page, code: str) -> None:
    """The lab's "enter a result" page: find a sample or pool by its code."""
    # from any page: the menu's "Lab results", then "Enter a result by hand"
    page.locator("header nav").get_by_role("link", name=in_vietnamese("Lab results"), exact=True).click()
    page.locator("#enter-result").click()
    expect(page.locator("main h1")).to_have_text(in_vietnamese("Enter a result"))
    page.locator("#id_code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Find")).click()


def register_swab(page: Page, code: str, n: int, pool: str = "", method: str = "") -> None:
    """On the register-a-sample form: the barcode, the CCCD, the pool, the CDC; taken now (proposed)."""
    page.locator("#id_code").fill(code)
    page.locator("#id_cccd").fill(resident_cccd(n))
    if method:
        page.locator("#id_method").select_option(method)
    if pool:
        page.locator("#id_pool_code").fill(pool)
    page.locator("#id_lab").select_option(LAB)
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Register"), exact=True).click()


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways on a phone: {widths[0]} > {widths[1]} px"


def test_a_pooled_round_from_planning_to_retests_and_a_positive_to_confirm(
    page,
    new_page,
    sign_in,
    ward_officer_bo_de,
    health_worker_bo_de,
    lab_tech_cdc,
    bo_de_area,
    lab_cdc,
    residents,
    same_day,
):
    today = local_date(now())
    names = [mask_name(name_of(n)) for n in range(len(residents))]

    # 1. the ward officer of Bồ Đề (Vietnamese) opens Testing → Plan a testing round
    sign_in(ward_officer_bo_de)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    open_testing(page, "Plan a testing round")
    expect(page.locator("main h1")).to_have_text(in_vietnamese("Plan a testing round"))
    expect(page.locator("#id_starts_on")).to_have_value(today.isoformat())
    expect(page.locator("#id_ends_on")).to_have_value((today + timedelta(days=ROUND_DAYS - 1)).isoformat())

    # shippers (a very-high-risk group) every 7 days: refused beside the cadence (S18), nothing planned
    page.locator("#id_name").fill("Sàng lọc shipper")
    page.locator("input[name=target][value=group]").check()
    page.locator("#id_risk_group").select_option("shipper")
    page.locator("#id_cadence_days").fill("7")
    with page.expect_navigation() as refused:
        page.get_by_role("button", name=in_vietnamese("Plan the round")).click()
    assert refused.value is not None and refused.value.status == 422
    expect(page.locator("#id_cadence_days-errors")).to_have_text(in_vietnamese(services.SlowCadence.message))
    expect(page.locator("#id_accept_slow_cadence")).to_be_visible()
    expect(page.locator("#id_accept_slow_cadence")).not_to_be_checked()
    assert not Round.objects.exists()

    # so plans Tổ dân phố 5 instead: pooled RT-PCR, pools of 5, every 2 days from today
    page.locator("#id_name").fill(ROUND_NAME)
    page.locator("input[name=target][value=areas]").check()
    page.locator("#id_areas").select_option([bo_de_area.code])
    page.locator("#id_method").select_option("pcr_pooled")
    page.locator("#id_pool_size").select_option("5")
    page.locator("#id_cadence_days").fill(str(CADENCE))
    with page.expect_navigation():
        page.get_by_role("button", name=in_vietnamese("Plan the round")).click()
    expect(page).to_have_url(re.compile(r"/diagnostics/rounds/\d+/$"))
    expect(page.locator(".messages .alert-success")).to_have_text(
        in_vietnamese("Round planned with its sampling sessions.")
    )
    testing_round = Round.objects.get()
    expect(page.locator("main h1")).to_contain_text(ROUND_NAME)
    summary = page.locator("#round")
    expect(summary).to_contain_text(in_vietnamese("Residential areas") + ": " + TDP05)
    expect(summary).to_contain_text(in_vietnamese("RT-PCR, pooled samples"))
    expect(summary).to_contain_text(in_vietnamese("pools of %(size)s") % {"size": 5})
    expect(summary).to_contain_text(plural_in_vietnamese("%(days)s day", "%(days)s days", 2) % {"days": 2})
    expect(page.locator("#coverage")).to_have_text(f"0 / {SESSIONS * 6}")
    sessions = page.locator("#sessions tbody tr[data-session]")
    expect(sessions).to_have_count(SESSIONS)
    first_row = sessions.first
    expect(first_row).to_contain_text(f"{today:%d/%m/%Y}")
    expect(first_row).to_contain_text(TDP05)
    expect(first_row.locator("td.num")).to_have_text(["0", "6", percent(0, 6)])
    expect(sessions.last).to_contain_text(f"{today + timedelta(days=ROUND_DAYS - CADENCE):%d/%m/%Y}")

    # 2. the health worker of Bồ Đề finds today's session on the Testing page and opens it
    health = new_page()
    sign_in(health_worker_bo_de, on=health)
    with health.expect_navigation():
        health.locator("header nav").get_by_role("link", name=in_vietnamese("Testing"), exact=True).click()
    today_row = health.locator("#today tbody tr").filter(has_text=ROUND_NAME)
    expect(today_row.locator("td.num")).to_have_text(["0", "6"])
    with health.expect_navigation():
        today_row.get_by_role("link", name=TDP05).click()
    session = testing_round.sessions.get(day=today)
    expect(health).to_have_url(re.compile(rf"/diagnostics/sessions/{session.pk}/$"))
    expect(health.locator("#coverage")).to_have_text(f"0 / 6 ({percent(0, 6)})")
    expect(health.locator("#targets tbody tr[data-target]")).to_have_count(6)

    # registers five swabs into one pool, by barcode and CCCD: the session's coverage moves with each
    with health.expect_navigation():
        health.get_by_role("link", name=in_vietnamese("Register samples in this session")).click()
    expect(health.locator("main h1")).to_have_text(in_vietnamese("Register a sample"))
    expect(health.locator("#id_method")).to_have_count(0)  # the round's method
    for n, code in enumerate(MEMBERS):
        register_swab(health, code, n, pool=POOL)
        expect(health.locator(".messages .alert-success")).to_have_text(
            in_vietnamese("Sample %(code)s registered.") % {"code": code}
        )
        expect(health.locator("main section.card > p").first).to_contain_text(
            f"{in_vietnamese('Coverage')} {n + 1} / 6"
        )

    # a sixth swab into the same pool is refused beside the pool code: a pool of 5 is full
    register_swab(health, "BD-XN-0006", 5, pool=POOL)
    expect(health.locator("#id_pool_code-errors")).to_have_text(in_vietnamese(services.PoolFull.message))
    assert not Sample.objects.filter(code="BD-XN-0006").exists()

    # the session: 5 of 6 sampled, each target with their swab, the sixth not yet (names masked)
    health.goto(f"/diagnostics/sessions/{session.pk}/")
    expect(health.locator("#coverage")).to_have_text(f"5 / 6 ({percent(5, 6)})")
    targets = health.locator("#targets tbody tr[data-target]")
    for n, code in enumerate(MEMBERS):
        expect(targets.filter(has_text=names[n])).to_contain_text(code)
    expect(targets.filter(has_text=names[5])).to_contain_text(in_vietnamese("Not yet"))
    assert name_of(0) not in health.content()

    # on a phone the register-a-sample form and the session fit the screen (no sideways scroll)
    phone = new_page(viewport=PHONE)
    sign_in(health_worker_bo_de, on=phone)
    for url in (f"/diagnostics/samples/new/?session={session.pk}", f"/diagnostics/sessions/{session.pk}/"):
        phone.goto(url)
        expect(phone.locator("main h1")).to_be_visible()
        assert_no_horizontal_scroll(phone)

    # 3. the CDC's technician finds the pool by its code and enters its result: positive
    lab = new_page()
    sign_in(lab_tech_cdc, on=lab)
    find_by_code(lab, POOL)
    expect(lab).to_have_url(re.compile(r"/diagnostics/pools/\d+/$"))
    expect(lab.locator("#pool")).to_contain_text("5 / 5")
    expect(lab.locator("#outcome")).to_have_text(in_vietnamese("Waiting for the result"))
    expect(lab.locator("#result #id_lab")).to_have_value(LAB)
    lab.locator("#result input[name=outcome][value=positive]").check()
    with lab.expect_navigation():
        lab.get_by_role("button", name=in_vietnamese("Record the pool result")).click()
    expect(lab.locator(".messages .alert-success")).to_have_text(
        in_vietnamese("Pool result recorded for %(n)d samples; %(r)d individual retests requested.")
        % {"n": 5, "r": 5}
    )
    expect(lab.locator("#outcome")).to_contain_text(in_vietnamese("Positive"))
    members = lab.locator("#members tbody tr")
    expect(members).to_have_count(5)
    for n, code in enumerate(MEMBERS):
        row = members.filter(has_text=code)
        expect(row).to_contain_text(names[n])
        expect(row).to_contain_text(in_vietnamese("Pool positive: individual retest needed"))

    # the health worker's retests to take: the five members, oldest first
    open_testing(health, "Retests to take")
    retests = health.locator("#retests tbody tr")
    expect(retests).to_have_count(5)
    for n, code in enumerate(MEMBERS):
        expect(retests.nth(n)).to_contain_text(names[n])
        expect(retests.nth(n)).to_contain_text(code)
        expect(retests.nth(n)).to_contain_text(POOL)

    # 4. takes resident 0's individual retest (RT-PCR, not in a session): it is the retest of their swab
    with health.expect_navigation():
        health.locator("main").get_by_role("link", name=in_vietnamese("Register a sample")).click()
    register_swab(health, RETEST, 0, method="pcr")
    expect(health).to_have_url(re.compile(r"/diagnostics/samples/\d+/$"))
    expect(health.locator(".messages .alert-success")).to_have_text(
        in_vietnamese("Sample %(code)s registered.") % {"code": RETEST}
    )
    expect(health.locator("#sample")).to_contain_text(MEMBERS[0])  # "Retest of"
    expect(health.locator("#outcome")).to_have_text(in_vietnamese("Waiting for the result"))
    expect(health.locator("#result")).to_have_count(0)  # the laboratory enters a PCR result
    open_testing(health, "Retests to take")
    expect(health.locator("#retests tbody tr")).to_have_count(4)
    expect(health.locator("#retests")).not_to_contain_text(MEMBERS[0])

    # the technician enters it positive
    find_by_code(lab, RETEST)
    expect(lab.locator("main h1")).to_contain_text(RETEST)
    lab.locator("#result input[name=outcome][value=positive]").check()
    with lab.expect_navigation():
        lab.get_by_role("button", name=in_vietnamese("Record the result")).click()
    expect(lab.locator(".messages .alert-success")).to_have_text(in_vietnamese("Result recorded."))
    expect(lab.locator("#outcome")).to_contain_text(in_vietnamese("Positive"))

    # the ward's positives to confirm: the retest only (pool members are not positives), with its case link
    open_testing(page, "Positives to confirm")
    positives = page.locator("#positives tbody tr[data-sample]")
    expect(positives).to_have_count(1)
    expect(positives).to_contain_text(RETEST)
    expect(positives).to_contain_text(names[0])
    expect(positives).to_contain_text(lab_cdc.name)
    record = positives.get_by_role("link", name=in_vietnamese("Record the case"), exact=True)
    expect(record).to_have_attribute("href", f"/cases/new/?test_ref={RETEST}")
    with page.expect_navigation():
        record.click()
    expect(page.locator("main h1")).to_have_text(in_vietnamese("Record a new case (F0)"))
    expect(page.locator("#id_test_ref")).to_have_value(RETEST)
    assert resident_cccd(0) not in page.url

    # what was written
    testing_round.refresh_from_db()
    assert (testing_round.target, testing_round.method, testing_round.pool_size) == ("areas", "pcr_pooled", 5)
    assert (testing_round.cadence_days, testing_round.starts_on) == (CADENCE, today)
    assert testing_round.ends_on == today + timedelta(days=ROUND_DAYS - 1)
    assert (testing_round.unit.code, testing_round.created_by_id) == ("00139", ward_officer_bo_de.pk)
    assert testing_round.status == Round.Status.RUNNING  # the first swab started it
    assert [a.code for a in testing_round.areas.all()] == [bo_de_area.code]
    planned = testing_round.sessions.order_by("day")
    assert [s.day for s in planned] == [today + timedelta(days=d) for d in range(0, ROUND_DAYS, CADENCE)]
    assert all(s.targeted == 6 for s in planned)
    assert [s.sampled for s in planned] == [5] + [0] * (SESSIONS - 1)
    assert SamplingSession.objects.count() == SESSIONS

    pool = Pool.objects.get(code=POOL)
    assert (pool.size, pool.session_id, pool.lab_id, pool.outcome) == (5, session.pk, lab_cdc.pk, "positive")
    assert pool.resulted_at is not None and pool.resulted_at >= pool.collected_at
    swabs = list(Sample.objects.filter(pool=pool).order_by("pk"))
    assert [(s.code, s.person_id, s.outcome) for s in swabs] == [
        (code, residents[n].pk, Outcome.RETEST) for n, code in enumerate(MEMBERS)
    ]
    assert all(local_date(s.collected_at) == today and s.session_id == session.pk for s in swabs)

    retest = Sample.objects.get(code=RETEST)
    assert (retest.person_id, retest.method, retest.pool_id, retest.session_id) == (
        residents[0].pk,
        "pcr",
        None,
        None,
    )
    assert (retest.retest_of_id, retest.outcome, retest.lab_id) == (swabs[0].pk, Outcome.POSITIVE, lab_cdc.pk)
    assert retest.announced_at is not None  # the ward was told
    owed = {r.sample_id: (r.status, r.retest_sample_id) for r in Retest.objects.all()}
    assert owed == {
        swabs[0].pk: (Retest.Status.DONE, retest.pk),
        **{s.pk: (Retest.Status.OPEN, None) for s in swabs[1:]},
    }
