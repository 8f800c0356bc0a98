"""The public pages, on the Long Biên scenario of September 2021."""

import re

import pytest
from django.utils import translation
from django.utils.html import escape

from phaodai.core.clock import hanoi
from phaodai.demo.scenarios import BO_DE
from phaodai.portal import rulebook
from phaodai.portal.tests import helpers
from phaodai.portal.words import describe_rule_conditions
from phaodai.zoning import selectors as zoning


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def activity_row(response, code: str) -> str:
    match = re.search(rf'<li id="activity-{code}".*?</li>\s*(?=<li id="activity-|</ul>)', text(response))
    assert match, f"no row for {code}"
    return match.group(0)


# The search ------------------------------------------------------------------------------------


def test_the_portal_offers_a_search_a_date_and_quick_dates(client, scenario):
    response = client.get("/public/")

    assert response.status_code == 200
    page = text(response)
    assert 'name="q"' in page and 'type="date"' in page and 'type="time"' in page
    assert "at=2021-09-10" in page


def test_a_search_without_diacritics_finds_the_ward_and_keeps_the_date(client, scenario):
    response = client.get("/public/", {"q": "bo de", "at": "2021-09-10"})

    page = text(response)
    assert "Phường Bồ Đề" in page
    assert f'href="/public/units/{BO_DE}/?at=2021-09-10T12:00"' in page


def test_the_search_answers_htmx_with_the_results_alone(client, scenario):
    response = client.get("/public/", {"q": "bo de"}, headers={"HX-Request": "true"})

    assert "<html" not in response.content.decode()
    assert "Phường Bồ Đề" in text(response)


def test_a_search_that_finds_nothing_says_so(client, scenario):
    assert "No area, ward or district matches" in text(client.get("/public/", {"q": "zzzz"}))


# An area -----------------------------------------------------------------------------------------


def test_an_area_page_shows_the_level_regime_since_decision_and_every_activity(client, scenario):
    area = helpers.area(scenario.changed_area)
    placement = helpers.placement(area, hanoi(2021, 9, 10, 12))

    response = client.get(f"/public/areas/{area.code}/", {"at": "2021-09-10"})

    assert response.status_code == 200
    page = text(response)
    assert area.name in page and "Phường Bồ Đề" in page
    assert placement.level.name_en in page
    assert helpers.regime("CT17-HN").name_en in page
    assert "06:00 09/09/2021" in page
    assert placement.decision.number in page and "Quận Long Biên" in page
    assert placement.assignment.reason in page
    for activity in zoning.activities():
        assert f'id="activity-{activity.code}"' in page
    assert "Not allowed" in activity_row(response, "dine_in")


def test_conditions_are_written_in_words_and_rules_to_verify_are_flagged(client, scenario):
    response = client.get(f"/public/areas/{scenario.ward_changed_area}/", {"at": "2021-09-10"})  # CT15+
    rules = rulebook.rulebook(helpers.regime("CT15+")).rules

    with_conditions = next(r for r in rules if r.rule.conditions)
    flagged = next(r for r in rules if r.rule.to_verify)
    plain = next(r for r in rules if not r.rule.to_verify and not helpers.regime(r.regime_code).to_verify)
    row = activity_row(response, with_conditions.activity.code)
    assert '<ul class="conditions">' in row
    for phrase in describe_rule_conditions(with_conditions.rule.conditions):
        assert f"<li>{escape(phrase)}</li>" in row
    assert "to verify" in activity_row(response, flagged.activity.code)
    assert "to verify" not in activity_row(response, plain.activity.code)


def test_the_date_and_time_picker_chooses_the_instant(client, scenario):
    before = client.get(f"/public/areas/{scenario.changed_area}/", {"date": "2021-09-09", "time": "05:59"})
    after = client.get(f"/public/areas/{scenario.changed_area}/", {"date": "2021-09-09", "time": "06:00"})
    area = helpers.area(scenario.changed_area)

    assert "17/CT-UBND" in text(before)
    kv1 = helpers.placement(area, hanoi(2021, 9, 9, 6)).level.name_en
    assert kv1 not in text(before)
    assert kv1 in text(after)


