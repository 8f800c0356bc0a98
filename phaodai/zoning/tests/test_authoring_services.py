"""Authoring services: drafts of criteria tables, publishing versions, entering indicator values."""

import threading
from datetime import datetime
from typing import Any

import pytest
from django.db import connection

from phaodai.core.clock import hanoi
from phaodai.core.errors import NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.territory.rules import AreaRow
from phaodai.territory.services import bulk_create_areas
from phaodai.zoning import selectors
from phaodai.zoning.authoring import (
    IndicatorEntry,
    LevelInput,
    RowInput,
    enter_indicators,
    publish_table,
    save_draft_table,
)
from phaodai.zoning.errors import CriteriaInvalid, IndicatorInvalid, TableNotDraft, ValidityOverlap
from phaodai.zoning.models import CriteriaTable, IndicatorValue

pytestmark = pytest.mark.django_db

LEVELS = [
    LevelInput(3, "KV1", "Khu vực 1", "Area 1", "#c62828", "CT17-HN"),
    LevelInput(2, "KV2", "Khu vực 2", "Area 2", "#ef6c00", "CT15+"),
    LevelInput(1, "KV3", "Khu vực 3", "Area 3", "#2e7d32", "CT15"),
]
ROWS = [
    RowInput("KV1-1", "KV1", [{"indicator": "lockdown_active", "op": "==", "value": "yes"}]),
    RowInput(
        "KV1-2",
        "KV1",
        [
            {"indicator": "community_cases_14d", "op": ">=", "value": "1"},
            {"indicator": "unknown_source_cases_14d", "op": ">=", "value": 1},
        ],
    ),
    RowInput("KV2-1", "KV2", [{"indicator": "community_cases_14d", "op": ">=", "value": 1}]),
]


def draft_kwargs(issuer: Any, **changes: Any) -> dict[str, Any]:
    """Everything save_draft_table needs for a small three-level table; `changes` override."""
    values: dict[str, Any] = {
        "issuer": issuer,
        "code": "LB-TEST",
        "name": "Bảng thử",
        "name_en": "Test table",
        "basis": "Công văn thử",
        "valid_from": hanoi(2021, 9, 20, 6),
        "valid_until": None,
        "levels": LEVELS,
        "rows": ROWS,
    }
    values.update(changes)
    return values


@pytest.fixture
def long_bien(unit):
    return unit("004")


@pytest.fixture
def draft(district_officer_long_bien, long_bien):
    return save_draft_table(by=district_officer_long_bien, **draft_kwargs(long_bien))


def test_a_draft_is_saved_with_its_levels_rows_and_compiled_logic(draft, district_officer_long_bien):
    assert (draft.code, draft.version, draft.status) == ("LB-TEST", 1, CriteriaTable.Status.DRAFT)
    assert [lv.code for lv in selectors.levels_of(draft)] == ["KV1", "KV2", "KV3"]
    row = draft.rows.get(label="KV1-2")
    assert row.level.code == "KV1"
    assert row.conditions == [
        {"indicator": "community_cases_14d", "op": ">=", "value": 1},
        {"indicator": "unknown_source_cases_14d", "op": ">=", "value": 1},
    ]
    assert draft.rows.get(label="KV1-1").conditions[0]["value"] is True
    assert draft.compiled["default_level"] == "KV3"
    assert AuditEntry.objects.filter(action="zoning.save_table", object_id=str(draft.pk)).exists()


def _refused(by: Any, issuer: Any, **changes: Any) -> CriteriaInvalid:
    before = CriteriaTable.objects.count()
    with pytest.raises(CriteriaInvalid) as caught:
        save_draft_table(by=by, **draft_kwargs(issuer, **changes))
    assert CriteriaTable.objects.count() == before  # nothing changed
    return caught.value


