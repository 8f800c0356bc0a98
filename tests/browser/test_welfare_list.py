"""A support list from the ward to the district (issue #10, acceptance) in Chromium.

Bồ Đề's ward officer finds a resident by name, files the 3642 support for them (the fact the rules need,
the application form), accepts it, posts the ward's list publicly and, once the posting is over, sends
it to the district. Long Biên's district officer finds the list waiting on the welfare home, appraises
it and approves it in a numbered decision. The public list then shows the resident's masked name.
"""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from phaodai.core.clock import now
from phaodai.welfare.models import Application, Decision, Programme, SupportList
from phaodai.welfare.tests.world import build_world


@pytest.fixture
def world(ward_officer_bo_de: Any) -> Any:
    found = build_world(ward_officer=ward_officer_bo_de, residents=2)
    # The shipped programmes ended in 2021: a later version of 3642, open-ended, so it is in force today.
    shipped = Programme.objects.filter(code="HN-3642").order_by("-version").first()
    assert shipped is not None
    shipped.pk, shipped.version, shipped.valid_to, shipped.period_ends = None, shipped.version + 1, None, None
    shipped.save(force_insert=True)
    return found


def test_a_ward_officer_files_and_sends_a_list_and_the_district_approves_it(
    world: Any,
    ward_officer_bo_de: Any,
    district_officer_long_bien: Any,
    sign_in: Any,
    new_page: Any,
    tmp_path: Path,
) -> None:
    form_file = tmp_path / "don-de-nghi.pdf"
    form_file.write_bytes(b"%PDF-1.4\n% don de nghi ho tro\n")

    # The ward officer finds the resident by name, without diacritics.
    page = sign_in(ward_officer_bo_de)
    page.goto("/welfare/applications/new/")
    page.locator("#id_q").fill("nguyen van an")
    with page.expect_navigation():
        page.locator("#id_q").press("Enter")
    page.locator("#person-results tr", has_text="Nguyễn Văn An").get_by_role("link").click()

    # Chooses the programme; the form asks what its rules read and the document it requires.
    page.locator("#id_choose_programme").select_option("HN-3642")
    with page.expect_navigation():
        page.locator("form:has(#id_choose_programme) button[type=submit]").click()
    form = page.locator("#filing-form")
    expect(form.locator("#facts")).to_contain_text("no_labour_contract")
    form.locator("#id_fact_job__lost_work_on").fill("2021-07-24")
    form.locator("#id_doc_application_form").set_input_files(str(form_file))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("#application-status")).to_have_attribute("data-status", "filed")
    application = Application.objects.get()
    expect(page.locator("h1")).to_contain_text(application.reference)

    # Accepts it for the ward's list, then posts the list publicly.
    with page.expect_navigation():
        page.locator("#review button[type=submit]").click()
    expect(page.locator("#application-status")).to_have_attribute("data-status", "reviewed")
    page.goto("/welfare/lists/")
    with page.expect_navigation():
        page.locator("#ready tr[data-programme='HN-3642'] button[type=submit]").click()
    expect(page.locator("#list-status")).to_have_attribute("data-status", "posted")
    expect(page.locator("#entries")).to_contain_text("Nguyễn Văn An")

    # Two days later the posting is over, with no objection: the list goes to the district.
    SupportList.objects.update(posting_ends_at=now() - timedelta(minutes=1))
    page.reload()
    with page.expect_navigation():
        page.locator("#send button[type=submit]").click()
    expect(page.locator("#list-status")).to_have_attribute("data-status", "submitted")

    # The district officer finds it waiting, appraises it and approves it in a numbered decision.
    district = sign_in(district_officer_long_bien, on=new_page())
    district.goto("/welfare/")
    with district.expect_navigation():
        district.locator("#waiting a[data-wait=appraise]").click()
    with district.expect_navigation():
        district.locator("#appraise button[type=submit]").click()
    expect(district.locator("#list-status")).to_have_attribute("data-status", "appraised")
    with district.expect_navigation():
        district.locator("a[href^='/welfare/approve/']").click()
    district.locator("#id_number").fill("125/QĐ-UBND")
    district.locator("#id_signed_on").fill(date(2021, 9, 10).isoformat())
    expect(district.locator("input[name=lists]")).to_be_checked()
    with district.expect_navigation():
        district.locator("form[action='/welfare/approve/'] button[type=submit]").click()
    expect(district.locator("h1")).to_contain_text("125/QĐ-UBND")
    expect(district.locator("#lines")).to_contain_text("Nguyễn Văn An")

    decision = Decision.objects.get()
    assert decision.count == 1 and decision.total == 1_500_000
    assert Application.objects.get().status == "approved"
    assert SupportList.objects.get().status == "approved"

    # Anyone sees the ward's approved list, the name masked.
    public = new_page()
    public.goto("/welfare/public/00139/")
    expect(public.locator("#public-list")).to_contain_text("Nguyễn V. A., 1978")
    expect(public.locator("#public-list")).not_to_contain_text("Nguyễn Văn An")
