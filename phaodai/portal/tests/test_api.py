"""The public API's contract, on the Long Biên scenario of September 2021."""

import time_machine

from phaodai.core.clock import hanoi
from phaodai.demo.scenarios import BO_DE
from phaodai.portal import rulebook
from phaodai.portal.schemas import AreaRegimeOut, UnitRegimeOut
from phaodai.portal.tests import helpers
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning

AREA_KEYS = {
    "area", "area_name", "unit_path", "ward", "at", "level", "level_name", "colour", "regime", "since",
    "until", "decision", "reason", "activities", "message",
}  # fmt: skip
ACTIVITY_KEYS = {
    "code", "name", "group", "status", "conditions", "conditions_text", "note", "to_verify", "basis",
    "from_regime",
}  # fmt: skip


def regime_of(client, code, at=None, kind="areas"):
    query = f"?at={at}" if at else ""
    return client.get(f"/api/v1/public/{kind}/{code}/regime{query}")


# Areas -----------------------------------------------------------------------------------------


def test_an_area_answers_its_level_regime_decision_and_every_activity(client, scenario):
    response = regime_of(client, scenario.changed_area, "2021-09-10T12:00:00+07:00")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == AREA_KEYS
    assert body["area"] == scenario.changed_area
    assert body["unit_path"] == "/01/004/00139/"
    assert body["ward"]["code"] == BO_DE
    assert (body["level"], body["regime"]["code"]) == ("KV1", "CT17-HN")
    assert body["level_name"] and body["colour"].startswith("#")
    assert body["since"] == "2021-09-09T06:00:00+07:00"
    assert body["decision"]["issued_by"] == "Quận Long Biên"
    assert body["decision"]["number"].endswith("/QĐ-UBND")
    assert body["reason"]  # the district raised this area, with its reason
    assert body["message"] is None
    activities = {a["code"]: a for a in body["activities"]}
    assert len(activities) == zoning.activities().count()
    for activity in activities.values():
        assert set(activity) == ACTIVITY_KEYS
        assert activity["status"] in {"allowed", "conditional", "forbidden"}
        assert activity["basis"]
    assert activities["dine_in"]["status"] == "forbidden"


def test_the_hot_look_ups_answer_what_their_documented_schema_says(client, scenario):
    # They skip ninja's output validation for speed: check the schema in the OpenAPI still holds.
    area = regime_of(client, scenario.changed_area, "2021-09-10").json()
    unit = regime_of(client, BO_DE, "2021-09-10", kind="units").json()
    nothing = regime_of(client, scenario.changed_area, "2021-07-01").json()

    assert AreaRegimeOut.model_validate(area).model_dump(mode="json") == area
    assert UnitRegimeOut.model_validate(unit).model_dump(mode="json") == unit
    assert AreaRegimeOut.model_validate(nothing).model_dump(mode="json") == nothing


def test_each_rule_carries_the_basis_of_the_regime_it_comes_from(client, scenario):
    area = scenario.ward_changed_area  # raised to KV2: CT15+, which extends CT15
    body = regime_of(client, area, "2021-09-10").json()

    assert body["regime"]["code"] == "CT15+"
    bases = {r.code: r.basis_en for r in zoning.regimes()}
    sources = {a["from_regime"] for a in body["activities"]}
    assert sources == {"CT15", "CT15+"}
    for activity in body["activities"]:
        assert activity["basis"] == bases[activity["from_regime"]]


def test_structured_conditions_come_with_their_words(client, scenario):
    body = regime_of(client, scenario.changed_area, "2021-09-10").json()

    conditional = [a for a in body["activities"] if a["conditions"]]
    assert conditional
    for activity in conditional:
        assert len(activity["conditions_text"]) >= 1


def test_the_regime_switches_at_six_on_the_effective_day(client, scenario):
    before = regime_of(client, scenario.changed_area, "2021-09-09T05:59").json()
    after = regime_of(client, scenario.changed_area, "2021-09-09T06:00").json()

    # a city-wide directive has no level: the level name is the regime's short name
    assert (before["level"], before["regime"]["code"], before["decision"]["number"]) == (
        None,
        "CT17-HN",
        "17/CT-UBND",
    )
    assert before["level_name"] == helpers.regime("CT17-HN").short_name_en
    assert after["level"] == "KV1"