def test_an_unknown_indicator_is_refused_naming_the_row(district_officer_long_bien, long_bien):
    rows = [RowInput("KV1-9", "KV1", [{"indicator": "f0_everywhere", "op": ">=", "value": 1}])]
    error = _refused(district_officer_long_bien, long_bien, rows=rows)
    assert error.params == {"problem": "unknown_indicator", "row": "KV1-9"}
    assert error.field == "indicator"
    assert "Row KV1-9" in str(error.detail) and "f0_everywhere" in str(error.detail)


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        ({"indicator": "community_cases_7d", "op": "=>", "value": 1}, "unknown_operator"),
        ({"indicator": "lockdown_active", "op": ">", "value": True}, "unknown_operator"),
        ({"indicator": "first_dose_18plus_pct", "op": ">=", "value": 120}, "not_a_percentage"),
        ({"indicator": "community_cases_7d", "op": ">=", "value": "ba"}, "not_a_number"),
    ],
)
def test_an_unknown_operator_or_a_bad_threshold_is_refused(
    district_officer_long_bien, long_bien, condition, problem
):
    error = _refused(district_officer_long_bien, long_bien, rows=[RowInput("KV2-9", "KV2", [condition])])
    assert error.params["problem"] == problem
    assert error.params["row"] == "KV2-9"


def test_a_row_at_a_level_outside_the_table_is_refused(district_officer_long_bien, long_bien):
    rows = [RowInput("KV0-1", "KV0", [{"indicator": "community_cases_7d", "op": ">=", "value": 9}])]
    error = _refused(district_officer_long_bien, long_bien, rows=rows)
    assert (error.field, error.params["problem"], error.params["row"]) == ("level", "unknown_level", "KV0-1")
    assert "does not belong to this table" in str(error.detail)


@pytest.mark.parametrize(
    ("levels", "field"),
    [
        (
            [LEVELS[0], LevelInput(2, "KV1", "Lặp", "Again", "#ef6c00", "CT15")],
            "code",
        ),  # was an IntegrityError
        ([LEVELS[0], LevelInput(-1, "KV2", "Âm", "Negative", "#ef6c00", "CT15")], "severity"),
        ([LEVELS[0], LevelInput(2, "KV2", "Sai", "Wrong", "#ef6c00", "CT99")], "regime"),
        ([LEVELS[0], LevelInput(2, "KV2", "Màu", "Colour", "orange", "CT15")], "colour"),
    ],
)
def test_bad_levels_are_refused_beside_the_level(district_officer_long_bien, long_bien, levels, field):
    rows = [RowInput("KV1-1", "KV1", [{"indicator": "lockdown_active", "op": "==", "value": True}])]
    error = _refused(district_officer_long_bien, long_bien, levels=levels, rows=rows)
    assert error.field == field
    assert error.params["level"] == levels[1].code


def test_two_levels_of_the_same_severity_and_a_single_level_are_refused(
    district_officer_long_bien, long_bien
):
    same = [LEVELS[0], LevelInput(3, "KV2", "Khu vực 2", "Area 2", "#ef6c00", "CT15+")]
    assert _refused(district_officer_long_bien, long_bien, levels=same, rows=[]).params["problem"] == (
        "duplicate_level"
    )
    assert _refused(district_officer_long_bien, long_bien, levels=LEVELS[:1], rows=[]).params["problem"] == (
        "too_few_levels"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"valid_until": hanoi(2021, 9, 1)}, "valid_until"),
        ({"valid_from": datetime(2021, 9, 20, 6)}, "valid_from"),
        ({"code": "LB 2021/09"}, "code"),
        ({"name": "  "}, "name"),
        ({"basis": ""}, "basis"),
        ({"modifiers": [{"kind": "no_upgrade", "indicator": "treatment_capacity_met"}]}, "modifiers"),
        ({"modifiers": [{"kind": "no_downgrade_unless", "indicator": "community_cases_7d"}]}, "modifiers"),
    ],
)
def test_bad_table_fields_are_refused(district_officer_long_bien, long_bien, changes, field):
    assert _refused(district_officer_long_bien, long_bien, **changes).field == field


