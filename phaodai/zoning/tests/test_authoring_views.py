"""Authoring pages: criteria tables in a form (errors beside the field, nothing lost), ward indicators."""

from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from phaodai.core.clock import hanoi
from phaodai.territory.rules import AreaRow
from phaodai.territory.services import bulk_create_areas
from phaodai.territory.tests.files import csv_upload
from phaodai.zoning import selectors
from phaodai.zoning.authoring import publish_table, save_draft_table
from phaodai.zoning.models import CriteriaTable, IndicatorValue
from phaodai.zoning.tests.test_authoring_services import draft_kwargs

pytestmark = pytest.mark.django_db
NOW = hanoi(2021, 9, 7, 12)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def as_user(client):
    def login(user: Any) -> Client:
        client.force_login(user)
        return client

    return login


@pytest.fixture
def draft(district_officer_long_bien, unit):
    return save_draft_table(by=district_officer_long_bien, **draft_kwargs(unit("004")))


def shipped() -> CriteriaTable:
    table = selectors.published_table("LB-2021-09")
    assert table is not None
    return table


def _url(name: str, *args: Any) -> str:
    return reverse(f"zoning:{name}", args=args)


LEVEL_LINES = [
    {
        "severity": "3",
        "code": "KV1",
        "name": "Khu vực 1",
        "name_en": "Area 1",
        "colour": "#c62828",
        "regime": "CT17-HN",
    },
    {
        "severity": "2",
        "code": "KV2",
        "name": "Khu vực 2",
        "name_en": "",
        "colour": "#ef6c00",
        "regime": "CT15+",
    },
    {
        "severity": "1",
        "code": "KV3",
        "name": "Khu vực 3",
        "name_en": "",
        "colour": "#2e7d32",
        "regime": "CT15",
    },
    {},
]
ROW_LINES = [
    {"label": "KV1-1", "level": "KV1", "indicator_1": "lockdown_active", "op_1": "==", "value_1": "yes"},
    {
        "label": "KV2-1",
        "level": "KV2",
        "indicator_1": "community_cases_14d",
        "op_1": ">=",
        "value_1": "1",
        "indicator_2": "shared_sanitation",
        "op_2": "==",
        "value_2": "có",
    },
    {},
]


def table_post(
    *, levels: list[dict[str, str]] = LEVEL_LINES, rows: list[dict[str, str]] = ROW_LINES, **fields: str
):
    data = {
        "code": "LB-TEST",
        "name": "Bảng thử",
        "name_en": "Test table",
        "basis": "Công văn thử",
        "valid_from": "20/09/2021 06:00",
        "valid_until": "",
        **fields,
    }
    for prefix, lines in (("levels", levels), ("rows", rows)):
        data.update({f"{prefix}-TOTAL_FORMS": str(len(lines)), f"{prefix}-INITIAL_FORMS": str(len(lines))})
        for index, line in enumerate(lines):
            data.update({f"{prefix}-{index}-{key}": value for key, value in line.items()})
    return data


# Lists and details ----------------------------------------------------------------------------


def test_the_list_shows_the_units_tables_then_others(
    as_user, district_officer_long_bien, draft, django_assert_max_num_queries
):
    client = as_user(district_officer_long_bien)
    with django_assert_max_num_queries(6):
        response = client.get(_url("tables"))
    assert response.status_code == 200
    assert [t.code for t in response.context["mine"]] == ["LB-2021-09", "LB-TEST"]
    assert [t.code for t in response.context["others"]] == ["NQ128-4800"]
    assert _url("table_detail", draft.pk) in response.content.decode()


def test_the_city_sees_every_unit_s_tables(as_user, city_commander, draft):
    codes = {t.code for t in as_user(city_commander).get(_url("tables")).context["mine"]}
    assert {"LB-2021-09", "LB-TEST", "NQ128-4800"} <= codes


