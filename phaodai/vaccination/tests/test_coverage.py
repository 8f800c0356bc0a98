"""Coverage matches a hand computation on a small ward (acceptance), and feeds zoning and sitreps."""

from datetime import date

import pytest

from phaodai.core.clock import hanoi
from phaodai.vaccination import coverage, providers, rules
from phaodai.vaccination.tests.conftest import cccd_for

pytestmark = pytest.mark.django_db
BO_DE = "/01/004/00139/"


@pytest.fixture
def small_ward(resident, give, city_commander):
    """Bồ Đề's ten residents, by hand:

    | # | born       | band  | doses by 15/10/2021                     | ≥1 | full |
    |---|------------|-------|-----------------------------------------|----|------|
    | 1 | 1990-05-01 | 18-49 | AZ 1 (01/08), Pfizer 2 (01/09)          | ✓  | ✓    |
    | 2 | 1995-01-01 | 18-49 | Sinopharm 1 (01/10)                     | ✓  |      |
    | 3 | 2000-01-01 | 18-49 | none                                    |    |      |
    | 4 | 2003-10-15 | 18-49 | Moderna 1 (01/10) — 18 on the day       | ✓  |      |
    | 5 | 2010-01-01 | <18   | (not counted)                           |    |      |
    | 6 | 1960-01-01 | 50-64 | Abdala 1, 2 (15/09, 29/09) — 2 of 3     | ✓  |      |
    | 7 | 1965-06-01 | 50-64 | Sputnik 1, 2 (01/08, 22/08)             | ✓  | ✓    |
    | 8 | 1950-01-01 | 65+   | Pfizer 1, 2 (01/08, 22/08)              | ✓  | ✓    |
    | 9 | 1940-01-01 | 65+   | AZ 1 (01/09)                            | ✓  |      |
    |10 | 1945-01-01 | 65+   | none                                    |    |      |
    plus one resident of Phúc Xá with two doses, who must not count.
    18+: 9 persons, 7 with ≥1 dose (77.8%), 3 full (33.3%); 65+: 3 persons, 1 full (33.3%).
    """
    people = {
        1: resident(1, born=date(1990, 5, 1)), 2: resident(2, born=date(1995, 1, 1)),
        3: resident(3, born=date(2000, 1, 1)), 4: resident(4, born=date(2003, 10, 15), area="bo_de_cc"),
        5: resident(5, born=date(2010, 1, 1)), 6: resident(6, born=date(1960, 1, 1), area="bo_de_cc"),
        7: resident(7, born=date(1965, 6, 1)), 8: resident(8, born=date(1950, 1, 1)),
        9: resident(9, born=date(1940, 1, 1), area="bo_de_cc"), 10: resident(10, born=date(1945, 1, 1)),
    }  # fmt: skip
    give(people[1], "astrazeneca", 1, date(2021, 8, 1))
    give(people[1], "pfizer", 2, date(2021, 9, 1))
    give(people[2], "sinopharm", 1, date(2021, 10, 1))
    give(people[4], "moderna", 1, date(2021, 10, 1))
    give(people[6], "abdala", 1, date(2021, 9, 15))
    give(people[6], "abdala", 2, date(2021, 9, 29))
    give(people[7], "sputnik_v", 1, date(2021, 8, 1))
    give(people[7], "sputnik_v", 2, date(2021, 8, 22))
    give(people[8], "pfizer", 1, date(2021, 8, 1))
    give(people[8], "pfizer", 2, date(2021, 8, 22))
    give(people[9], "astrazeneca", 1, date(2021, 9, 1))
    outsider = resident(11, area="phuc_xa")
    give(outsider, "pfizer", 1, date(2021, 8, 1), by=city_commander)
    give(outsider, "pfizer", 2, date(2021, 8, 22), by=city_commander)
    return people, outsider


