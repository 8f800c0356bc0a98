"""The demo's vaccination as of 22/9/2021: doses through the services in Long Biên's focus wards (the others
have no residents in this run), coverage that differs between wards, due lists, a site, a team and
home visits; and a rerun adds nothing."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from phaodai.core.models import AuditEntry
from phaodai.demo.cases_outbreak import moment
from phaodai.demo.context import DemoContext
from phaodai.demo.phases import PHASES, run_phases
from phaodai.demo.scenarios import BO_DE, LONG_BIEN
from phaodai.demo.vaccination_seed import AS_OF, seed_vaccination
from phaodai.territory import selectors as territory
from phaodai.vaccination import coverage, providers, selectors
from phaodai.vaccination.models import AdverseEvent, Booking, Dose, HomeVisit, MobileTeam, Site, Summary

NGOC_LAM = "00133"
NEEDED = ("areas", "people", "logins")
PERSONS = 1500


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The registry of Long Biên and the vaccination phase, once for the module, rolled back after it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ctx = DemoContext(districts=(LONG_BIEN,), persons=PERSONS, write=lambda line: None)
            run_phases(ctx, [phase for phase in PHASES if phase.name in NEEDED])
            with transaction.atomic():
                yield seed_vaccination(ctx)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def ward(code: str) -> Any:
    unit = territory.unit_by_code(code)
    assert unit is not None
    return unit


def counts() -> dict[str, int]:
    models = (Dose, Summary, AdverseEvent, Site, Booking, MobileTeam, HomeVisit, AuditEntry)
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_the_phase_seeds_long_biens_two_focus_wards(seeded: str) -> None:
    assert " doses (" in seeded and "in 2 wards" in seeded, seeded
    assert "1 adverse events" in seeded  # Bồ Đề's one
    assert "without residents" not in seeded
    assert {path for path in Dose.objects.values_list("path", flat=True).distinct()} == {
        ward(BO_DE).path,
        ward(NGOC_LAM).path,
    }
    assert Dose.objects.filter(dose_number=2).exists()
    assert set(Dose.objects.values_list("product__code", flat=True).distinct()) >= {
        "astrazeneca",
        "sinopharm",
    }


@pytest.mark.django_db
def test_coverage_reads_high_in_bo_de_and_lower_in_ngoc_lam(seeded: str) -> None:
    bo_de = coverage.of_unit(ward(BO_DE), AS_OF).total
    ngoc_lam = coverage.of_unit(ward(NGOC_LAM), AS_OF).total
    assert bo_de.first_dose_18plus_pct is not None and bo_de.first_dose_18plus_pct >= 85
    assert ngoc_lam.first_dose_18plus_pct is not None
    assert 0 < ngoc_lam.first_dose_18plus_pct < bo_de.first_dose_18plus_pct
    assert 0 < (bo_de.full_dose_18plus_pct or 0) < bo_de.first_dose_18plus_pct
    # Zoning reads the same figures for Bồ Đề's areas.
    areas = list(territory.areas_of(ward(BO_DE)))
    values = providers.zoning_values(areas, moment(AS_OF, 18))
    assert values and all("first_dose_18plus_pct" in v for v in values.values())


@pytest.mark.django_db
def test_due_lists_hold_people_due_and_overdue(seeded: str) -> None:
    rows = selectors.due_list(ward(BO_DE), AS_OF, limit=100).rows
    rows += selectors.due_list(ward(NGOC_LAM), AS_OF, limit=100).rows
    assert rows
    assert {row.status for row in rows} == {"due", "overdue"}
    assert all(row.next_dose == 2 for row in rows)


@pytest.mark.django_db
def test_sites_teams_home_visits_and_a_mild_event(seeded: str) -> None:
    site = Site.objects.get(unit=ward(BO_DE))
    assert "Đức Giang" in site.nearest_hospital and "51/2017/TT-BYT" in site.severe_reaction_plan
    assert site.hours.exists() and all(hour.booked <= hour.capacity for hour in site.hours.all())
    # Bồ Đề is nearly all vaccinated: few are left to book, and the morning's arrivals are checked in.
    assert Booking.objects.filter(site=site, status="checked_in").exists()
    assert Booking.objects.filter(site=site, status="invited", priority_group="elderly_65").exists()
    assert MobileTeam.objects.filter(unit=ward(BO_DE)).count() == 1
    visits = HomeVisit.objects.filter(path=ward(BO_DE).path)
    assert {visit.status for visit in visits} == {"done", "scheduled", "requested"}
    done = visits.get(status="done")
    assert done.dose is not None and done.dose.site
    event = AdverseEvent.objects.get()
    assert event.severity == "mild" and event.path == ward(BO_DE).path


@pytest.mark.django_db
def test_a_rerun_adds_nothing(seeded: str) -> None:
    before = counts()
    again = seed_vaccination(DemoContext(districts=(LONG_BIEN,), persons=PERSONS, write=lambda line: None))
    assert again.startswith("nothing to add: 2 wards already have their doses"), again
    assert counts() == before
