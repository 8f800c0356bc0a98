"""The accountability page (S31) against the hand count of the September data, and its bad input."""

from typing import Any

import pytest
import time_machine

from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.inspections.tests import test_selectors

pytestmark = pytest.mark.django_db

# The September data of the selector tests, whose accountability was counted by hand there.
ba_dinh_team = test_selectors.ba_dinh_team
september = test_selectors.september

SEPTEMBER = {"start": "01/09/2021", "end": "30/09/2021"}


def test_long_bien_reads_its_september_figures_and_the_heads_accountable(
    client: Any,
    september: dict[str, Any],
    district_officer_long_bien: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(district_officer_long_bien)
    with django_assert_max_num_queries(16):
        page = client.get("/inspections/accountability/", SEPTEMBER)
    assert page.status_code == 200
    figures = page.context["figures"]
    assert (figures.inspections_done, figures.violations, figures.fines_total) == (3, 3, 18_000_000)
    assert [(row["code"], row["count"], row["fines"]) for row in page.context["by_kind"]] == [
        ("business_measures_not_applied", 1, 15_000_000),
        ("no_mask_public", 2, 3_000_000),
    ]
    assert [v.pk for v in page.context["overdue"]] == [september["closing"].pk]
    assert page.context["repeat_units"] == [("Phường Bồ Đề", 3)]
    html = page.content.decode()
    assert "Phạm Văn Giám" in html and "18,000,000 đ" in html
    assert "Điều 12, Nghị định 117/2020/NĐ-CP" in html
    # one of its wards, chosen from the list
    ngoc_lam = client.get("/inspections/accountability/", {**SEPTEMBER, "unit": "00133"})
    assert (ngoc_lam.context["figures"].inspections_done, ngoc_lam.context["figures"].violations) == (1, 0)


def test_the_period_defaults_to_this_month_and_bad_dates_are_explained(
    client: Any, september: dict[str, Any], district_officer_long_bien: Any
) -> None:
    client.force_login(district_officer_long_bien)
    with time_machine.travel(hanoi(2021, 9, 20, 10), tick=False):
        page = client.get("/inspections/accountability/")
    assert (page.context["start"].isoformat(), page.context["end"].isoformat()) == (
        "2021-09-01",
        "2021-09-20",
    )
    assert page.context["figures"].inspections_done == 3
    assert 'value="01/09/2021"' in page.content.decode()
    wrong = client.get("/inspections/accountability/", {"start": "31/02/2021"})
    assert wrong.status_code == 422
    assert "dd/mm/yyyy" in wrong.context["form"].errors["start"][0]
    backwards = client.get("/inspections/accountability/", {"start": "30/09/2021", "end": "01/09/2021"})
    assert backwards.status_code == 422 and "after its start" in backwards.context["form"].errors["end"][0]
    partial = client.get(
        "/inspections/accountability/", {**SEPTEMBER, "unit": "004"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode() and 'data-figure="fines_total"' in partial.content.decode()


def test_a_unit_outside_ones_jurisdiction_answers_404_and_is_logged(
    client: Any, september: dict[str, Any], district_officer_long_bien: Any, ward_officer_bo_de: Any
) -> None:
    client.force_login(district_officer_long_bien)
    assert client.get("/inspections/accountability/", {"unit": "001"}).status_code == 404
    assert AuditEntry.objects.filter(action="scope.denied", object_type="territory.unit").exists()
    assert client.get("/inspections/accountability/", {"unit": "99999"}).status_code == 404
    client.force_login(ward_officer_bo_de)
    assert client.get("/inspections/accountability/").status_code == 403


def test_the_city_sees_both_districts(client: Any, september: dict[str, Any], city_commander: Any) -> None:
    client.force_login(city_commander)
    page = client.get("/inspections/accountability/", SEPTEMBER)
    assert page.context["unit"].code == "01"
    assert (page.context["figures"].inspections_done, page.context["figures"].fines_total) == (4, 21_000_000)
    assert "004" in [u.code for u in page.context["units"]]
