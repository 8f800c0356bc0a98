"""Report pages: submitting (idempotent, prefilled, rolled up), reading, correcting, deciding, timeliness."""

import re

import pytest
import time_machine

from phaodai.core.clock import hanoi
from phaodai.notifications.models import Notification
from phaodai.sitreps import prefill, selectors, services
from phaodai.sitreps.forms import sign
from phaodai.sitreps.models import Submission, UrgentReport
from phaodai.sitreps.tests.conftest import report

WARD_DAILY = "ward-daily-1630"
SLOT = "2021-09-08T16:30"
SUBMIT = f"/reports/{WARD_DAILY}/submit/"


@pytest.fixture
def at_three_pm():
    """15:00 on 08/9/2021: the 16:30 slot is open."""
    with time_machine.travel(hanoi(2021, 9, 8, 15, 0), tick=False) as traveller:
        yield traveller


def form_data(values=None, **extra):
    data = {f"v_{code}": "" if value is None else str(value) for code, value in (values or report()).items()}
    data.update(extra)
    return data


def submit_as(officer, unit, code, *, at=(2021, 9, 8, 15, 0), **overrides):
    schedule = selectors.schedule_by_code(WARD_DAILY)
    submission, _created = services.submit_report(
        by=officer, schedule=schedule, unit=unit(code), instance=selectors.parse_slot(schedule, SLOT),
        values=report(**overrides), clock=lambda: hanoi(*at),
    )  # fmt: skip
    return submission


def field_block(html, code):
    """The HTML of one field's row on the form."""
    match = re.search(rf'<div class="report-field[^"]*" data-field="{code}">.*?</div>\s*</div>', html, re.S)
    assert match, f"no field {code} on the page"
    return match.group(0)


# Submitting ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_is_grouped_by_section_with_numeric_inputs_and_the_current_slot(
    client, ward_officer_bo_de, at_three_pm
):
    client.force_login(ward_officer_bo_de)
    page = client.get(SUBMIT).content.decode()
    assert f'data-slot="{SLOT}"' in page
    assert "<legend>Testing</legend>" in page
    samples = field_block(page, "tests_taken")
    assert 'inputmode="numeric"' in samples and "samples" in samples
    assert 'name="token"' in page and 'name="prefilled"' in page


@pytest.mark.django_db
def test_a_ward_submits_on_time_with_vietnamese_thousands(client, ward_officer_bo_de, at_three_pm):
    client.force_login(ward_officer_bo_de)
    response = client.post(SUBMIT, form_data(report(tests_taken="1.200")) | {"token": "t-1", "slot": SLOT})
    submission = Submission.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/submissions/{submission.pk}/"
    assert submission.values["tests_taken"] == 1200 and submission.on_time
    page = client.get(response["Location"]).content.decode()
    assert "Report received on time" in page and 'data-timeliness="on_time"' in page


@pytest.mark.django_db
def test_a_double_click_or_refresh_resubmit_stays_one_submission(client, ward_officer_bo_de, at_three_pm):
    client.force_login(ward_officer_bo_de)
    first = client.post(SUBMIT, form_data(token="same-token", slot=SLOT))
    second = client.post(SUBMIT, form_data(token="same-token", slot=SLOT))
    assert first["Location"] == second["Location"]
    assert Submission.objects.count() == 1
    assert "had already been received" in client.get(second["Location"]).content.decode()