def test_those_who_do_not_author_get_403_and_strangers_sign_in(as_user, ward_officer_bo_de, client):
    assert client.get(_url("tables")).status_code == 302
    assert as_user(ward_officer_bo_de).get(_url("tables")).status_code == 403


def test_another_districts_table_is_not_found(as_user, district_officer_ba_dinh, draft):
    client = as_user(district_officer_ba_dinh)
    assert client.get(_url("table_detail", draft.pk)).status_code == 404
    assert client.post(_url("table_publish", draft.pk)).status_code == 404


def test_the_detail_shows_levels_rows_and_the_publish_button(
    as_user, district_officer_long_bien, draft, django_assert_max_num_queries
):
    client = as_user(district_officer_long_bien)
    with django_assert_max_num_queries(6):
        response = client.get(_url("table_detail", draft.pk))
    html = response.content.decode()
    assert "Khu vực 1" in html and "Chỉ thị 17 (Hà Nội)" in html
    assert "Community cases, last 14 days &gt;= 1" in html
    assert _url("table_publish", draft.pk) in html and _url("table_edit", draft.pk) in html
    published = client.get(_url("table_detail", shipped().pk)).content.decode()
    assert _url("table_new_version", shipped().pk) in published and "Publish</button>" not in published


# The form -------------------------------------------------------------------------------------


def test_the_new_table_form_offers_blank_lines_and_the_issuer(as_user, district_officer_long_bien):
    response = as_user(district_officer_long_bien).get(_url("table_new"))
    assert response.status_code == 200
    assert response.context["levels"].total_form_count() == 3
    assert response.context["rows"].total_form_count() == 5
    form = response.context["form"]
    assert form["issued_by"].value() == "004" and form.fields["issued_by"].disabled
    assert form["valid_from"].value() == datetime(2021, 9, 8, 6)  # shown on Hà Nội's clock
    assert "Lockdown in force (lockdown_active)" in response.content.decode()


def test_a_new_table_is_saved_as_a_draft(as_user, district_officer_long_bien):
    response = as_user(district_officer_long_bien).post(
        _url("table_new"), table_post(no_downgrade="on", valid_until="31/10/2021 06:00")
    )
    table = CriteriaTable.objects.get(code="LB-TEST")
    assert response.status_code == 302 and response.url == _url("table_detail", table.pk)
    assert (table.version, table.status, table.issued_by.code) == (1, "draft", "004")
    assert (table.valid_from, table.valid_until) == (hanoi(2021, 9, 20, 6), hanoi(2021, 10, 31, 6))
    assert table.modifiers == [{"kind": "no_downgrade_unless", "indicator": "treatment_capacity_met"}]
    assert table.rows.get(label="KV2-1").conditions[1] == {
        "indicator": "shared_sanitation",
        "op": "==",
        "value": True,
    }


def _refused(client: Client, data: dict[str, str]) -> Any:
    response = client.post(_url("table_new"), data)
    assert response.status_code == 200
    assert not CriteriaTable.objects.filter(code="LB-TEST").exists()
    return response


def test_an_unknown_indicator_is_refused_beside_it_and_nothing_is_lost(as_user, district_officer_long_bien):
    rows = [{**ROW_LINES[0], "indicator_1": "f0_everywhere"}, ROW_LINES[1]]
    response = _refused(as_user(district_officer_long_bien), table_post(rows=rows, name="Bảng của tôi"))
    line = response.context["rows"].forms[0]
    assert "f0_everywhere is not one of the available choices" in str(line.errors["indicator_1"])
    html = response.content.decode()
    assert 'value="Bảng của tôi"' in html and 'value="KV2-1"' in html  # what was typed comes back
    assert "data-summary" in html