def test_a_bad_date_is_refused_beside_the_picker(client, scenario):
    for params in ({"at": "yesterday"}, {"date": "2021-02-30"}, {"date": "2021-09-10", "time": "25:00"}):
        response = client.get(f"/public/areas/{scenario.changed_area}/", params)
        assert response.status_code == 400, params
        assert 'id="moment-error"' in text(response)
        assert 'id="activity-dine_in"' not in text(response)


def test_unknown_places_are_404(client, scenario):
    assert client.get("/public/areas/00139-NOPE/").status_code == 404
    assert client.get("/public/units/99999/").status_code == 404
    assert client.get("/public/regimes/NOPE/").status_code == 404
    assert client.get("/public/criteria/NOPE/").status_code == 404
    assert client.get("/public/decisions/999999/").status_code == 404


def test_an_area_page_reads_a_bounded_number_of_queries(client, scenario, django_assert_max_num_queries):
    client.get(f"/public/areas/{scenario.changed_area}/", {"at": "2021-09-10"})
    with django_assert_max_num_queries(
        4
    ):  # area, ancestors, placement (+ the session's language cookie: none)
        client.get(f"/public/areas/{scenario.changed_area}/", {"at": "2021-09-10"})


# Units -------------------------------------------------------------------------------------------


def test_a_ward_page_lists_its_areas_with_their_levels(client, scenario, bo_de_areas):
    response = client.get(f"/public/units/{BO_DE}/", {"at": "2021-09-10"})

    page = text(response)
    for area in bo_de_areas:
        assert f'href="/public/areas/{area.code}/?at=2021-09-10T12:00"' in page
    children = response.context["children"]
    assert {placed.level_code for _area, placed in children} == {"KV1", "KV2", "KV3"}
    assert sum(n for _placed, n in response.context["counts"]) == len(bo_de_areas)


def test_a_district_page_shows_each_ward_at_its_riskiest_level(client, scenario):
    response = client.get("/public/units/004/", {"at": "2021-09-10"})

    children = dict((unit.code, placed) for unit, placed in response.context["children"])
    assert len(children) == 14
    assert children[BO_DE].level_code == "KV1"  # Bồ Đề has a KV1 area
    assert "Phường Bồ Đề" in text(response)


def test_the_city_page_and_a_district_without_areas(client, scenario):
    city = client.get("/public/units/01/", {"at": "2021-09-10"})
    ba_dinh = client.get("/public/units/001/", {"at": "2021-09-10"})

    assert len(city.context["children"]) == 30
    assert "Quận Long Biên" in text(city)
    # no areas in Ba Đình in the scenario: each ward shows its own placement, the city's 17/CT-UBND
    assert {placed.regime_code for _unit, placed in ba_dinh.context["children"]} == {"CT17-HN"}


def test_a_unit_page_reads_a_bounded_number_of_queries(client, scenario, django_assert_max_num_queries):
    client.get("/public/units/004/", {"at": "2021-09-10"})
    with django_assert_max_num_queries(7):
        client.get("/public/units/004/", {"at": "2021-09-10"})


# Criteria, decisions, regimes ----------------------------------------------------------------------


def test_criteria_tables_are_listed_and_shown_with_levels_rows_and_modifiers(client, scenario):
    listing = text(client.get("/public/criteria/"))
    table = client.get("/public/criteria/NQ128-4800/")

    assert "LB-2021-09" in listing and "NQ128-4800" in listing
    page = text(table)
    for code in ("C4", "C3", "C2", "C1"):
        assert f'id="level-{code}"' in page
    assert "C4-2" in page and "Any of" in page
    assert "cannot go down" in page
    assert 'name="cases_per_100k_7d"' in page