def test_a_ward_cannot_issue_a_table_and_a_ward_officer_cannot_author(
    city_commander, ward_officer_bo_de, unit, long_bien
):
    assert _refused(city_commander, unit("00139")).field == "issued_by"
    with pytest.raises(NotPermitted):
        save_draft_table(by=ward_officer_bo_de, **draft_kwargs(long_bien))


def test_another_district_is_out_of_scope_and_the_attempt_is_logged(district_officer_ba_dinh, long_bien):
    with pytest.raises(OutOfScope):
        save_draft_table(by=district_officer_ba_dinh, **draft_kwargs(long_bien))
    assert AuditEntry.objects.filter(action="scope.denied", actor_username="district-001").exists()
    assert not CriteriaTable.objects.filter(code="LB-TEST").exists()


def test_a_code_belongs_to_the_unit_that_first_used_it(district_officer_ba_dinh, unit):
    error = _refused(district_officer_ba_dinh, unit("001"), code="LB-2021-09")
    assert error.field == "code" and "another unit" in str(error.detail)


def test_a_new_version_of_a_shipped_table_gets_the_next_number(district_officer_long_bien, long_bien):
    table = save_draft_table(by=district_officer_long_bien, **draft_kwargs(long_bien, code="LB-2021-09"))
    assert table.version == 2 and table.status == CriteriaTable.Status.DRAFT


def test_editing_a_draft_replaces_its_content(draft, district_officer_long_bien, long_bien):
    rows = [RowInput("KV2-1", "KV2", [{"indicator": "community_cases_7d", "op": ">", "value": 2}])]
    edited = save_draft_table(
        by=district_officer_long_bien, table=draft, **draft_kwargs(long_bien, name="Bảng mới", rows=rows)
    )
    assert edited.pk == draft.pk and edited.version == 1 and edited.name == "Bảng mới"
    assert list(edited.rows.values_list("label", flat=True)) == ["KV2-1"]


def test_a_draft_cannot_be_moved_to_another_code_or_unit(
    draft, district_officer_ba_dinh, city_commander, unit
):
    with pytest.raises(CriteriaInvalid) as caught:
        save_draft_table(by=city_commander, table=draft, **draft_kwargs(unit("004"), code="LB-OTHER"))
    assert caught.value.field == "code"
    with pytest.raises(CriteriaInvalid):
        save_draft_table(by=city_commander, table=draft, **draft_kwargs(unit("01")))
    # Naming their own district as issuer does not let another district's officer take the draft.
    with pytest.raises(OutOfScope):
        save_draft_table(by=district_officer_ba_dinh, table=draft, **draft_kwargs(unit("001")))
    draft.refresh_from_db()
    assert (draft.path, draft.name) == ("/01/004/", "Bảng thử")


def test_publishing_a_draft(draft, district_officer_long_bien):
    table = publish_table(table=draft, by=district_officer_long_bien, clock=lambda: hanoi(2021, 9, 19, 8))
    assert table.status == CriteriaTable.Status.PUBLISHED
    assert table.published_at == hanoi(2021, 9, 19, 8)
    with pytest.raises(TableNotDraft):
        publish_table(table=table, by=district_officer_long_bien)
    with pytest.raises(TableNotDraft):
        save_draft_table(by=district_officer_long_bien, table=table, **draft_kwargs(table.issued_by))


def test_publishing_is_for_the_issuing_units_authors(draft, district_officer_ba_dinh, ward_officer_bo_de):
    with pytest.raises(OutOfScope):
        publish_table(table=draft, by=district_officer_ba_dinh)
    with pytest.raises(NotPermitted):
        publish_table(table=draft, by=ward_officer_bo_de)
    draft.refresh_from_db()
    assert draft.status == CriteriaTable.Status.DRAFT


