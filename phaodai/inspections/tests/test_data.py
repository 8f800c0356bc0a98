"""The shipped violation kinds and checklists: well formed, loaded, and honest about what is unverified."""

import json
from pathlib import Path

import pytest

from phaodai.inspections import rules, selectors
from phaodai.inspections.models import TargetKind

DATA = Path(__file__).resolve().parents[1] / "data"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def test_every_kind_has_an_ordered_band_known_measures_and_a_legal_basis() -> None:
    for kind in load("violation_kinds.json")["kinds"]:
        assert 0 < kind["fine_min"] <= kind["fine_max"], kind["code"]
        assert set(kind["measures"]) <= set(rules.MEASURES), kind["code"]
        assert set(kind["measures"]) & rules.MAIN_PENALTIES, kind["code"]
        assert "Nghị định 117/2020/NĐ-CP" in kind["legal_basis"], kind["code"]
        if kind["suspends_plan"]:
            assert "suspension" in kind["measures"], kind["code"]


def test_unverified_kinds_say_so_in_their_note_and_the_mask_band_is_the_verified_one() -> None:
    kinds = {k["code"]: k for k in load("violation_kinds.json")["kinds"]}
    for kind in kinds.values():
        if kind["to_verify"]:
            assert "Chưa xác minh" in kind["note"] and "Unverified" in kind["note"], kind["code"]
    mask = kinds["no_mask_public"]
    assert (mask["fine_min"], mask["fine_max"], mask["to_verify"]) == (1_000_000, 3_000_000, False)
    assert mask["legal_basis"].startswith("Điểm a khoản 1 Điều 12")


@pytest.mark.django_db
def test_the_data_is_loaded_after_migrate_with_a_checklist_for_every_target_kind() -> None:
    assert selectors.violation_kinds().count() == len(load("violation_kinds.json")["kinds"])
    for kind in TargetKind.values:
        checklist = selectors.checklist_for(kind)
        assert checklist is not None, kind
        codes = checklist.item_codes
        assert codes and len(codes) == len(set(codes)), kind