def test_the_dry_run_shows_the_level_and_the_matched_row(client, scenario):
    url = "/public/criteria/LB-2021-09/evaluate/"
    htmx = client.post(url, {"lockdown_active": "true"}, headers={"HX-Request": "true"})
    plain = client.post(url, {"community_cases_14d": "2"})
    bad = client.post(url, {"community_cases_14d": "two"}, headers={"HX-Request": "true"})

    assert htmx.status_code == 200
    assert "<html" not in htmx.content.decode()
    assert "KV1-1" in text(htmx) and 'id="dry-run-level"' in text(htmx)
    assert plain.status_code == 200 and "KV2-1" in text(plain) and "<html" in plain.content.decode()
    assert bad.status_code == 422 and "community_cases_14d" in text(bad)
    assert client.get(url).status_code == 405


def test_decisions_list_and_a_decision_with_its_assignments(client, scenario):
    listing = client.get("/public/decisions/")
    area = helpers.area(scenario.changed_area)
    decision = helpers.placement(area, listing.context["decisions"][0].effective_at).decision
    detail = text(client.get(f"/public/decisions/{decision.pk}/"))

    assert "17/CT-UBND" in text(listing)
    assert decision.number in detail and area.name in detail
    assert helpers.placement(area, decision.effective_at).assignment.reason in detail
    assert client.get("/public/decisions/", {"before": "x"}).status_code == 400


@pytest.mark.parametrize("before", ["x", "²", "9" * 5000, "-1"])
def test_a_decisions_page_after_a_broken_id_is_a_bad_request(client, scenario, before):
    assert client.get("/public/decisions/", {"before": before}).status_code == 400


@pytest.mark.parametrize("version", ["x", "²", "9" * 5000])
def test_a_criteria_table_with_a_broken_version_shows_the_latest(client, scenario, version):
    response = client.get("/public/criteria/LB-2021-09/", {"version": version})
    assert response.status_code == 200
    assert response.context["view"].table == zoning.published_table("LB-2021-09")


def test_regimes_and_a_regime_with_inherited_rules(client, scenario):
    listing = text(client.get("/public/regimes/"))
    plus = client.get("/public/regimes/CT15+/")

    assert helpers.regime("CT15+").short_name_en in listing
    assert "from CT15" in text(plus)
    assert len(re.findall(r'<li id="activity-', text(plus))) == zoning.activities().count()


# The map -----------------------------------------------------------------------------------------


def test_the_map_has_a_tile_for_every_ward_grouped_by_district(
    client, scenario, django_assert_max_num_queries
):
    client.get("/public/map/", {"at": "2021-09-10"})
    with django_assert_max_num_queries(7):
        response = client.get("/public/map/", {"at": "2021-09-10"})

    page = text(response)
    tiles = re.findall(
        r'<a class="wtile" href="([^"]+)" style="[^"]+" title="([^"]+)" aria-label="([^"]+)"', page
    )
    assert len(tiles) == 579
    assert len(response.context["map"].blocks) == 30
    bo_de = next(t for t in tiles if t[0].startswith(f"/public/units/{BO_DE}/"))
    kv1 = helpers.level("LB-2021-09", "KV1")
    assert bo_de[2] == f"Bồ Đề: {kv1.name_en}"
    assert bo_de[0].endswith("?at=2021-09-10T12:00")
    assert 'id="legend"' in page and kv1.name_en in page


def test_before_the_decision_every_ward_shows_the_city_directive(client, scenario):
    response = client.get("/public/map/", {"at": "2021-09-01"})

    legend = response.context["map"].legend
    assert [(entry.mark.key, entry.count) for entry in legend] == [("CT17-HN", 579)]


# Language ----------------------------------------------------------------------------------------


def test_pages_are_vietnamese_first(vietnamese_client, scenario):
    response = vietnamese_client.get(f"/public/areas/{scenario.changed_area}/", {"at": "2021-09-10"})

    page = text(response)
    assert '<html lang="vi">' in page
    with translation.override("vi"):
        forbidden = translation.gettext("Not allowed")
    assert forbidden in activity_row(response, "dine_in")
    assert helpers.regime("CT17-HN").name in page
