"""The shipped measure catalogue (data/catalogue.json) is well formed and says what POLICY.md says.

Plain data checks: no database, no Django. The loader (zoning.reference) trusts this file.
"""

import json
import re
import unicodedata
from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "catalogue.json"

GROUPS = {"food", "trade", "services", "gatherings", "work", "transport", "education", "movement", "leisure"}
STATUSES = {"allowed", "conditional", "forbidden"}
CONDITION_KINDS = {
    "max_people": "count",
    "capacity_pct": "percent",
    "onsite_staff_pct": "percent",
    "opens_at": "time",
    "closes_at": "time",
    "takeaway_only": "flag",
    "requires_vaccination": "flag",
    "requires_negative_test_hours": "count",
    "distance_m": "number",
    "health_declaration": "flag",
    "essential_only": "flag",
    "permit_required": "flag",
}
RULE_KEYS = {"status", "conditions", "note", "note_en", "to_verify"}
REGIME_TEXTS = (
    "name",
    "name_en",
    "short_name",
    "short_name_en",
    "basis",
    "basis_en",
    "summary",
    "summary_en",
)
REGIME_ORDER = [
    "CT16",
    "CT17-HN",
    "CT15",
    "CT15+",
    "CT19",
    "CT22-HN",
    "NQ128-C1",
    "NQ128-C2",
    "NQ128-C3",
    "NQ128-C4",
]
REQUIRED_ACTIVITIES = {
    "dine_in", "takeaway_food", "local_market", "supermarket", "essential_shops", "non_essential_retail",
    "hairdresser", "nightlife", "gym_sports", "religious_gathering", "wedding", "funeral", "public_gathering",
    "meetings_events", "office", "factory", "construction", "public_transport", "taxi", "shipper",
    "goods_transport", "school", "outdoor_exercise", "leaving_home", "inter_area_travel",
}  # fmt: skip
# Column widths of zoning.models (Activity, Regime), so the loader never truncates.
MAX_LENGTHS = {"code": 20, "name": 200, "name_en": 200, "short_name": 60, "short_name_en": 60, "basis": 300}
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@pytest.fixture(scope="module")
def catalogue():
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def regimes(catalogue):
    return {regime["code"]: regime for regime in catalogue["regimes"]}


@pytest.fixture(scope="module")
def resolved(catalogue, regimes):
    """Every regime's rules after `extends`, the parent's rules overridden by the child's."""

    def chain(code):
        parent = regimes[code]["extends"]
        return ([*chain(parent)] if parent else []) + [regimes[code]["rules"]]

    out = {}
    for code in regimes:
        rules = {}
        for level in chain(code):
            rules.update(level)
        out[code] = rules
    return out


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_the_file_is_utf8_json_with_a_version(catalogue):
    assert catalogue["version"] == "2021-09"
    assert set(catalogue) == {"version", "activities", "regimes"}


def test_every_string_is_nfc_normalised(catalogue):
    offenders = [s for s in _strings(catalogue) if unicodedata.normalize("NFC", s) != s]
    assert offenders == []


def test_activities_have_unique_codes_known_groups_and_names(catalogue):
    codes = [activity["code"] for activity in catalogue["activities"]]
    assert len(codes) == len(set(codes))
    assert REQUIRED_ACTIVITIES - set(codes) == set()
    for activity in catalogue["activities"]:
        assert set(activity) == {"code", "group", "name", "name_en"}, activity["code"]
        assert re.fullmatch(r"[a-z][a-z0-9_]*", activity["code"]), activity["code"]
        assert activity["group"] in GROUPS, activity["code"]
        assert activity["name"].strip() and activity["name_en"].strip(), activity["code"]
        assert len(activity["name"]) <= 150 and len(activity["name_en"]) <= 150, activity["code"]


def test_regimes_are_the_ten_expected_in_order(catalogue):
    assert [regime["code"] for regime in catalogue["regimes"]] == REGIME_ORDER


def test_regime_texts_are_present_and_fit_the_columns(catalogue):
    for regime in catalogue["regimes"]:
        for field in REGIME_TEXTS:
            assert isinstance(regime[field], str) and regime[field].strip(), (regime["code"], field)
        for field, limit in MAX_LENGTHS.items():
            assert len(regime[field]) <= limit, (regime["code"], field)
        assert len(regime["basis_en"]) <= MAX_LENGTHS["basis"], regime["code"]
        assert isinstance(regime.get("to_verify", False), bool), regime["code"]


def test_extends_names_an_earlier_regime(catalogue):
    seen = set()
    for regime in catalogue["regimes"]:
        assert regime["extends"] is None or regime["extends"] in seen, regime["code"]
        seen.add(regime["code"])