@pytest.mark.django_db
def test_a_late_report_says_late(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    with time_machine.travel(hanoi(2021, 9, 8, 17, 5), tick=False):
        response = client.post(SUBMIT, form_data(token="t", slot=SLOT))
        page = client.get(response["Location"]).content.decode()
    assert "Report received late" in page and 'data-timeliness="late"' in page


@pytest.mark.django_db
def test_bad_values_are_shown_beside_their_fields_and_everything_typed_is_kept(
    client, ward_officer_bo_de, at_three_pm
):
    client.force_login(ward_officer_bo_de)
    values = report(tests_taken="12", tests_positive="30", vaccinations="nhiều", situation="Căng thẳng")
    response = client.post(SUBMIT, form_data(values, token="t", slot=SLOT))
    assert response.status_code == 422
    page = response.content.decode()
    assert "Enter a whole number." in field_block(page, "vaccinations")
    assert 'value="nhiều"' in field_block(page, "vaccinations")
    assert "Căng thẳng" in page
    assert Submission.objects.count() == 0


@pytest.mark.django_db
def test_a_check_between_fields_is_shown_beside_the_field_it_names(client, ward_officer_bo_de, at_three_pm):
    client.force_login(ward_officer_bo_de)
    response = client.post(SUBMIT, form_data(report(tests_taken=10, tests_positive=30), token="t", slot=SLOT))
    assert response.status_code == 422
    assert "Positive samples cannot exceed the samples taken." in field_block(
        response.content.decode(), "tests_positive"
    )


@pytest.fixture
def provider():
    """The system knows 20 F1 traced for every unit."""
    prefill.register_provider(
        "test-f1", ["f1_traced"], lambda units, start, end: {u.pk: {"f1_traced": 20} for u in units}
    )
    yield
    prefill.unregister_provider("test-f1")


@pytest.mark.django_db
def test_prefilled_values_are_shown_kept_and_the_difference_highlighted(
    client, ward_officer_bo_de, at_three_pm, provider
):
    client.force_login(ward_officer_bo_de)
    page = client.get(SUBMIT).content.decode()
    assert 'value="20"' in field_block(page, "f1_traced") and "System" in field_block(page, "f1_traced")
    hidden = re.search(r'name="prefilled" value="([^"]+)"', page)
    assert hidden
    response = client.post(
        SUBMIT, form_data(report(f1_traced=22), token="t", slot=SLOT, prefilled=hidden.group(1))
    )
    submission = Submission.objects.get()
    assert submission.prefilled == {"f1_traced": 20} and submission.values["f1_traced"] == 22
    detail = client.get(response["Location"]).content.decode()
    assert re.search(r'<tr data-field="f1_traced" class="corrected">', detail)
    assert "1 value differs from what the system prefilled." in detail


@pytest.mark.django_db
def test_an_altered_prefilled_field_is_not_believed(client, ward_officer_bo_de, at_three_pm, provider):
    client.force_login(ward_officer_bo_de)
    forged = sign({"f1_traced": 999}, "other-salt")
    client.post(SUBMIT, form_data(token="t", slot=SLOT, prefilled=forged))
    assert Submission.objects.get().prefilled == {"f1_traced": 20}


@pytest.mark.django_db
def test_an_already_submitted_slot_shows_the_report_and_a_correct_link(
    client, ward_officer_bo_de, unit, at_three_pm
):
    submission = submit_as(ward_officer_bo_de, unit, "00139")
    client.force_login(ward_officer_bo_de)
    page = client.get(SUBMIT).content.decode()
    assert 'id="already-submitted"' in page
    assert f"/reports/submissions/{submission.pk}/#correct" in page
    assert 'id="submit-form"' not in page


@pytest.mark.django_db
def test_a_closed_slot_says_so_and_a_bad_slot_names_the_real_ones(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    closed = client.get(f"{SUBMIT}?slot={SLOT}").content.decode()
    assert 'data-state="closed"' in closed and 'id="submit-form"' not in closed
    wrong = client.get(f"{SUBMIT}?slot=2021-09-08T17:00")
    assert wrong.status_code == 422
    assert "its slots are 16:30" in wrong.content.decode()


@pytest.mark.django_db
def test_who_may_open_the_submit_page(
    client, district_officer_long_bien, ward_officer_phuc_xa, city_commander, at_three_pm
):
    client.force_login(district_officer_long_bien)
    assert client.get(SUBMIT).status_code == 403  # a district does not report on the ward schedule
    client.force_login(city_commander)
    assert client.get(SUBMIT).status_code == 403
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"{SUBMIT}?unit=00139").status_code == 404
    assert client.get("/reports/no-such-schedule/submit/").status_code == 404


@pytest.mark.django_db
def test_a_district_fills_its_report_from_its_wards_and_submits_it(
    client, long_bien_ward_officers, district_officer_long_bien, unit
):
    for n, code in enumerate(["00133", "00139"]):
        submit_as(long_bien_ward_officers[code], unit, code, tests_taken=100 + n)
    client.force_login(district_officer_long_bien)
    url = "/reports/district-3x-daily/submit/?slot=2021-09-08T18:00&rollup=1"
    with time_machine.travel(hanoi(2021, 9, 8, 17, 0), tick=False):
        partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert partial.startswith('<div id="report-form">')
        assert 'value="201"' in field_block(partial, "tests_taken")
        included = re.search(r'id="rollup-included">(.*?)</span></p>', partial, re.S)
        missing = re.search(r'id="rollup-missing">(.*?)</span></p>', partial, re.S)
        assert included and missing
        assert re.findall(r'data-unit="(\d+)"', included.group(1)) == ["00133", "00139"]
        assert len(re.findall(r'data-unit="(\d+)"', missing.group(1))) == 12
        hidden = dict(
            re.findall(r'name="(token|slot|unit|prefilled|rolled_up_from)" value="([^"]*)"', partial)
        )
        values = report(tests_taken=201, situation="")
        response = client.post("/reports/district-3x-daily/submit/", form_data(values, **hidden))
    assert response.status_code == 302
    submission = Submission.objects.get(unit__code="004")
    assert submission.rolled_up_from == ["00133", "00139"]
    assert submission.values["tests_taken"] == 201


# One report: correct, accept, reopen --------------------------------------------------------------


@pytest.mark.django_db
def test_a_correction_needs_a_reason_and_keeps_the_history(client, ward_officer_bo_de, unit):
    submission = submit_as(ward_officer_bo_de, unit, "00139")
    client.force_login(ward_officer_bo_de)
    url = f"/reports/submissions/{submission.pk}/correct/"
    with time_machine.travel(hanoi(2021, 9, 8, 16, 0), tick=False):
        refused = client.post(url, form_data(report(f1_traced=15), token="c1", version=1))
        assert refused.status_code == 422 and "Give a reason." in refused.content.decode()
        assert 'value="15"' in field_block(refused.content.decode(), "f1_traced")
        saved = client.post(url, form_data(report(f1_traced=15), token="c1", version=1, reason="Sót 1 F1"))
        page = client.get(saved["Location"]).content.decode()
    assert saved.status_code == 302
    assert 'data-revision="2"' in page and "Sót 1 F1" in page
    assert "F1 traced: 14 → <strong>15</strong>" in page


@pytest.mark.django_db
def test_an_accepted_report_refuses_a_correction_with_the_message(
    client, ward_officer_bo_de, district_officer_long_bien, unit
):
    submission = submit_as(ward_officer_bo_de, unit, "00139")
    services.accept_report(
        by=district_officer_long_bien, submission=submission, clock=lambda: hanoi(2021, 9, 8, 16)
    )
    client.force_login(ward_officer_bo_de)
    with time_machine.travel(hanoi(2021, 9, 8, 16, 10), tick=False):
        page = client.get(f"/reports/submissions/{submission.pk}/").content.decode()
        assert 'id="correct"' in page and "ask them to reopen it first" in page
        response = client.post(
            f"/reports/submissions/{submission.pk}/correct/",
            form_data(report(f1_traced=15), token="c", version=2, reason="x"),
        )
    assert response.status_code == 409
    assert "ask them to reopen it first" in response.content.decode()


@pytest.mark.django_db
def test_of_two_concurrent_accepts_one_wins_and_the_other_is_told(
    client, ward_officer_bo_de, district_officer_long_bien, city_commander, unit
):
    submission = submit_as(ward_officer_bo_de, unit, "00139")
    url = f"/reports/submissions/{submission.pk}/accept/"
    client.force_login(district_officer_long_bien)
    assert client.post(url, {"version": 1}).status_code == 302
    client.force_login(city_commander)
    second = client.post(url, {"version": 1})
    assert second.status_code == 409
    assert "already accepted by district-004" in second.content.decode()
    submission.refresh_from_db()
    assert submission.status == "accepted" and submission.accepted_by == district_officer_long_bien


@pytest.mark.django_db
def test_the_reporter_cannot_accept_its_own_report(client, ward_officer_bo_de, unit):
    submission = submit_as(ward_officer_bo_de, unit, "00139")
    client.force_login(ward_officer_bo_de)
    assert client.post(f"/reports/submissions/{submission.pk}/accept/", {"version": 1}).status_code == 403
    page = client.get(f"/reports/submissions/{submission.pk}/").content.decode()
    assert 'id="accept-form"' not in page


@pytest.mark.django_db
def test_reopening_needs_a_reason_and_tells_the_ward(
    client, ward_officer_bo_de, district_officer_long_bien, unit
):
    submission = submit_as(ward_officer_bo_de, unit, "00139")
    services.accept_report(
        by=district_officer_long_bien, submission=submission, clock=lambda: hanoi(2021, 9, 8, 16)
    )
    client.force_login(district_officer_long_bien)
    url = f"/reports/submissions/{submission.pk}/reopen/"
    refused = client.post(url, {"version": 2, "reason": " "})
    assert refused.status_code == 422 and "Give a reason." in refused.content.decode()
    assert client.post(url, {"version": 2, "reason": "Số F1 chưa khớp"}).status_code == 302
    submission.refresh_from_db()
    assert submission.status == "submitted"
    assert Notification.objects.filter(unit__code="00139", kind="sitreps.reopened").exists()
    page = client.get(f"/reports/submissions/{submission.pk}/").content.decode()
    assert "Số F1 chưa khớp" in page


@pytest.mark.django_db
def test_a_report_outside_jurisdiction_is_404_and_without_the_perm_403(
    client, ward_officer_bo_de, ward_officer_phuc_xa, health_worker_bo_de, unit
):
    submission = submit_as(ward_officer_bo_de, unit, "00139")
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/reports/submissions/{submission.pk}/").status_code == 404
    client.force_login(health_worker_bo_de)
    assert client.get(f"/reports/submissions/{submission.pk}/").status_code == 403


# Timeliness, the slot table, charts ---------------------------------------------------------------


@pytest.fixture
def long_bien_day(long_bien_ward_officers, unit):
    """12 wards on time, 1 late, 1 missing on 08/9/2021; on-time wards report 100 + n samples."""
    wards = sorted(long_bien_ward_officers)
    for n, code in enumerate(wards[:12]):
        submit_as(long_bien_ward_officers[code], unit, code, tests_taken=100 + n, situation=f"Ổn định {n}")
    submit_as(long_bien_ward_officers[wards[12]], unit, wards[12], at=(2021, 9, 8, 17, 5))
    return wards


@pytest.mark.django_db
def test_timeliness_lists_on_time_late_and_missing_with_bounded_queries(
    client, long_bien_day, district_officer_long_bien, django_assert_max_num_queries
):
    client.force_login(district_officer_long_bien)
    with django_assert_max_num_queries(12):
        response = client.get(f"/reports/{WARD_DAILY}/timeliness/?date=2021-09-08")
    page = response.content.decode()
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', page))
    assert counts == {"expected": "14", "on_time": "12", "late": "1", "missing": "1"}
    missing = re.search(r'<ul class="units missing">(.*?)</ul>', page, re.S)
    late = re.search(r'<ul class="units late">(.*?)</ul>', page, re.S)
    assert missing and late
    assert re.findall(r'data-unit="(\d+)"', missing.group(1)) == [long_bien_day[13]]
    assert re.findall(r'data-unit="(\d+)"', late.group(1)) == [long_bien_day[12]]
    assert "17:05 08/09/2021" in late.group(1)
    assert 'id="trend"' in page and "rate-" in page


@pytest.mark.django_db
def test_the_city_narrows_timeliness_to_a_district(client, long_bien_day, city_commander):
    client.force_login(city_commander)
    page = client.get(f"/reports/{WARD_DAILY}/timeliness/?date=08/09/2021&unit=004").content.decode()
    assert re.search(r'data-count="expected">14<', page)
    assert '<option value="004" selected>' in page


@pytest.mark.django_db
def test_a_bad_date_is_a_clear_message(client, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    response = client.get(f"/reports/{WARD_DAILY}/timeliness/?date=31/02/2021")
    assert response.status_code == 422
    assert "is not a date" in response.content.decode()


@pytest.mark.django_db
def test_the_slot_table_has_each_ward_and_the_total_with_bounded_queries(
    client, long_bien_day, district_officer_long_bien, django_assert_max_num_queries
):
    client.force_login(district_officer_long_bien)
    with django_assert_max_num_queries(12):
        response = client.get(f"/reports/{WARD_DAILY}/slots/{SLOT}/")
    page = response.content.decode()
    assert len(re.findall(r'<tr data-unit="\d+">', page)) == 14
    total = re.search(r'<tr class="total" id="total-row">(.*?)</tr>', page, re.S)
    assert total
    expected = sum(100 + n for n in range(12)) + 1200
    assert f"{expected:,}" in total.group(1)
    assert "Ổn định 3" in page  # the texts, in an expandable row
    assert f"/reports/{WARD_DAILY}/slots/{SLOT}/xlsx/" in page


@pytest.mark.django_db
def test_the_city_sees_each_district_and_the_total(client, district_officer_long_bien, city_commander, unit):
    schedule = selectors.schedule_by_code("district-3x-daily")
    services.submit_report(
        by=district_officer_long_bien, schedule=schedule, unit=unit("004"),
        instance=selectors.parse_slot(schedule, "2021-09-08T18:00"), values=report(tests_taken=5000),
        clock=lambda: hanoi(2021, 9, 8, 17, 0),
    )  # fmt: skip
    client.force_login(city_commander)
    page = client.get("/reports/district-3x-daily/slots/2021-09-08T18:00/").content.decode()
    assert len(re.findall(r'<tr data-unit="\d+">', page)) == 30
    total = re.search(r'id="total-row">(.*?)</tr>', page, re.S)
    assert total and "5,000" in total.group(1)


@pytest.mark.django_db
def test_the_slot_exports_as_xlsx(client, long_bien_day, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    response = client.get(f"/reports/{WARD_DAILY}/slots/{SLOT}/xlsx/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="bao-cao-ward-daily-1630-2021-09-08-1630.xlsx"' in response["Content-Disposition"]
    assert response.content[:2] == b"PK"


@pytest.mark.django_db
def test_charts_draw_svg_with_the_numbers_beneath(client, long_bien_day, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    with time_machine.travel(hanoi(2021, 9, 9, 10, 0), tick=False):
        response = client.get(f"/reports/{WARD_DAILY}/charts/?days=7")
        bad = client.get(f"/reports/{WARD_DAILY}/charts/?days=abc")
    page = response.content.decode()
    assert page.count("<svg") == 6  # the form's main indicators
    assert "<script" not in page.split('id="main"')[1]
    assert re.search(r"<th scope=\"row\">08/09</th>", page)
    assert bad.status_code == 422 and "Choose between 1 and 92 days." in bad.content.decode()


# The desk and urgent reports ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_desk_shows_what_to_report_and_what_came_in(
    client, ward_officer_bo_de, district_officer_long_bien, unit, at_three_pm
):
    client.force_login(ward_officer_bo_de)
    page = client.get("/reports/").content.decode()
    assert 'data-schedule="ward-daily-1630"' in page and "not reported yet" in page
    assert 'data-schedule="district-3x-daily"' not in page
    submit_as(ward_officer_bo_de, unit, "00139")
    client.force_login(district_officer_long_bien)
    page = client.get("/reports/").content.decode()
    today = re.search(r'id="schedule-ward-daily-1630".*?</section>', page, re.S)
    assert today and re.search(r'<td class="num" data-label="On time">1</td>', today.group(0))
    assert 'id="schedule-district-3x-daily"' in page  # Long Biên reports to the city


def desk_links(client, schedule_code):
    """The slots the desk links to for submitting on one schedule, in page order."""
    page = client.get("/reports/").content.decode()
    section = re.search(rf'id="schedule-{schedule_code}".*?</section>', page, re.S)
    assert section
    return re.findall(
        rf'href="/reports/{schedule_code}/submit/\?unit=\d+&amp;slot=([0-9T:-]+)"', section.group(0)
    )


@pytest.mark.django_db
def test_after_the_deadline_the_desk_and_submit_page_offer_the_missed_slot_late(
    client, ward_officer_bo_de, unit
):
    client.force_login(ward_officer_bo_de)
    with time_machine.travel(hanoi(2021, 9, 8, 17, 0), tick=False):
        # at 17:00 the next slot is tomorrow's, but today's 16:30 still takes a late report until 16:30 9/9
        assert desk_links(client, WARD_DAILY) == [SLOT, "2021-09-09T16:30"]
        page = client.get("/reports/").content.decode()
        missed = re.search(r'<li data-missed-unit="00139" data-slot="2021-09-08T16:30">.*?</li>', page, re.S)
        assert missed and 'data-state="late"' in missed.group(0) and "16:30 09/09/2021" in missed.group(0)
        form = client.get(SUBMIT).content.decode()
        assert f'data-slot="{SLOT}"' in form and 'data-state="late"' in form
        assert "the report will be received and marked late" in form
        response = client.post(SUBMIT, form_data(token="late-1", slot=SLOT))
        assert response.status_code == 302
        assert not Submission.objects.get(slot_at=hanoi(2021, 9, 8, 16, 30)).on_time
        # once filed, the desk and the page move on to tomorrow's slot
        assert desk_links(client, WARD_DAILY) == ["2021-09-09T16:30"]
        assert 'data-slot="2021-09-09T16:30"' in client.get(SUBMIT).content.decode()
    with time_machine.travel(hanoi(2021, 9, 9, 16, 31), tick=False):
        # a day on, the 9/9 slot is the one missed, ahead of the 10/9 one
        assert desk_links(client, WARD_DAILY) == ["2021-09-09T16:30", "2021-09-10T16:30"]


@pytest.mark.django_db
def test_the_districts_missed_slots_come_before_one_not_open_yet(client, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    url = "/reports/district-3x-daily/submit/"
    with time_machine.travel(hanoi(2021, 9, 8, 13, 0), tick=False):
        # the 18:00 slot is open: it is the page's; the missed 06:00 and 12:00 are listed, late, first
        assert desk_links(client, "district-3x-daily") == [
            "2021-09-08T06:00", "2021-09-08T12:00", "2021-09-08T18:00",
        ]  # fmt: skip
        assert 'data-slot="2021-09-08T18:00"' in client.get(url).content.decode()
    with time_machine.travel(hanoi(2021, 9, 8, 19, 0), tick=False):
        # 06:00 locked at 18:00; tomorrow's 06:00 opens at midnight: the page offers 12:00, late
        assert desk_links(client, "district-3x-daily") == [
            "2021-09-08T12:00", "2021-09-08T18:00", "2021-09-09T06:00",
        ]  # fmt: skip
        page = client.get(url).content.decode()
        assert 'data-slot="2021-09-08T12:00"' in page and 'data-state="late"' in page


@pytest.mark.django_db
def test_an_urgent_report_goes_once_and_the_district_acknowledges_it(
    client, ward_officer_bo_de, district_officer_long_bien
):
    client.force_login(ward_officer_bo_de)
    data = {"token": "u-1", "severity": "critical", "subject": "Ổ dịch mới", "body": "12 ca tại chợ"}
    first = client.post("/reports/urgent/new/", data)
    again = client.post("/reports/urgent/new/", data)
    report_ = UrgentReport.objects.get()
    assert first["Location"] == again["Location"] == f"/reports/urgent/{report_.pk}/"
    assert client.post(f"/reports/urgent/{report_.pk}/acknowledge/").status_code == 403
    client.force_login(district_officer_long_bien)
    assert "Ổ dịch mới" in client.get("/reports/urgent/").content.decode()
    client.post(f"/reports/urgent/{report_.pk}/acknowledge/")
    report_.refresh_from_db()
    assert report_.acknowledged_by == district_officer_long_bien


@pytest.mark.django_db
def test_an_urgent_report_without_subject_says_so_beside_the_field(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    response = client.post(
        "/reports/urgent/new/", {"token": "u", "severity": "high", "subject": "", "body": "x"}
    )
    assert response.status_code == 422
    assert "Say in a few words what happened." in response.content.decode()
    assert UrgentReport.objects.count() == 0


@pytest.mark.django_db
def test_the_pages_speak_vietnamese_first(vietnamese_client, ward_officer_bo_de, at_three_pm):
    vietnamese_client.force_login(ward_officer_bo_de)
    page = vietnamese_client.get(SUBMIT).content.decode()
    assert "<legend>Xét nghiệm</legend>" in page and "Mẫu xét nghiệm đã lấy" in page