def test_coverage_of_a_small_ward_matches_the_hand_computation(small_ward):
    figures = coverage.by_ward(BO_DE, date(2021, 10, 15))[BO_DE]
    assert figures.as_dict() == {
        "adults_18plus": 9,
        "first_dose_18plus": 7,
        "first_dose_18plus_pct": 77.8,
        "fully_vaccinated_18plus": 3,
        "fully_vaccinated_18plus_pct": 33.3,
        "elderly_65plus": 3,
        "fully_vaccinated_65plus": 1,
        "fully_vaccinated_65plus_pct": 33.3,
        "bands": {
            "18-49": {"persons": 4, "first_dose": 3, "fully_vaccinated": 1,
                      "first_dose_pct": 75.0, "fully_vaccinated_pct": 25.0},
            "50-64": {"persons": 2, "first_dose": 2, "fully_vaccinated": 1,
                      "first_dose_pct": 100.0, "fully_vaccinated_pct": 50.0},
            "65+": {"persons": 3, "first_dose": 2, "fully_vaccinated": 1,
                    "first_dose_pct": 66.7, "fully_vaccinated_pct": 33.3},
        },
    }  # fmt: skip


def test_coverage_is_as_of_the_day(small_ward):
    on_the_14th = coverage.by_ward(BO_DE, date(2021, 10, 14))[BO_DE]
    # 4 turns 18 on the 15th: on the 14th, 8 adults, 6 with a dose.
    assert (on_the_14th.adults.persons, on_the_14th.adults.first_dose) == (8, 6)
    before = coverage.by_ward(BO_DE, date(2021, 8, 21))[BO_DE]
    # On 21/08 1, 7 and 8 have their first dose only.
    assert (before.adults.persons, before.adults.first_dose, before.adults.full) == (8, 3, 0)


def test_the_city_sees_each_ward_and_rolls_them_up(small_ward, unit):
    wards = coverage.by_ward("/01/", date(2021, 10, 15))
    assert set(wards) == {BO_DE, "/01/001/00001/"}
    totals = coverage.roll_up(wards, [unit("004"), unit("001"), unit("01")])
    assert totals[unit("004").pk].adults.first_dose == 7
    assert totals[unit("001").pk].adults.full == 1
    assert totals[unit("01").pk].adults.persons == 10


def test_coverage_per_area_splits_the_ward(small_ward, areas):
    found = coverage.by_area([areas["bo_de"].pk, areas["bo_de_cc"].pk], date(2021, 10, 15))
    assert found[areas["bo_de"].pk].adults.persons == 6
    assert found[areas["bo_de_cc"].pk].adults.persons == 3


def _facts(area):
    from phaodai.zoning.indicators import AreaFacts

    return AreaFacts(area.pk, area.code, area.kind, area.population, area.shared_sanitation)


def test_zoning_reads_first_dose_and_65plus_full_per_area(small_ward, areas):
    values = providers.zoning_values(
        [_facts(areas["bo_de"]), _facts(areas["bo_de_cc"]), _facts(areas["phuc_xa"])], hanoi(2021, 10, 15, 8)
    )
    # TDP01: adults 1, 2, 3, 7, 8, 10, four with a dose; 65+ 8 (full) and 10. CC01: 4, 6, 9.
    assert values[areas["bo_de"].pk] == {"first_dose_18plus_pct": 66.7, "full_dose_65plus_pct": 50.0}
    assert values[areas["bo_de_cc"].pk] == {"first_dose_18plus_pct": 100.0, "full_dose_65plus_pct": 0.0}
    assert values[areas["phuc_xa"].pk] == {"first_dose_18plus_pct": 100.0}  # nobody of 65+


def test_a_ward_without_any_dose_recorded_keeps_its_entered_figures(resident, areas, unit):
    resident(1, area="phuc_xa")
    assert providers.zoning_values([_facts(areas["phuc_xa"])], hanoi(2021, 10, 14, 18)) == {}
    day = (hanoi(2021, 9, 30, 16, 30), hanoi(2021, 10, 1, 16, 30))
    assert providers.report_values([unit("00001")], *day) == {}


def test_zoning_gather_uses_the_registered_provider(small_ward, areas):
    from phaodai.zoning import indicators

    gathered = indicators.gather([_facts(areas["bo_de"])], hanoi(2021, 10, 15, 8))
    assert gathered[areas["bo_de"].pk]["first_dose_18plus_pct"] == 66.7


def test_the_daily_report_is_prefilled_with_the_doses_of_its_day(small_ward, unit):
    start, end = hanoi(2021, 9, 30, 16, 30), hanoi(2021, 10, 1, 16, 30)
    values = providers.report_values([unit("00139"), unit("004"), unit("00001")], start, end)
    # 30/09 and 01/10 are both touched by the period: Sinopharm, Moderna on 01/10.
    assert values[unit("00139").pk] == {"vaccinations": 2}
    assert values[unit("004").pk] == {"vaccinations": 2}
    assert values[unit("00001").pk] == {"vaccinations": 0}