def test_rules_name_known_activities_with_valid_status_and_conditions(catalogue):
    activities = {activity["code"] for activity in catalogue["activities"]}
    for regime in catalogue["regimes"]:
        assert regime["rules"], regime["code"]
        for activity, rule in regime["rules"].items():
            where = (regime["code"], activity)
            assert activity in activities, where
            assert set(rule) == RULE_KEYS, where
            assert rule["status"] in STATUSES, where
            assert isinstance(rule["to_verify"], bool), where
            assert isinstance(rule["note"], str) and isinstance(rule["note_en"], str), where
            assert bool(rule["note"].strip()) == bool(rule["note_en"].strip()), where
            for key, value in rule["conditions"].items():
                kind = CONDITION_KINDS.get(key)
                assert kind is not None, (*where, key)
                if kind == "flag":
                    assert value is True, (*where, key)
                elif kind == "time":
                    assert isinstance(value, str) and TIME.match(value), (*where, key)
                elif kind in ("count", "percent"):
                    assert isinstance(value, int) and not isinstance(value, bool) and value >= 1, (
                        *where,
                        key,
                    )
                    assert kind != "percent" or value <= 100, (*where, key)
                else:
                    assert isinstance(value, int | float) and not isinstance(value, bool), (*where, key)
                    assert value > 0, (*where, key)
            if "opens_at" in rule["conditions"] and "closes_at" in rule["conditions"]:
                assert rule["conditions"]["opens_at"] < rule["conditions"]["closes_at"], where
            if rule["status"] == "conditional":
                assert rule["conditions"] or rule["note"].strip(), where


def test_a_child_regime_lists_only_what_differs_from_its_parent(regimes, resolved):
    for code, regime in regimes.items():
        if regime["extends"] is None:
            continue
        parent = resolved[regime["extends"]]
        same = [activity for activity, rule in regime["rules"].items() if parent.get(activity) == rule]
        assert same == [], code


def test_after_extends_every_regime_covers_every_activity_once(catalogue, resolved):
    activities = [activity["code"] for activity in catalogue["activities"]]
    for code, rules in resolved.items():
        assert sorted(rules) == sorted(activities), code


def test_flagged_rules_are_marked_in_their_notes(resolved):
    # Inferred or unverified content must say so to the reader, not only to the interface flag.
    markers = ("suy luận", "chưa xác minh", "chưa tìm thấy", "cần đối chiếu")
    markers_en = ("inferred", "not verified", "not found", "need checking", "needs checking")
    for code, rules in resolved.items():
        for activity, rule in rules.items():
            if rule["to_verify"]:
                assert any(marker in rule["note"].lower() for marker in markers), (code, activity)
                assert any(marker in rule["note_en"].lower() for marker in markers_en), (code, activity)


# -- Facts from POLICY.md ------------------------------------------------------------------------


def test_dine_in_is_forbidden_under_16_17_15_and_15_plus(resolved):
    for code in ("CT16", "CT17-HN", "CT15", "CT15+"):
        assert resolved[code]["dine_in"]["status"] == "forbidden", code


def test_hanoi_directive_17_funerals_at_most_20(resolved):
    funeral = resolved["CT17-HN"]["funeral"]
    assert funeral["status"] == "conditional"
    assert funeral["conditions"]["max_people"] == 20
    assert funeral["to_verify"] is False
    assert resolved["CT17-HN"]["public_gathering"]["conditions"]["max_people"] == 2


def test_15_plus_shippers_work_nine_to_eight_with_a_negative_test(resolved):
    shipper = resolved["CT15+"]["shipper"]
    assert shipper["status"] == "conditional"
    assert shipper["conditions"]["opens_at"] == "09:00"
    assert shipper["conditions"]["closes_at"] == "20:00"
    assert shipper["conditions"]["requires_negative_test_hours"] >= 1
    takeaway = resolved["CT15+"]["takeaway_food"]["conditions"]
    assert takeaway["takeaway_only"] is True and takeaway["closes_at"] == "21:00"
    assert resolved["CT15+"]["office"]["conditions"]["onsite_staff_pct"] == 50
    assert resolved["CT15+"]["public_transport"]["status"] == "forbidden"


def test_hanoi_directive_22_reopens_hairdressers_not_bars(resolved):
    rules = resolved["CT22-HN"]
    assert rules["hairdresser"]["status"] in {"allowed", "conditional"}
    assert rules["nightlife"]["status"] == "forbidden"
    assert rules["meetings_events"]["conditions"]["max_people"] == 20
    assert rules["religious_gathering"]["status"] == "forbidden"
    assert rules["taxi"]["status"] == "forbidden"


def test_nq128_level_2_dine_in_half_the_seats_until_nine(resolved):
    dine_in = resolved["NQ128-C2"]["dine_in"]
    assert dine_in["status"] == "conditional"
    assert dine_in["conditions"]["capacity_pct"] == 50
    assert dine_in["conditions"]["closes_at"] == "21:00"


def test_nq128_level_3_takeaway_only_until_nine(resolved):
    rules = resolved["NQ128-C3"]
    assert rules["dine_in"]["status"] == "forbidden"
    assert rules["takeaway_food"]["status"] == "conditional"
    assert rules["takeaway_food"]["conditions"]["closes_at"] == "21:00"
    assert rules["meetings_events"]["conditions"]["max_people"] == 20
    assert rules["public_gathering"]["conditions"]["max_people"] == 10


def test_nq128_nightlife_only_at_level_1(resolved):
    assert resolved["NQ128-C1"]["nightlife"]["status"] != "forbidden"
    for code in ("NQ128-C2", "NQ128-C3", "NQ128-C4"):
        assert resolved[code]["nightlife"]["status"] == "forbidden", code


def test_nq128_keeps_production_and_goods_moving_at_every_level(resolved):
    for code in ("NQ128-C1", "NQ128-C2", "NQ128-C3", "NQ128-C4"):
        for activity in ("factory", "construction", "goods_transport"):
            assert resolved[code][activity]["status"] != "forbidden", (code, activity)


def test_level_4_is_flagged_as_resting_on_unverified_details(regimes):
    assert regimes["NQ128-C4"].get("to_verify") is True