def test_an_operator_a_yes_no_indicator_cannot_take_is_refused_beside_it(as_user, district_officer_long_bien):
    rows = [{**ROW_LINES[0], "op_1": ">"}]
    response = _refused(as_user(district_officer_long_bien), table_post(rows=rows))
    assert "cannot be used with “lockdown_active”" in str(response.context["rows"].forms[0].errors["op_1"])
    rows = [{**ROW_LINES[0], "op_1": "=>"}]
    response = _refused(as_user(district_officer_long_bien), table_post(rows=rows))
    assert "op_1" in response.context["rows"].forms[0].errors


def test_a_bad_threshold_is_refused_beside_it(as_user, district_officer_long_bien):
    rows = [
        {
            "label": "KV1-1",
            "level": "KV1",
            "indicator_1": "first_dose_18plus_pct",
            "op_1": "<",
            "value_1": "150",
        }
    ]
    response = _refused(as_user(district_officer_long_bien), table_post(rows=rows))
    assert "between 0 and 100" in str(response.context["rows"].forms[0].errors["value_1"])


def test_a_level_outside_the_table_is_refused_beside_the_row(as_user, district_officer_long_bien):
    rows = [ROW_LINES[0], {**ROW_LINES[1], "level": "KV9"}]
    response = _refused(as_user(district_officer_long_bien), table_post(rows=rows))
    errors = response.context["rows"].forms[1].errors["level"]
    assert "Row KV2-1: The level does not belong to this table." in str(errors)
    assert "Row KV2-1: The level does not belong to this table." in response.content.decode()


def test_service_refusals_land_beside_their_field(as_user, district_officer_long_bien):
    client = as_user(district_officer_long_bien)
    response = _refused(client, table_post(valid_until="01/09/2021 00:00"))
    assert "must come after its start" in str(response.context["form"].errors["valid_until"])
    levels = [LEVEL_LINES[0], {**LEVEL_LINES[1], "code": "KV1"}, LEVEL_LINES[2]]
    response = _refused(client, table_post(levels=levels))
    assert "same code" in str(response.context["levels"].forms[1].errors["code"])
    response = _refused(client, table_post(code="LB 2021/09"))
    assert "code" in response.context["form"].errors
    response = _refused(client, table_post(levels=LEVEL_LINES[:1], rows=ROW_LINES[:1]))
    assert "at least two levels" in str(response.context["form"].non_field_errors())


def test_a_half_filled_line_asks_for_the_rest(as_user, district_officer_long_bien):
    levels = [*LEVEL_LINES[:3], {"code": "KV0"}]
    response = _refused(as_user(district_officer_long_bien), table_post(levels=levels))
    assert set(response.context["levels"].forms[3].errors) == {"severity", "name", "colour", "regime"}
    rows = [{"label": "KV1-1", "level": "KV1"}]
    response = _refused(as_user(district_officer_long_bien), table_post(rows=rows))
    assert "at least one condition" in str(response.context["rows"].forms[0].non_field_errors())


def test_more_lines_can_be_added_without_losing_or_judging_what_was_typed(
    as_user, district_officer_long_bien
):
    data = table_post(rows=[{**ROW_LINES[0], "op_1": ">"}], add="rows")
    response = _refused(as_user(district_officer_long_bien), data)
    assert response.context["rows"].total_form_count() == 4
    assert (
        "cannot be used" not in response.content.decode() and "data-summary" not in response.content.decode()
    )
    assert 'value="KV1-1"' in response.content.decode()


@pytest.mark.parametrize("count", ["²", "9" * 5000, "-1", "lots"])
def test_adding_lines_with_a_broken_count_starts_from_none(as_user, district_officer_long_bien, count):
    # a count that is not a small whole number is read as zero, not an error page
    data = {**table_post(add="rows"), "rows-TOTAL_FORMS": count}
    response = _refused(as_user(district_officer_long_bien), data)
    assert response.context["rows"].total_form_count() == 3  # none kept, three more to fill