def move(person, by, *, area=None, born=None, serial=900):
    """Correct the person through the registry's own service: a move, or a corrected birth date (and
    with it the CCCD, which encodes the birth year)."""
    from phaodai.people import services as people

    corrected = {"birth_date": born, "cccd": cccd_for(person.sex, born, serial)} if born else {}
    return people.update_person(
        by=by, person=person, full_name=person.full_name, sex=person.sex, phone=None,
        residence_area=area or person.residence_area, **{"birth_date": person.birth_date, **corrected},
    )  # fmt: skip


def test_a_vaccinated_person_who_moves_counts_in_their_new_ward(small_ward, areas, city_commander):
    people, _outsider = small_ward
    move(people[8], city_commander, area=areas["phuc_xa"])  # 65+, fully vaccinated
    on = date(2021, 10, 15)
    bo_de, phuc_xa = coverage.by_ward(BO_DE, on)[BO_DE], coverage.by_ward("/01/001/", on)["/01/001/00001/"]
    assert (bo_de.adults.persons, bo_de.adults.first_dose, bo_de.adults.full) == (8, 6, 2)
    assert (phuc_xa.elderly.persons, phuc_xa.elderly.full, phuc_xa.adults.full) == (1, 1, 2)
    # the city's figures are unchanged by the move
    assert sum(c.adults.full for c in coverage.by_ward("/01/", on).values()) == 4


def test_a_corrected_birth_date_moves_the_person_between_bands(small_ward, city_commander):
    people, _outsider = small_ward
    move(people[8], city_commander, born=date(1985, 1, 1))  # was 1950: 65+ → 18-49
    figures = coverage.by_ward(BO_DE, date(2021, 10, 15))[BO_DE]
    assert (figures.elderly.persons, figures.elderly.full) == (2, 0)
    assert (figures.bands["18-49"].persons, figures.bands["18-49"].full) == (5, 2)


def test_coverage_agrees_with_a_join_of_persons_and_their_doses(small_ward, areas, city_commander):
    """The summary's copies against the registry itself: every ward and band, counted the slow way."""
    from phaodai.people.models import Person
    from phaodai.vaccination.models import Dose

    people, _outsider = small_ward
    move(people[1], city_commander, area=areas["phuc_xa"], born=date(1950, 3, 3))
    on = date(2021, 10, 15)
    expected: dict[tuple[str, str], tuple[int, int, int]] = {}
    for person in Person.objects.all():
        band = rules.age_band(person.birth_date, on) if person.birth_date else None
        if band is None:
            continue
        doses = Dose.objects.filter(person=person, given_on__lte=on)
        persons, first, full = expected.get((person.unit_path, band), (0, 0, 0))
        expected[(person.unit_path, band)] = (
            persons + 1,
            first + doses.filter(dose_number=1).exists(),
            full + doses.filter(completes_series=True).exists(),
        )
    found = {
        (path, band): (c.persons, c.first_dose, c.full)
        for path, figures in coverage.by_ward("/01/", on).items()
        for band, c in figures.bands.items()
        if c.persons
    }
    assert found == expected


def test_summaries_are_refreshed_set_wise(small_ward):
    from phaodai.vaccination import services
    from phaodai.vaccination.models import Dose, Summary

    people, outsider = small_ward
    Summary.objects.all().delete()  # as if written by SQL, outside the services
    kept = services.refresh_summaries([p.pk for p in people.values()] + [outsider.pk])
    assert kept == Summary.objects.count() == 8  # 1, 2, 4, 6, 7, 8, 9 and the outsider
    eight = Summary.objects.get(person=people[8])
    assert (eight.unit_path, eight.birth_date, eight.first_dose_on, eight.completed_on) == (
        BO_DE, date(1950, 1, 1), date(2021, 8, 1), date(2021, 8, 22),
    )  # fmt: skip
    Dose.objects.filter(person=people[9]).delete()
    services.refresh_summaries([people[9].pk])
    assert not Summary.objects.filter(person=people[9]).exists()
