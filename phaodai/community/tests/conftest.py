from typing import Any

import pytest

from phaodai.community.tests.world import World, build_world


@pytest.fixture
def world(db: Any, city_commander: Any, ward_officer_bo_de: Any) -> World:
    return build_world(city=city_commander, ward_officer=ward_officer_bo_de)