def test_overlapping_validity_of_two_versions_is_refused_and_nothing_changes(
    district_officer_long_bien, long_bien
):
    by = district_officer_long_bien
    first = save_draft_table(by=by, **draft_kwargs(long_bien, valid_until=hanoi(2021, 10, 1)))
    publish_table(table=first, by=by)
    second = save_draft_table(by=by, **draft_kwargs(long_bien, valid_from=hanoi(2021, 9, 25)))
    with pytest.raises(ValidityOverlap) as caught:
        publish_table(table=second, by=by)
    assert caught.value.field == "valid_from"
    assert "Version 1 of LB-TEST" in str(caught.value.detail) and "01/10/2021 00:00" in str(
        caught.value.detail
    )
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == CriteriaTable.Status.DRAFT
    assert first.valid_until == hanoi(2021, 10, 1)


def test_a_new_version_ends_the_open_ended_version_it_follows(district_officer_long_bien, long_bien):
    shipped = selectors.published_table("LB-2021-09")
    assert shipped is not None and shipped.valid_until is None
    new = save_draft_table(
        by=district_officer_long_bien,
        **draft_kwargs(long_bien, code="LB-2021-09", valid_from=hanoi(2021, 9, 20, 6)),
    )
    publish_table(table=new, by=district_officer_long_bien)
    shipped.refresh_from_db()
    assert shipped.valid_until == hanoi(2021, 9, 20, 6)
    moments = (hanoi(2021, 9, 20, 5, 59), hanoi(2021, 9, 20, 6))
    assert [selectors.table_valid_at("LB-2021-09", at) for at in moments] == [shipped, new]
    assert AuditEntry.objects.filter(action="zoning.supersede_table", object_id=str(shipped.pk)).exists()


def test_a_new_version_starting_before_the_open_ended_one_overlaps(district_officer_long_bien, long_bien):
    new = save_draft_table(
        by=district_officer_long_bien,
        **draft_kwargs(long_bien, code="LB-2021-09", valid_from=hanoi(2021, 9, 1)),
    )
    with pytest.raises(ValidityOverlap):
        publish_table(table=new, by=district_officer_long_bien)
    shipped = selectors.published_table("LB-2021-09")
    assert shipped is not None and shipped.valid_until is None


# Indicators -----------------------------------------------------------------------------------

OBSERVED = hanoi(2021, 9, 7, 6)


def at_noon() -> datetime:
    return hanoi(2021, 9, 7, 12)


@pytest.fixture
def bo_de_areas(unit):
    rows = [AreaRow(f"TDP{i:02}", f"Tổ dân phố {i}", "to_dan_pho", 1000 + i, 300) for i in range(1, 21)]
    return bulk_create_areas(ward=unit("00139"), rows=rows)


def _enter(by: Any, entries: list[IndicatorEntry], as_of: datetime = OBSERVED) -> list[IndicatorValue]:
    return enter_indicators(by=by, entries=entries, as_of=as_of, clock=at_noon)


def test_values_are_entered_typed_and_audited(ward_officer_bo_de, bo_de_areas):
    area = bo_de_areas[0]
    saved = _enter(
        ward_officer_bo_de,
        [
            IndicatorEntry(area, "community_cases_7d", "3"),
            IndicatorEntry(area, "lockdown_active", "có"),
            IndicatorEntry(area, "first_dose_18plus_pct", "87,5"),
        ],
    )
    assert len(saved) == 3
    stored = {v.indicator: v.value for v in IndicatorValue.objects.filter(area=area)}
    assert stored == {"community_cases_7d": 3.0, "lockdown_active": 1.0, "first_dose_18plus_pct": 87.5}
    assert IndicatorValue.objects.get(area=area, indicator="lockdown_active").path == area.path
    assert (
        AuditEntry.objects.filter(action="zoning.enter_indicators", unit_path="/01/004/00139/").count() == 1
    )


