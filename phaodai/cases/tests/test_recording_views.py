"""The page where a ward (or its district) starts keeping its cases here."""

from datetime import date
from typing import Any

import pytest

from phaodai.cases import recording
from phaodai.cases.models import CaseRecording
from phaodai.cases.tests.conftest import at
from phaodai.core.clock import hanoi

pytestmark = pytest.mark.django_db


def test_the_page_lists_the_officers_wards_with_the_form_or_the_first_day(
    client: Any, district_officer_long_bien: Any, unit: Any
) -> None:
    recording.start_recording(
        by=district_officer_long_bien, ward=unit("00133"), since=date(2021, 9, 1), clock=at(hanoi(2021, 9, 1))
    )
    client.force_login(district_officer_long_bien)
    page = client.get("/cases/recording/")
    assert page.status_code == 200
    rows = {row["ward"].code: row for row in page.context["rows"]}
    assert "00139" in rows and "00001" not in rows  # Long Biên's wards only
    assert rows["00133"]["recording"].since == date(2021, 9, 1) and rows["00133"]["form"] is None
    assert rows["00139"]["recording"] is None and rows["00139"]["form"] is not None
    assert "01/09/2021" in page.content.decode()


def test_a_ward_officer_starts_recording_from_the_page(client: Any, ward_officer_bo_de: Any) -> None:
    client.force_login(ward_officer_bo_de)
    page = client.get("/cases/recording/")
    assert [row["ward"].code for row in page.context["rows"]] == ["00139"]
    answer = client.post("/cases/recording/00139/start/", {"00139-since": "01/09/2021"})
    assert answer.status_code == 302
    assert CaseRecording.objects.get().since == date(2021, 9, 1)
    again = client.post("/cases/recording/00139/start/", {"00139-since": "2021-09-01"})
    assert again.status_code == 302 and CaseRecording.objects.count() == 1


def test_refusals_show_beside_the_day(client: Any, ward_officer_bo_de: Any) -> None:
    client.force_login(ward_officer_bo_de)
    bad = client.post("/cases/recording/00139/start/", {"00139-since": "31/12/9999"})
    assert bad.status_code == 422
    assert bad.context["rows"][0]["form"].errors["since"]
    client.post("/cases/recording/00139/start/", {"00139-since": "01/09/2021"})
    other_day = client.post("/cases/recording/00139/start/", {"00139-since": "02/09/2021"})
    assert other_day.status_code == 409
    assert "01/09/2021" in other_day.context["rows"][0]["form"].errors["since"][0]


def test_outside_the_officers_units_404_and_without_tracing_403(
    client: Any, ward_officer_phuc_xa: Any, welfare_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_phuc_xa)
    assert client.post("/cases/recording/00139/start/", {"00139-since": "01/09/2021"}).status_code == 404
    assert client.post("/cases/recording/00004/start/", {"00004-since": "01/09/2021"}).status_code == 404
    client.force_login(welfare_officer_bo_de)
    assert client.get("/cases/recording/").status_code == 403
    assert not CaseRecording.objects.exists()
