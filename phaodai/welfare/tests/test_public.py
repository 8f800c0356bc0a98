"""The public transparency pages: no sign-in, masked names only, totals per programme and district."""

import pytest

from phaodai.welfare import payments, selectors
from phaodai.welfare.tests.test_views import approved, file
from phaodai.welfare.tests.world import build_world, later

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(ward_officer_bo_de, ward_officer_phuc_xa):
    return build_world(ward_officer=ward_officer_bo_de, outsider_officer=ward_officer_phuc_xa)


def test_the_ward_list_masks_names_without_signing_in(
    world,
    client,
    ward_officer_bo_de,
    district_officer_long_bien,
    welfare_officer_bo_de,
    django_assert_max_num_queries,
):
    decision = approved(world, ward_officer_bo_de, district_officer_long_bien)
    file(ward_officer_bo_de, world, 3)  # filed only: not public
    first = selectors.decision_lines(decision).first()
    assert first is not None
    payments.pay(
        by=welfare_officer_bo_de, application=first, method="cash", receipt_number="PT-1", clock=later(6)
    )
    with django_assert_max_num_queries(6):
        response = client.get("/welfare/public/00139/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn V. A., 1978" in page and "Trần T. B., 1979" in page
    for resident in world.residents:
        assert resident.full_name not in page  # never a full name
    assert "Phạm T. D." not in page  # filed, not approved
    assert "125/QĐ-UBND" in page and "1,500,000 đ" in page  # English in tests: 1.500.000 đ in Vietnamese
    assert "001078" not in page  # never a CCCD


def test_totals_per_programme_and_district(world, client, ward_officer_bo_de, district_officer_long_bien):
    approved(world, ward_officer_bo_de, district_officer_long_bien)
    page = client.get("/welfare/public/").content.decode()
    assert 'data-programme="HN-3642" data-district="004"' in page
    assert "/welfare/public/00139/" in page
    for resident in world.residents:
        assert resident.full_name not in page


def test_an_unknown_ward_is_not_found(client):
    assert client.get("/welfare/public/99999/").status_code == 404
    assert client.get("/welfare/public/004/").status_code == 404  # a district is not a ward


def test_a_ward_without_approved_support_says_so(world, client):
    response = client.get("/welfare/public/00001/")
    assert response.status_code == 200 and "No approved beneficiary" in response.content.decode()
