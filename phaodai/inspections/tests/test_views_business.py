"""The "Inspections and violations" section of a business's page: officials and the representative."""

from typing import Any

import pytest

from phaodai.inspections import services
from phaodai.inspections.tests.test_services import all_fine, fine_and_close, surprise_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_factory(team_3: Any, inspector_team_3: Any, approved_factory: Any) -> dict[str, Any]:
    """The factory fined and closed on 11/9 (an individual also fined), and a surprise visit planned next."""
    visit = surprise_visit(team_3, inspector_team_3, approved_factory)
    services.record_findings(
        by=inspector_team_3, inspection=visit, findings=all_fine(except_=("qr_checkin",))
    )
    fine_and_close(inspector_team_3, visit)
    fine_and_close(
        inspector_team_3,
        visit,
        kind="no_mask_public",
        offender="person",
        offender_name="Nguyễn Văn Công",
        fine_amount=2_000_000,
        measures=["fine"],
        decision_number="26/QĐ-XPHC",
    )
    services.finish_inspection(by=inspector_team_3, inspection=visit)
    next_visit = services.plan_inspection(
        by=inspector_team_3, team=team_3, target_kind="business", business=approved_factory, surprise=True
    )
    return {"business": approved_factory, "visit": visit, "next": next_visit}


def test_the_ward_officer_reads_violations_closure_and_done_inspections_but_no_planned_visit(
    client: Any, closed_factory: dict[str, Any], ward_officer_bo_de: Any
) -> None:
    business, visit, planned = closed_factory["business"], closed_factory["visit"], closed_factory["next"]
    client.force_login(ward_officer_bo_de)
    page = client.get(f"/business/{business.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="closure"' in html and "25/QĐ-XPHC" in html
    assert f'data-inspection="{visit.pk}"' in html
    assert f'data-inspection="{planned.pk}"' not in html  # a surprise visit stays a surprise
    assert "Nguyễn Văn Công" in html and "15,000,000 đ" in html
    # the ward officer does not read inspections themselves: no link to a page they could not open
    assert f'href="/inspections/{visit.pk}/"' not in html


def test_the_district_officer_reads_every_inspection_with_links(
    client: Any,
    closed_factory: dict[str, Any],
    district_officer_long_bien: Any,
    django_assert_max_num_queries: Any,
) -> None:
    business, planned = closed_factory["business"], closed_factory["next"]
    client.force_login(district_officer_long_bien)
    with django_assert_max_num_queries(40):
        html = client.get(f"/business/{business.pk}/").content.decode()
    assert f'href="/inspections/{planned.pk}/"' in html
    assert f"/inspections/plan/?business={business.pk}" in html


def test_the_representative_reads_the_violations_and_closure_only(
    client: Any, closed_factory: dict[str, Any], rep: Any
) -> None:
    business, visit = closed_factory["business"], closed_factory["visit"]
    client.force_login(rep)
    page = client.get(f"/business/{business.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="closure"' in html and 'id="business-violations"' in html and "26/QĐ-XPHC" in html
    assert 'id="business-inspections"' not in html and f'data-inspection="{visit.pk}"' not in html
    assert "Nguyễn Văn Công" not in html  # the individual fined is not the business's to read
    assert "/inspections/plan/" not in html


def test_a_business_with_no_inspection_says_so(client: Any, factory: Any, ward_officer_bo_de: Any) -> None:
    client.force_login(ward_officer_bo_de)
    html = client.get(f"/business/{factory.pk}/").content.decode()
    assert "Inspections and violations" in html and "No violation recorded." in html
    assert 'id="closure"' not in html