def test_entering_the_same_values_again_changes_nothing(ward_officer_bo_de, bo_de_areas):
    entries = [IndicatorEntry(a, "community_cases_7d", 2) for a in bo_de_areas[:3]]
    _enter(ward_officer_bo_de, entries)
    stamps = list(IndicatorValue.objects.order_by("pk").values_list("pk", "updated_at"))
    audits = AuditEntry.objects.count()
    _enter(ward_officer_bo_de, entries)
    assert list(IndicatorValue.objects.order_by("pk").values_list("pk", "updated_at")) == stamps
    assert AuditEntry.objects.count() == audits
    _enter(ward_officer_bo_de, [IndicatorEntry(bo_de_areas[0], "community_cases_7d", 5)])
    assert IndicatorValue.objects.get(area=bo_de_areas[0]).value == 5.0
    assert IndicatorValue.objects.count() == 3


def test_many_values_take_a_few_queries(ward_officer_bo_de, bo_de_areas, django_assert_max_num_queries):
    entries = [
        IndicatorEntry(area, name, 1)
        for area in bo_de_areas
        for name in ("community_cases_7d", "community_cases_14d", "unknown_source_cases_14d")
    ]
    ward_officer_bo_de.assignment_list  # noqa: B018  (the role look-up is cached per request)
    with django_assert_max_num_queries(10):
        assert len(_enter(ward_officer_bo_de, entries)) == 60


@pytest.mark.parametrize(
    ("entry", "as_of", "field"),
    [
        (("lockdown_active", "maybe"), OBSERVED, "value"),
        (("full_dose_65plus_pct", -3), OBSERVED, "value"),
        (("population", 5), OBSERVED, "indicator"),  # an attribute of the area, not an observation
        (("r_number", 1), OBSERVED, "indicator"),
        (("community_cases_7d", 1), hanoi(2021, 9, 8), "as_of"),  # in the future
        (("community_cases_7d", 1), datetime(2021, 9, 7, 6), "as_of"),  # no time zone
    ],
)
def test_a_bad_entry_is_refused_and_nothing_is_written(ward_officer_bo_de, bo_de_areas, entry, as_of, field):
    good = IndicatorEntry(bo_de_areas[0], "community_cases_7d", 1)
    with pytest.raises(IndicatorInvalid) as caught:
        _enter(ward_officer_bo_de, [good, IndicatorEntry(bo_de_areas[1], *entry)], as_of=as_of)
    assert caught.value.field == field
    assert not IndicatorValue.objects.exists()


def test_another_wards_area_is_out_of_scope_and_logged(ward_officer_phuc_xa, bo_de_areas):
    with pytest.raises(OutOfScope):
        _enter(ward_officer_phuc_xa, [IndicatorEntry(bo_de_areas[0], "community_cases_7d", 1)])
    assert AuditEntry.objects.filter(action="scope.denied", object_id=bo_de_areas[0].code).exists()
    assert not IndicatorValue.objects.exists()


def test_roles_without_the_permission_cannot_enter(welfare_officer_bo_de, health_worker_bo_de, bo_de_areas):
    with pytest.raises(NotPermitted):
        _enter(welfare_officer_bo_de, [IndicatorEntry(bo_de_areas[0], "community_cases_7d", 1)])
    assert len(_enter(health_worker_bo_de, [IndicatorEntry(bo_de_areas[0], "community_cases_7d", 1)])) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_drafts_published_at_once_give_one_version(district_officer_long_bien, unit):
    by = district_officer_long_bien
    drafts = [
        save_draft_table(
            by=by, **draft_kwargs(unit("004"), valid_from=hanoi(2021, 9, day), valid_until=hanoi(2021, 10, 1))
        )
        for day in (20, 25)
    ]
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def publish(table: CriteriaTable) -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(publish_table(table=table, by=by))
        except Exception as error:  # the loser's refusal is the point
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(table,)) for table in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(type(o).__name__ for o in outcomes) == ["CriteriaTable", "ValidityOverlap"], outcomes
    assert CriteriaTable.objects.filter(code="LB-TEST", status=CriteriaTable.Status.PUBLISHED).count() == 1