def test_at_reads_offsets_naive_times_and_dates(client, scenario):
    area = scenario.changed_area
    # 05:59 in Hà Nội, written in UTC
    assert regime_of(client, area, "2021-09-08T22:59:00Z").json()["level"] is None
    assert regime_of(client, area, "2021-09-08T23:00:00Z").json()["level"] == "KV1"
    # a date alone means 12:00 Hà Nội time
    body = regime_of(client, area, "2021-09-09").json()
    assert body["at"] == "2021-09-09T12:00:00+07:00"
    assert body["level"] == "KV1"
    # an unencoded "+" of an offset arrives as a space and is still understood
    assert regime_of(client, area, "2021-09-09T06:00:00+07:00".replace("+", "%2B")).json()["level"] == "KV1"
    assert (
        client.get(f"/api/v1/public/areas/{area}/regime?at=2021-09-09T06:00:00+07:00").json()["level"]
        == "KV1"
    )


def test_at_defaults_to_now(client, scenario):
    with time_machine.travel(hanoi(2021, 9, 9, 5, 0), tick=False):
        early = regime_of(client, scenario.changed_area).json()
    with time_machine.travel(hanoi(2021, 9, 10, 8, 0), tick=False):
        later = regime_of(client, scenario.changed_area).json()

    assert early["at"] == "2021-09-09T05:00:00+07:00"
    assert early["level"] is None
    assert later["level"] == "KV1"


def test_nothing_in_force_answers_a_null_regime_and_a_message(client, scenario):
    body = regime_of(client, scenario.changed_area, "2021-07-01").json()

    assert body["regime"] is None and body["level"] is None and body["decision"] is None
    assert body["activities"] == []
    assert body["message"]


def test_an_at_that_is_not_a_date_is_refused(client, scenario):
    for bad in ("yesterday", "2021-13-01", "2021-09-10T25:00", "10/09/2021", "0001-01-01", "9" * 60):
        response = regime_of(client, scenario.changed_area, bad)
        assert response.status_code == 422, bad
        body = response.json()
        assert body["code"] == "invalid_input"
        assert body["field"] == "at"
        assert "at" in body["message"]


