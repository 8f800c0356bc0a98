"""Issue #4's acceptance, through the API on both databases: a Long Biên day of reports.

12 wards report on time, 1 late, 1 not at all; the district reads exactly that; a retried submission
stays one report; the district's roll-up equals the sum of its wards; the slot's XLSX holds the numbers.
"""

import json
from io import BytesIO
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook

from phaodai.core.clock import hanoi
from phaodai.sitreps import selectors
from phaodai.sitreps.models import Submission
from phaodai.sitreps.tests.conftest import report
from phaodai.sitreps.tests.test_selectors import SUM_FIELDS, ward_values

pytestmark = pytest.mark.django_db
API = "/api/v1/sitreps"
SLOT = "2021-09-08T16:30"


def submit(client: Any, officer: Any, code: str, values: dict[str, Any], key: str) -> Any:
    client.force_login(officer)
    body = {"schedule": "ward-daily-1630", "unit": code, "slot": SLOT, "values": values}
    return client.post(
        f"{API}/submissions",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


@pytest.fixture
def day(client, long_bien_ward_officers) -> dict[str, Any]:
    """Long Biên's wards report through the API on 08/9/2021; the Bồ Đề officer's phone retries once."""
    wards = sorted(long_bien_ward_officers)
    values = {code: ward_values(n) for n, code in enumerate(wards[:13])}
    answers = {}
    for n, code in enumerate(wards[:13]):
        moment = hanoi(2021, 9, 8, 15, n) if n < 12 else hanoi(2021, 9, 8, 17, 5)
        with time_machine.travel(moment, tick=False):
            answers[code] = submit(client, long_bien_ward_officers[code], code, values[code], f"lb-{code}")
            assert answers[code].status_code == 201, answers[code].json()
    with time_machine.travel(hanoi(2021, 9, 8, 15, 30), tick=False):
        retry = submit(client, long_bien_ward_officers["00139"], "00139", values["00139"], "lb-00139")
    return {"wards": wards, "values": values, "answers": answers, "retry": retry}


def test_the_district_reads_twelve_on_time_one_late_one_missing(client, day, district_officer_long_bien):
    wards = day["wards"]
    assert day["answers"][wards[12]].json()["timeliness"] == "late"
    assert {day["answers"][code].json()["timeliness"] for code in wards[:12]} == {"on_time"}
    client.force_login(district_officer_long_bien)
    with time_machine.travel(hanoi(2021, 9, 8, 18), tick=False):
        [slot] = client.get(f"{API}/schedules/ward-daily-1630/timeliness?date=2021-09-08").json()
    assert slot == {
        "slot": "2021-09-08T16:30:00+07:00", "deadline": "2021-09-08T16:30:00+07:00", "expected": 14,
        "on_time": 12, "late": 1, "missing": 1, "missing_units": [wards[13]], "late_units": [wards[12]],
        "state": "late",
    }  # fmt: skip


def test_a_retried_submission_stays_one(day):
    assert day["retry"].status_code == 200
    assert day["retry"].json()["id"] == day["answers"]["00139"].json()["id"]
    assert Submission.objects.filter(unit__code="00139").count() == 1
    assert Submission.objects.count() == 13


def test_the_district_roll_up_equals_the_sum_of_its_wards(client, day, district_officer_long_bien):
    client.force_login(district_officer_long_bien)
    with time_machine.travel(hanoi(2021, 9, 8, 17, 45), tick=False):
        draft = client.get(f"{API}/schedules/district-3x-daily/rollup?unit=004&slot=2021-09-08T18:00").json()
        table = client.get(f"{API}/schedules/ward-daily-1630/slots/{SLOT}").json()
        for code in SUM_FIELDS:
            expected = sum(values[code] for values in day["values"].values())
            assert draft["values"][code] == table["total"][code] == expected, code
        assert draft["missing"] == [day["wards"][13]]
        # The district submits the draft upward as its own 18:00 report.
        body = {
            "schedule": "district-3x-daily",
            "unit": "004",
            "slot": "2021-09-08T18:00",
            "values": draft["values"],
        }
        sent = client.post(f"{API}/submissions", json.dumps(body), content_type="application/json")
    assert sent.status_code == 201, sent.json()
    assert sent.json()["values"]["tests_taken"] == sum(v["tests_taken"] for v in day["values"].values())


def test_the_slots_xlsx_opens_and_holds_the_numbers(day, district_officer_long_bien, unit):
    from phaodai.sitreps.exports import slot_workbook

    schedule = selectors.schedule_by_code("ward-daily-1630")
    table = selectors.slot_table(schedule, selectors.parse_slot(schedule, SLOT), district_officer_long_bien)
    book = load_workbook(BytesIO(slot_workbook(table, schedule, title_unit=unit("004").full_name)))
    numbers = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
    text = " ".join(str(cell) for cell in numbers if cell is not None)
    assert unit("00139").full_name in text and "Long Biên" in text
    totals = {code: sum(values[code] for values in day["values"].values()) for code in SUM_FIELDS}
    for code in ("tests_taken", "f1_traced", "welfare_paid"):
        assert totals[code] in numbers, code
    for values in day["values"].values():
        assert values["tests_taken"] in numbers
    assert report()["fines_amount"] in numbers