def test_editing_a_draft(as_user, district_officer_long_bien, draft):
    client = as_user(district_officer_long_bien)
    response = client.get(_url("table_edit", draft.pk))
    assert response.context["form"]["code"].value() == "LB-TEST"
    assert response.context["rows"].forms[1]["value_1"].value() == "1"
    assert response.context["rows"].forms[0]["value_1"].value() == "yes"
    response = client.post(_url("table_edit", draft.pk), table_post(name="Bảng sửa", code="IGNORED"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.name, draft.code, draft.version) == ("Bảng sửa", "LB-TEST", 1)


def test_a_published_table_is_not_edited_but_versioned(as_user, district_officer_long_bien):
    client = as_user(district_officer_long_bien)
    response = client.get(_url("table_edit", shipped().pk))
    assert response.status_code == 302 and response.url == _url("table_detail", shipped().pk)
    response = client.get(_url("table_new_version", shipped().pk))
    assert response.status_code == 200
    assert response.context["form"]["code"].value() == "LB-2021-09"
    assert response.context["levels"].forms[0]["regime"].value() == "CT17-HN"
    assert response.context["form"]["valid_from"].value() == datetime(2021, 9, 8, 6)
    response = client.post(_url("table_new_version", shipped().pk), table_post(valid_from="15/09/2021 06:00"))
    new = CriteriaTable.objects.get(code="LB-2021-09", version=2)
    assert response.url == _url("table_detail", new.pk) and new.status == "draft"


def test_publishing_from_the_page(as_user, district_officer_long_bien, draft):
    response = as_user(district_officer_long_bien).post(_url("table_publish", draft.pk))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_at == NOW


def test_an_overlapping_version_is_refused_on_publishing_and_nothing_changes(
    as_user, district_officer_long_bien, unit
):
    by = district_officer_long_bien
    first = save_draft_table(by=by, **draft_kwargs(unit("004"), valid_until=hanoi(2021, 10, 1)))
    publish_table(table=first, by=by)
    second = save_draft_table(by=by, **draft_kwargs(unit("004"), valid_from=hanoi(2021, 9, 25)))
    response = as_user(by).post(_url("table_publish", second.pk))
    assert response.status_code == 422
    assert "Version 1 of LB-TEST is valid during the same period" in response.content.decode()
    second.refresh_from_db()
    assert second.status == "draft"


def test_the_form_speaks_vietnamese_first(vietnamese_client, district_officer_long_bien):
    vietnamese_client.force_login(district_officer_long_bien)
    response = vietnamese_client.get(_url("table_new"))
    assert response.status_code == 200 and response["Content-Language"] == "vi"


# Indicators -----------------------------------------------------------------------------------


@pytest.fixture
def areas(unit):
    rows = [AreaRow(f"TDP{i:02}", f"Tổ dân phố {i}", "to_dan_pho", 1000, 300) for i in range(1, 11)]
    return bulk_create_areas(ward=unit("00139"), rows=rows)


def test_the_grid_shows_the_latest_values(as_user, ward_officer_bo_de, areas, django_assert_max_num_queries):
    client = as_user(ward_officer_bo_de)
    client.post(_url("indicators", "00139"), {"as_of": "06/09/2021 06:00", "v_TDP01_community_cases_7d": "1"})
    client.post(_url("indicators", "00139"), {"as_of": "07/09/2021 06:00", "v_TDP01_community_cases_7d": "4"})
    with django_assert_max_num_queries(8):
        response = client.get(_url("indicators", "00139"))
    assert response.status_code == 200
    grid = dict(response.context["grid"])
    assert next(latest for _field, latest in grid[areas[0]]) == "4"
    assert response.context["form"]["as_of"].value() == datetime(2021, 9, 7, 12)


def test_values_are_entered_for_one_observation_time(as_user, health_worker_bo_de, areas):
    data = {
        "as_of": "07/09/2021 06:00",
        "v_TDP01_community_cases_7d": "2",
        "v_TDP01_lockdown_active": "không",
        "v_TDP02_first_dose_18plus_pct": "91,5",
    }
    response = as_user(health_worker_bo_de).post(_url("indicators", "00139"), data)
    assert response.status_code == 302
    stored = {
        (v.area.local_code, v.indicator): v.value for v in IndicatorValue.objects.select_related("area")
    }
    assert stored == {
        ("TDP01", "community_cases_7d"): 2.0,
        ("TDP01", "lockdown_active"): 0.0,
        ("TDP02", "first_dose_18plus_pct"): 91.5,
    }
    assert {v.as_of for v in IndicatorValue.objects.all()} == {hanoi(2021, 9, 7, 6)}


def test_a_bad_value_is_shown_beside_its_cell_and_nothing_is_saved(as_user, ward_officer_bo_de, areas):
    data = {
        "as_of": "07/09/2021 06:00",
        "v_TDP01_community_cases_7d": "2",
        "v_TDP02_lockdown_active": "maybe",
    }
    response = as_user(ward_officer_bo_de).post(_url("indicators", "00139"), data)
    assert response.status_code == 200
    assert "“maybe” is not yes/no" in str(response.context["form"].errors["v_TDP02_lockdown_active"])
    assert 'value="2"' in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_a_future_observation_time_is_refused(as_user, ward_officer_bo_de, areas):
    data = {"as_of": "08/09/2021 06:00", "v_TDP01_community_cases_7d": "2"}
    response = as_user(ward_officer_bo_de).post(_url("indicators", "00139"), data)
    assert "cannot be observed in the future" in str(response.context["form"].errors["as_of"])
    assert not IndicatorValue.objects.exists()


def test_indicator_pages_are_scoped_to_the_ward(as_user, ward_officer_phuc_xa, welfare_officer_bo_de, areas):
    for name in ("indicators", "indicators_import", "indicators_template"):
        assert as_user(ward_officer_phuc_xa).get(_url(name, "00139")).status_code == 404
        assert as_user(welfare_officer_bo_de).get(_url(name, "00139")).status_code == 403
    assert as_user(ward_officer_phuc_xa).get(_url("indicators", "004")).status_code == 404


def test_importing_a_file_reports_the_bad_rows(as_user, ward_officer_bo_de, areas):
    text = "Mã khu vực,Số ca cộng đồng 7 ngày,Thời điểm\nTDP01,3,07/09/2021 06:00\nTDP77,1,07/09/2021 06:00\n"
    response = as_user(ward_officer_bo_de).post(
        _url("indicators_import", "00139"), {"file": csv_upload(text, "chi-so.csv")}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-count="saved">1<' in html and 'data-count="refused">1<' in html
    assert "No active area of Bồ Đề has the code TDP77" in html
    assert IndicatorValue.objects.get().value == 3.0


def test_an_unreadable_or_oversized_file_is_refused_on_the_page(as_user, ward_officer_bo_de, areas, settings):
    client = as_user(ward_officer_bo_de)
    response = client.post(_url("indicators_import", "00139"), {"file": csv_upload("Tên\nTổ 1\n")})
    assert response.status_code == 422 and 'data-code="missing_columns"' in response.content.decode()
    settings.PHAODAI_MAX_UPLOAD_BYTES = 50
    big = csv_upload("area,community_cases_7d\n" + "TDP01,1\n" * 20)
    response = client.post(_url("indicators_import", "00139"), {"file": big})
    assert response.status_code == 413


def test_the_template_is_a_csv_of_the_wards_areas(as_user, district_officer_long_bien, areas):
    response = as_user(district_officer_long_bien).get(_url("indicators_template", "00139"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("area,name,community_cases_7d")
    # One empty column per enterable indicator (11), then the observation time.
    assert lines[1] == "TDP01,Tổ dân phố 1," + "," * 11 + "07/09/2021 12:00"
    assert len(lines) == 11