def test_unknown_places_answer_404(client, scenario):
    for url in ("/api/v1/public/areas/00139-NOPE/regime", "/api/v1/public/units/99999/regime"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_an_area_lookup_reads_a_bounded_number_of_queries(client, scenario, django_assert_max_num_queries):
    rulebook.forget()
    # Cold: the newest decision, the area directory and the assignments (loaded once per process),
    # then the assignment in force, the regime's ancestors and its rules.
    with django_assert_max_num_queries(9):
        regime_of(client, scenario.changed_area, "2021-09-10")
    with django_assert_max_num_queries(4):  # another regime (CT15+ extends CT15): its answer body
        regime_of(client, scenario.ward_changed_area, "2021-09-10")
    with django_assert_max_num_queries(0):  # warm: from memory
        regime_of(client, scenario.ward_changed_area, "2021-09-11")
    with django_assert_max_num_queries(0):
        regime_of(client, scenario.changed_area, "2021-09-12")


# Units -----------------------------------------------------------------------------------------


def test_a_ward_answers_its_own_placement_and_its_areas_levels(client, scenario, bo_de_areas):
    body = regime_of(client, BO_DE, "2021-09-10", kind="units").json()

    assert (body["unit"], body["unit_level"], body["unit_path"]) == (BO_DE, "ward", "/01/004/00139/")
    assert (body["level"], body["regime"]["code"]) == (None, "CT17-HN")
    placements = zoning.placements_of_areas(bo_de_areas, hanoi(2021, 9, 10, 12))
    expected: dict[str, int] = {}
    for placement in placements.values():
        code = helpers.present(helpers.present(placement).level).code
        expected[code] = expected.get(code, 0) + 1
    assert body["areas"] == expected
    assert set(body["areas"]) == {"KV1", "KV2", "KV3"}


def test_the_district_and_the_city_count_every_area_below_them(client, scenario):
    district = regime_of(client, "004", "2021-09-10", kind="units").json()
    city = regime_of(client, "01", "2021-09-10", kind="units").json()
    before = regime_of(client, "004", "2021-09-08", kind="units").json()

    total = territory.areas_within(helpers.unit("004")).count()
    assert sum(district["areas"].values()) == total
    assert city["areas"] == district["areas"]  # only Long Biên has areas in the scenario
    assert before["areas"] == {"CT17-HN": total}  # no level yet: keyed by the regime


def test_a_unit_lookup_reads_a_bounded_number_of_queries(client, scenario, django_assert_max_num_queries):
    regime_of(client, "004", "2021-09-10", kind="units")
    with django_assert_max_num_queries(4):  # unit, placement, assignments below, areas
        regime_of(client, "004", "2021-09-10", kind="units")


def test_places_are_found_without_diacritics(client, scenario):
    found = client.get("/api/v1/public/places?q=bo de").json()

    assert {
        "kind": "unit",
        "code": BO_DE,
        "name": "Phường Bồ Đề",
        "level": "ward",
        "within": "Quận Long Biên",
    } in found
    assert client.get("/api/v1/public/places?q=b").json() == []


# Criteria tables -----------------------------------------------------------------------------


def test_published_tables_are_listed_with_their_levels_and_rows(client, scenario):
    tables = client.get("/api/v1/public/criteria/").json()
    detail = client.get("/api/v1/public/criteria/NQ128-4800").json()

    assert {t["code"] for t in tables} >= {"LB-2021-09", "NQ128-4800"}
    assert [lv["code"] for lv in detail["levels"]] == ["C4", "C3", "C2", "C1"]
    assert detail["levels"][0]["regime"]["code"] == "NQ128-C4"
    assert detail["default_level"] == "C1"
    first = detail["rows"][0]
    assert first["label"] == "C4-1"
    assert first["logic"] == {"and": [{">=": [{"var": "cases_per_100k_7d"}, 150]}]}
    assert first["conditions"][0]["text"].endswith("≥ 150")
    assert detail["modifiers"] == [{"kind": "no_downgrade_unless", "indicator": "treatment_capacity_met"}]
    assert detail["modifiers_text"]
    assert detail["compiled"]["code"] == "NQ128-4800"
    assert client.get("/api/v1/public/criteria/NOPE").status_code == 404


def evaluate(client, code, indicators, **extra):
    return client.post(
        f"/api/v1/public/criteria/{code}/evaluate",
        {"indicators": indicators, **extra},
        content_type="application/json",
    )


def test_a_dry_run_gives_the_level_the_matched_row_and_the_values(client, scenario):
    body = evaluate(client, "NQ128-4800", {"cases_per_100k_7d": 60, "first_dose_18plus_pct": 65}).json()

    assert (body["level"], body["matched_row"]) == ("C4", "C4-2")
    assert body["values"] == {"cases_per_100k_7d": 60, "first_dose_18plus_pct": 65}
    assert body["level_name"].startswith("Level 4")

    lockdown = evaluate(client, "LB-2021-09", {"lockdown_active": "yes"}).json()
    assert (lockdown["level"], lockdown["matched_row"]) == ("KV1", "KV1-1")


def test_a_dry_run_without_values_gives_the_lowest_level_and_says_what_is_missing(client, scenario):
    body = evaluate(client, "LB-2021-09", {"community_cases_14d": None}).json()

    assert (body["level"], body["matched_row"]) == ("KV3", None)
    assert "community_cases_14d" in body["missing"]


def test_a_modifier_holds_the_previous_level(client, scenario):
    values = {"cases_per_100k_7d": 0, "treatment_capacity_met": False}
    held = evaluate(client, "NQ128-4800", values, previous_level="C3").json()
    free = evaluate(
        client, "NQ128-4800", {**values, "treatment_capacity_met": True}, previous_level="C3"
    ).json()

    assert (held["level"], held["held_by"]) == ("C3", "no_downgrade_unless")
    assert free["level"] == "C1"


def test_a_dry_run_names_unknown_indicators_and_bad_values(client, scenario):
    unknown = evaluate(client, "LB-2021-09", {"f0_count": 3, "community_cases_7d": 1})
    bad = evaluate(client, "NQ128-4800", {"cases_per_100k_7d": "many", "first_dose_18plus_pct": 150})
    level = evaluate(client, "NQ128-4800", {}, previous_level="KV9")
    extra = evaluate(client, "NQ128-4800", {}, extra_field=1)

    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown_indicator"
    assert "f0_count" in unknown.json()["message"]
    assert bad.status_code == 422
    assert "cases_per_100k_7d" in bad.json()["message"]
    assert "first_dose_18plus_pct" in bad.json()["message"]
    assert level.status_code == 422 and "KV9" in level.json()["message"]
    assert extra.status_code == 422


def test_a_dry_run_of_an_unknown_table_or_a_broken_body_is_refused(client, scenario):
    assert evaluate(client, "NOPE", {"population": 1}).status_code == 404
    broken = client.post("/api/v1/public/criteria/LB-2021-09/evaluate", "{", content_type="application/json")
    missing = client.post("/api/v1/public/criteria/LB-2021-09/evaluate", {}, content_type="application/json")
    assert broken.status_code == 400
    assert missing.status_code == 422


def test_a_dry_run_refuses_text_the_database_could_not_hold(client, scenario):
    # the same refusal as every other API input: NUL or a lone surrogate is invalid input
    nul = evaluate(client, "LB-2021-09", {"kind": "to_dan_pho\u0000"})
    surrogate = evaluate(client, "LB-2021-09", {}, previous_level="KV\ud8001")
    assert (nul.status_code, nul.json()["code"]) == (422, "invalid_input")
    assert (surrogate.status_code, surrogate.json()["code"]) == (422, "invalid_input")


# Decisions and regimes ---------------------------------------------------------------------------


def test_decisions_page_by_keyset(client, scenario):
    everything = client.get("/api/v1/public/decisions/?limit=100").json()
    first = client.get("/api/v1/public/decisions/?limit=5").json()
    second = client.get(f"/api/v1/public/decisions/?limit=5&before={first[-1]['id']}").json()

    assert len(everything) == 15  # 17/CT-UBND and the 14 wards' decisions
    assert [d["id"] for d in first + second] == [d["id"] for d in everything[:10]]
    assert everything[-1]["number"] == "17/CT-UBND"
    assert client.get("/api/v1/public/decisions/?before=999999").status_code == 404
    assert client.get("/api/v1/public/decisions/?limit=0").status_code == 422


def test_a_decision_lists_what_it_assigned(client, scenario):
    area = helpers.area(scenario.changed_area)
    decision = helpers.placement(area, hanoi(2021, 9, 10)).decision
    body = client.get(f"/api/v1/public/decisions/{decision.pk}").json()

    assert body["number"] == decision.number
    assert body["effective_at"] == "2021-09-09T06:00:00+07:00"
    mine = next(a for a in body["assignments"] if a["code"] == scenario.changed_area)
    assert (mine["kind"], mine["level"], mine["regime"]) == ("area", "KV1", "CT17-HN")
    assert mine["reason"]
    assert client.get("/api/v1/public/decisions/999999").status_code == 404


def test_regimes_list_and_one_regime_with_its_inherited_rules(client, scenario):
    regimes = client.get("/api/v1/public/regimes/").json()
    plus = client.get("/api/v1/public/regimes/CT15+").json()

    assert {"CT16", "CT17-HN", "CT15", "CT15+", "CT19", "CT22-HN"} <= {r["code"] for r in regimes}
    assert plus["extends"] == "CT15"
    assert {r["from_regime"] for r in plus["rules"]} == {"CT15", "CT15+"}
    assert client.get("/api/v1/public/regimes/NOPE").status_code == 404


def test_the_public_api_needs_no_sign_in_and_ignores_a_bad_token(client, scenario):
    response = client.get(
        f"/api/v1/public/areas/{scenario.changed_area}/regime", headers={"authorization": "Bearer nonsense"}
    )
    assert response.status_code == 200
