"""The public regime look-up served from memory answers exactly as the database path does."""

import json
from typing import Any

import pytest

from phaodai.demo.scenarios import hanoi_2021_autumn
from phaodai.portal.answer_cache import DIRECTORY
from phaodai.territory.rules import AreaRow
from phaodai.territory.services import bulk_create_areas

pytestmark = pytest.mark.django_db

INSTANTS = [
    "2021-07-24T05:59:00+07:00",  # before anything: nothing in force
    "2021-07-24T06:00:00+07:00",  # 17/CT-UBND, city-wide
    "2021-09-09T05:59:00+07:00",  # still 17/CT-UBND
    "2021-09-09T06:00:00+07:00",  # the district's decision
    "2021-09-10",  # a date alone: 12:00
]


def regime_of(client: Any, code: str, at: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/public/areas/{code}/regime", {"at": at})
    assert response.status_code == 200
    return json.loads(response.content)


def test_memory_and_database_give_the_same_answers(client, bo_de_areas, monkeypatch) -> None:
    codes = [area.code for area in bo_de_areas]
    remembered = {(c, at): regime_of(client, c, at) for c in codes for at in INSTANTS}
    monkeypatch.setattr(DIRECTORY, "answer", lambda *args, **kwargs: None)  # force the database path
    for (code, at), body in remembered.items():
        assert regime_of(client, code, at) == body, (code, at)


def test_once_loaded_a_look_up_needs_no_query(client, bo_de_areas, django_assert_num_queries) -> None:
    code = bo_de_areas[0].code
    regime_of(client, code, "2021-09-10")  # loads the directory and the answer body
    with django_assert_num_queries(0):
        again = regime_of(client, code, "2021-09-11T08:00:00+07:00")
    assert again["at"] == "2021-09-11T08:00:00+07:00"
    assert again["decision"]["issued_by"]


def test_the_answer_switches_at_six_from_memory(client, bo_de_areas) -> None:
    code = bo_de_areas[0].code
    regime_of(client, code, "2021-09-10")
    before = regime_of(client, code, "2021-09-09T05:59:00+07:00")
    after = regime_of(client, code, "2021-09-09T06:00:00+07:00")
    assert before["regime"]["code"] == "CT17-HN" and before["level"] is None
    assert after["level"] in {"KV1", "KV2", "KV3"}


def test_a_new_decision_is_seen_within_a_second(client, bo_de_areas, monkeypatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(DIRECTORY, "_clock", lambda: now[0])
    code = bo_de_areas[0].code
    assert regime_of(client, code, "2021-10-01")["regime"]["code"] != "CT22-HN"
    hanoi_2021_autumn(write=lambda _line: None)  # 22/CT-UBND from 06:00 21/9, superseding the areas
    now[0] += 0.5  # within the second, the process still trusts what it loaded
    assert regime_of(client, code, "2021-10-01")["regime"]["code"] != "CT22-HN"
    now[0] += 0.6  # then it sees the newer decision and reloads the assignments
    assert regime_of(client, code, "2021-10-01")["regime"]["code"] == "CT22-HN"
    assert regime_of(client, code, "2021-09-21T05:59:00+07:00")["regime"]["code"] != "CT22-HN"


def test_an_area_created_after_loading_is_answered_from_the_database(client, bo_de_areas, unit) -> None:
    regime_of(client, bo_de_areas[0].code, "2021-09-10")
    bulk_create_areas(ward=unit("00139"), rows=[AreaRow("MOI01", "Khu mới", "to_dan_pho", 100, 30)])
    body = regime_of(client, "00139-MOI01", "2021-09-10")
    assert body["area"] == "00139-MOI01" and body["regime"]["code"] == "CT17-HN"


def test_unknown_areas_are_404(client, bo_de_areas) -> None:
    regime_of(client, bo_de_areas[0].code, "2021-09-10")
    assert client.get("/api/v1/public/areas/00139-NOPE/regime").status_code == 404


def test_languages_are_kept_apart(client, bo_de_areas) -> None:
    code = bo_de_areas[0].code
    english = regime_of(client, code, "2021-09-10")
    client.cookies["django_language"] = "vi"
    vietnamese = regime_of(client, code, "2021-09-10")
    assert english["activities"][0]["name"] != vietnamese["activities"][0]["name"]
