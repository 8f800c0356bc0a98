"""`phaodai demo --no-serve` against a real database: the city, its people, the logins, re-runs."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count

from phaodai.accounts.models import RoleAssignment, User
from phaodai.accounts.roles import Role
from phaodai.core.models import AuditEntry
from phaodai.demo.areas import MAX_AREAS, MIN_AREAS
from phaodai.demo.business_seed import OWN_REPRESENTATIVES
from phaodai.demo.logins import DEMO_LOGINS
from phaodai.demo.population import AreaSlot, plan_households
from phaodai.demo.scenarios import OFFICIALS
from phaodai.demo.seeding import ward_ref
from phaodai.people.cccd import cccd_index
from phaodai.people.models import Person
from phaodai.territory.models import Area, Household, Unit

PERSONS = 300
LONG_BIEN = "004"


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def demo_users() -> set[tuple[str, str]]:
    """The demo logins, plus the officials the scenarios act as (no password): Long Biên's ward officers
    (zoning, tasks) and every district's officer (their reports to the city)."""
    districts = Unit.objects.filter(level="district").values_list("code", flat=True)
    return set(DEMO_LOGINS) | set(OFFICIALS) | {(Role.DISTRICT_OFFICER, code) for code in districts}


def demo_user_count() -> int:
    """The logins and scenario officials, and the representatives of the seed's own businesses."""
    return len(demo_users()) + len(OWN_REPRESENTATIVES)


def counts() -> dict[str, int]:
    models = (Area, Household, Person, User, RoleAssignment, AuditEntry)
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_the_whole_city_is_generated_once_and_a_rerun_adds_nothing() -> None:
    output = demo("--persons", str(PERSONS))

    per_ward = dict(Unit.objects.filter(level="ward").annotate(n=Count("areas")).values_list("code", "n"))
    assert len(per_ward) == 579
    assert all(MIN_AREAS <= n <= MAX_AREAS for n in per_ward.values())
    assert Person.objects.count() == PERSONS
    assert not Person.objects.filter(household__isnull=True).exists()
    assert "http://127.0.0.1:8000/" in output and "ward-00139" in output

    before = counts()
    again = demo("--persons", str(PERSONS))
    assert counts() == before
    assert "nothing to add: all 579 wards already have areas" in again
    assert "planned households and their members are there" in again


@pytest.mark.django_db
def test_persons_in_the_database_are_the_seeded_plan() -> None:
    demo("--districts", LONG_BIEN, "--persons", str(PERSONS), "--seed", "7")

    wards = {u.pk: ward_ref(u) for u in Unit.objects.filter(level="ward")}
    slots = [AreaSlot(a.code, a.kind, a.name, a.population, wards[a.ward_id]) for a in Area.objects.all()]
    plan = [m for h in plan_households(seed=7, areas=slots, persons=PERSONS) for m in h.members]
    stored = Person.objects.values_list("full_name", "birth_date", "sex", "cccd_index")
    assert sorted(stored) == sorted((p.full_name, p.birth_date, p.sex, cccd_index(p.cccd)) for p in plan)
    assert set(Area.objects.values_list("path", flat=True)) <= {
        u.path for u in Unit.objects.filter(parent__code="004")
    }


@pytest.mark.django_db
def test_more_persons_on_a_rerun_only_adds_the_difference() -> None:
    demo("--districts", LONG_BIEN, "--persons", "100")
    demo("--districts", LONG_BIEN, "--persons", "400")
    # The smaller run was a prefix of the larger; only its last household may have been cut short.
    assert 390 <= Person.objects.count() <= 400


@pytest.mark.django_db
def test_one_login_per_role_with_the_right_unit_and_a_working_password() -> None:
    demo("--districts", LONG_BIEN, "--persons", "0")

    expected = {
        "city-01": ("city_commander", "01"),
        "district-004": ("district_officer", "004"),
        "ward-00139": ("ward_officer", "00139"),
        "health-00139": ("health_worker", "00139"),
        "welfare-00139": ("welfare_officer", "00139"),
        "lab-01": ("lab_technician", "01"),
        "checkpoint-004": ("checkpoint_officer", "004"),
        "inspector-004": ("inspector", "004"),
        "business-00139": ("business_representative", "00139"),
        "ward-00001": ("ward_officer", "00001"),
        "district-001": ("district_officer", "001"),
        "district-268": ("district_officer", "268"),
    }
    assignments = {
        a.user.username: (a.role, a.unit.code) for a in RoleAssignment.objects.select_related("user", "unit")
    }
    assert expected.items() <= assignments.items()
    assert len(assignments) == demo_user_count() == User.objects.count()
    assert authenticate(username="ward-00139", password="phaodai-demo") is not None
    assert not User.objects.get(username="ward-00115").has_usable_password()


@pytest.mark.django_db
def test_a_rerun_with_another_password_resets_it() -> None:
    demo("--districts", LONG_BIEN, "--persons", "0")
    demo("--districts", LONG_BIEN, "--persons", "0", "--password", "khac-mat-khau")
    assert authenticate(username="city-01", password="phaodai-demo") is None
    assert authenticate(username="city-01", password="khac-mat-khau") is not None
    assert User.objects.count() == demo_user_count()


# Transactional, as `--reset` drops and rebuilds every table; no serialized rollback: the reference data
# comes back by itself after the flush (post_migrate), and restoring a snapshot would clash with the
# content types a flush before this test re-created in another order.
@pytest.mark.django_db(transaction=True)
def test_reset_starts_over() -> None:
    demo("--districts", LONG_BIEN, "--persons", "60")
    demo("--districts", LONG_BIEN, "--persons", "20", "--reset")
    assert Person.objects.count() == 20
    assert User.objects.count() == demo_user_count()
    assert Unit.objects.count() == 1 + 30 + 579
