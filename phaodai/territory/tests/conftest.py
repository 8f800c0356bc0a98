"""Fixtures for territory tests: real wards and areas made through the services."""

import pytest

from phaodai.territory import services
from phaodai.territory.rules import AreaRow


@pytest.fixture
def bo_de(unit):
    return unit("00139")


@pytest.fixture
def phuc_xa(unit):
    return unit("00001")


@pytest.fixture
def bo_de_areas(bo_de):
    """Two areas of Bồ Đề, made through the system bulk path the demo generator uses."""
    return services.bulk_create_areas(
        ward=bo_de,
        rows=[
            AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 1200, 310),
            AreaRow("CC01", "Chung cư Bồ Đề", "chung_cu", 800, 240),
        ],
    )


@pytest.fixture
def phuc_xa_area(phuc_xa):
    return services.bulk_create_areas(
        ward=phuc_xa, rows=[AreaRow("TDP01", "Tổ 1 Phúc Xá", "to_dan_pho", 500, 120)]
    )[0]
