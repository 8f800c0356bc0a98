"""The pure generators: reproducible, plausible, and consistent with the identity rules."""

from collections import Counter
from datetime import date

import pytest

from phaodai.core.identity import normalize_phone, validate_cccd
from phaodai.core.text import search_key
from phaodai.demo.areas import (
    MAX_AREAS,
    MIN_AREAS,
    RESIDENTIAL_GROUP,
    VILLAGE,
    AreaPlan,
    WardRef,
    plan_areas,
)
from phaodai.demo.population import (
    REFERENCE_DATE,
    SHOWCASE_DISTRICTS,
    AreaSlot,
    HouseholdPlan,
    PersonPlan,
    plan_households,
)
from phaodai.territory.models import Area
from phaodai.territory.units import hanoi_units

WARDS = [
    WardRef(u.code, u.name, u.unit_type, u.parent_code or "") for u in hanoi_units() if u.level == "ward"
]
SEED = 2021


def _age(person: PersonPlan) -> int:
    birth = person.birth_date
    return (
        REFERENCE_DATE.year
        - birth.year
        - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (birth.month, birth.day))
    )


@pytest.fixture(scope="module")
def city_areas() -> dict[str, list[AreaPlan]]:
    return {ward.code: plan_areas(SEED, ward) for ward in WARDS}


@pytest.fixture(scope="module")
def slots(city_areas: dict[str, list[AreaPlan]]) -> list[AreaSlot]:
    return [
        AreaSlot(f"{ward.code}-{plan.local_code}", plan.kind, plan.name, plan.population, ward)
        for ward in WARDS
        for plan in city_areas[ward.code]
    ]


@pytest.fixture(scope="module")
def households(slots: list[AreaSlot]) -> list[HouseholdPlan]:
    return list(plan_households(seed=SEED, areas=slots, persons=3000))


def test_every_one_of_the_579_wards_gets_10_to_40_areas(city_areas: dict[str, list[AreaPlan]]) -> None:
    assert len(city_areas) == 579
    assert all(MIN_AREAS <= len(plans) <= MAX_AREAS for plans in city_areas.values())


def test_area_codes_and_names_are_unique_within_a_ward_and_kinds_are_real(
    city_areas: dict[str, list[AreaPlan]],
) -> None:
    for plans in city_areas.values():
        assert len({p.local_code for p in plans}) == len(plans)
        assert len({search_key(p.name) for p in plans}) == len(plans)
    assert {p.kind for plans in city_areas.values() for p in plans} <= set(Area.Kind.values)


def test_urban_wards_are_mostly_residential_groups_and_communes_mostly_villages(
    city_areas: dict[str, list[AreaPlan]],
) -> None:
    for ward in WARDS:
        kinds = Counter(p.kind for p in city_areas[ward.code])
        main = RESIDENTIAL_GROUP if ward.unit_type == "Phường" else VILLAGE
        if ward.unit_type != "Thị trấn":
            assert kinds[main] >= len(city_areas[ward.code]) / 2, ward


def test_populations_are_plausible(city_areas: dict[str, list[AreaPlan]]) -> None:
    plans = [p for ps in city_areas.values() for p in ps]
    groups = [p for p in plans if p.kind == RESIDENTIAL_GROUP]
    assert all(300 <= p.population <= 1500 for p in groups)
    assert all(2.5 <= p.population / p.households <= 4.0 for p in groups)
    # Hà Nội had about 8.3 million people in 2021.
    assert 7_000_000 < sum(p.population for p in plans) < 10_000_000


def test_the_same_seed_gives_the_same_areas_and_another_seed_others() -> None:
    bo_de = next(w for w in WARDS if w.code == "00139")
    assert plan_areas(SEED, bo_de) == plan_areas(SEED, bo_de)
    assert plan_areas(SEED, bo_de) != plan_areas(SEED + 1, bo_de)


def test_the_same_seed_gives_the_same_people(slots: list[AreaSlot], households: list[HouseholdPlan]) -> None:
    again = list(plan_households(seed=SEED, areas=slots, persons=3000))
    assert again == households
    other = list(plan_households(seed=SEED + 1, areas=slots, persons=3000))
    assert [m.cccd for h in other for m in h.members] != [m.cccd for h in households for m in h.members]


def test_exactly_the_requested_persons_and_a_smaller_run_is_a_prefix(
    slots: list[AreaSlot], households: list[HouseholdPlan]
) -> None:
    assert sum(len(h.members) for h in households) == 3000
    smaller = list(plan_households(seed=SEED, areas=slots, persons=500))
    assert sum(len(h.members) for h in smaller) == 500
    # Re-running with more persons only adds households (the last small one may have been cut short).
    assert [h.code for h in smaller] == [h.code for h in households[: len(smaller)]]
    assert smaller[:-1] == households[: len(smaller) - 1]


def test_cccds_are_valid_for_their_holder_and_unique(households: list[HouseholdPlan]) -> None:
    persons = [m for h in households for m in h.members]
    for person in persons:
        assert validate_cccd(person.cccd, birth_date=person.birth_date, sex=person.sex) == person.cccd
    assert len({p.cccd for p in persons}) == len(persons)
    hanoi = sum(p.cccd.startswith("001") for p in persons)
    assert hanoi / len(persons) > 0.7


def test_names_phones_and_ages_look_vietnamese(households: list[HouseholdPlan]) -> None:
    persons = [m for h in households for m in h.members]
    families = Counter(p.full_name.split()[0] for p in persons)
    assert families.most_common(1)[0][0] == "Nguyễn"
    assert all(len(p.full_name.split()) == 3 for p in persons)
    for person in persons:
        if person.phone:
            assert normalize_phone(person.phone) == person.phone
    ages = [_age(p) for p in persons]
    assert min(ages) >= 0 and max(ages) <= 100
    children = sum(a < 15 for a in ages) / len(ages)
    assert 0.18 < children < 0.30  # about 24 % in 2021
    assert all(p.birth_date < date(2021, 9, 6) for p in persons)


def test_priority_flags_follow_age_and_sex(households: list[HouseholdPlan]) -> None:
    persons = [m for h in households for m in h.members]
    assert all(_age(p) >= 50 for p in persons if p.chronic_illness)
    assert all(_age(p) >= 70 for p in persons if p.disability_immobile)
    assert all(p.sex == "F" and 20 <= _age(p) <= 40 for p in persons if p.pregnant)
    fifty_plus = [p for p in persons if _age(p) >= 50]
    assert 0.05 < sum(p.chronic_illness for p in fifty_plus) / len(fifty_plus) < 0.15
    assert any(p.pregnant for p in persons)


def test_households_have_an_adult_head_and_an_address(households: list[HouseholdPlan]) -> None:
    assert len({h.code for h in households}) == len(households)
    for household in households:
        assert household.address
        assert household.code.startswith(household.area_code + "-H")
        assert _age(household.members[0]) >= 20


def test_people_are_concentrated_in_the_showcase_districts(
    slots: list[AreaSlot], households: list[HouseholdPlan]
) -> None:
    district = {slot.code: slot.ward.district_code for slot in slots}
    showcase = sum(len(h.members) for h in households if district[h.area_code] in SHOWCASE_DISTRICTS)
    assert 0.6 < showcase / 3000 < 0.8
    assert len({district[h.area_code] for h in households}) == 30
