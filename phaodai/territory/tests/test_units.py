"""The real Hà Nội units loaded by migration, checked against the shipped CSV files."""

import csv
from collections import Counter

import pytest

from phaodai.territory.models import Unit
from phaodai.territory.units import DATA_DIR

pytestmark = pytest.mark.django_db


def _csv(name):
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_there_are_exactly_one_city_30_districts_and_579_wards():
    counts = Counter(Unit.objects.values_list("level", flat=True))
    assert counts == {"city": 1, "district": 30, "ward": 579}
    assert len(_csv("hanoi_districts_2021.csv")) == 30
    assert len(_csv("hanoi_wards_2021.csv")) == 579


def test_every_district_and_ward_matches_its_csv_row():
    stored = {u.code: u for u in Unit.objects.select_related("parent")}
    for row in _csv("hanoi_districts_2021.csv"):
        unit = stored[row["code"]]
        assert unit.parent is not None
        assert (unit.level, unit.name, unit.full_name, unit.unit_type, unit.parent.code) == (
            "district", row["name"], row["full_name"], row["type"], "01",
        )  # fmt: skip
    for row in _csv("hanoi_wards_2021.csv"):
        unit = stored[row["code"]]
        assert unit.parent is not None
        assert (unit.level, unit.name, unit.full_name, unit.name_en, unit.parent.code) == (
            "ward", row["name"], row["full_name"], row["name_en"], row["district_code"],
        )  # fmt: skip
        assert unit.path == f"/01/{row['district_code']}/{row['code']}/"


@pytest.mark.parametrize(
    ("code", "full_name"),
    [
        ("01", "Thành phố Hà Nội"),
        ("001", "Quận Ba Đình"),
        ("004", "Quận Long Biên"),
        ("268", "Quận Hà Đông"),
        ("00001", "Phường Phúc Xá"),
        ("00139", "Phường Bồ Đề"),
    ],
)
def test_sample_codes_carry_their_official_names(code, full_name):
    assert Unit.objects.get(code=code).full_name == full_name


@pytest.mark.parametrize(("district", "wards"), [("004", 14), ("001", 14), ("268", 17)])
def test_districts_have_their_number_of_wards(district, wards):
    assert Unit.objects.filter(parent__code=district, level="ward").count() == wards


def test_long_bien_includes_bo_de():
    assert Unit.objects.filter(code="00139", parent__code="004").exists()


def test_unit_types_are_counted_as_in_the_gso_list():
    districts = Counter(Unit.objects.filter(level="district").values_list("unit_type", flat=True))
    wards = Counter(Unit.objects.filter(level="ward").values_list("unit_type", flat=True))
    assert districts == {"Quận": 12, "Huyện": 17, "Thị xã": 1}
    assert wards == {"Phường": 175, "Xã": 383, "Thị trấn": 21}


@pytest.mark.django_db(transaction=True)
def test_the_real_units_come_back_after_a_flush():
    # pytest-django flushes after transactional tests; later tests still need the reference units.
    from django.core.management import call_command

    from phaodai.territory.models import Unit

    call_command("flush", interactive=False, verbosity=0)

    assert Unit.objects.count() == 1 + 30 + 579
    bo_de = Unit.objects.get(code="00139")
    assert bo_de.parent is not None
    assert bo_de.parent.code == "004"
