"""The demo's signed passes and vehicles as of 22/9/2021: keys, Bồ Đề's permits and declarations, Long
Biên's green lane, transit trips (one overdue) and shippers, through the services; a rerun adds nothing."""

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from phaodai.accounts import selectors as accounts
from phaodai.checkpoints.models import Crossing
from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.declarations import selectors as declarations
from phaodai.declarations.models import Declaration
from phaodai.demo.context import DemoContext
from phaodai.demo.passes_seed import seed_live_keys, seed_passes
from phaodai.demo.phases import COMMAND_AS_OF, PHASES, run_phases
from phaodai.demo.scenarios import BO_DE, LONG_BIEN, at
from phaodai.demo.vehicles_seed import seed_vehicles
from phaodai.passes.models import SigningKey
from phaodai.passes.selectors import verify_code
from phaodai.permits import selectors as permit_reads
from phaodai.permits.models import Entry, Organisation, Permit
from phaodai.territory import selectors as territory
from phaodai.vehicles import selectors as vehicles
from phaodai.vehicles.models import GreenLane, Shipper, TransitTrip

NEEDED = ("areas", "people", "logins", "checkpoints")
PERSONS = 1200
DEMO_MOMENT = COMMAND_AS_OF  # 22/9/2021 08:00


def quiet() -> DemoContext:
    return DemoContext(districts=(LONG_BIEN,), persons=PERSONS, write=lambda line: None)


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[str]]:
    """Long Biên's registry and the checkpoints, then the three phases, once for the module."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ctx = quiet()
            run_phases(ctx, [phase for phase in PHASES if phase.name in NEEDED])
            with transaction.atomic():
                yield [seed_passes(ctx), seed_vehicles(ctx), seed_live_keys(ctx)]
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def user(username: str) -> Any:
    found = accounts.user_by_username(username)
    assert found is not None
    return found


def statuses(model: Any, **filters: Any) -> dict[str, int]:
    return dict(Counter(model.objects.filter(**filters).values_list("status", flat=True)))


def counts() -> dict[str, int]:
    models = (
        Organisation, Entry, Permit, Declaration, GreenLane, TransitTrip, Shipper, Crossing, SigningKey,
        AuditEntry,
    )  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_keys_sign_every_pass_type_in_2021_and_today(seeded: list[str]) -> None:
    assert seeded[0].startswith("2 signing keys made"), seeded[0]
    assert seeded[2] == "keys made today: passes, bundles", seeded[2]
    demo_key = SigningKey.objects.get(purpose="passes", status="retired")
    assert demo_key.valid_from <= hanoi(2021, 9, 18) and set(demo_key.pass_types) >= {
        "permit", "declaration", "vehicle", "transit", "shipper",
    }  # fmt: skip
    live = SigningKey.objects.get(purpose="passes", status="active")
    assert live.valid_to > timezone.now() and live.pass_types == demo_key.pass_types
    assert SigningKey.objects.filter(purpose="bundles", status="active").count() == 1


@pytest.mark.django_db
def test_bo_de_organisations_staff_lists_and_permits(seeded: list[str]) -> None:
    ward = territory.unit_by_code(BO_DE)
    assert ward is not None
    assert Organisation.objects.filter(ward=ward, status="confirmed").count() == 3
    assert statuses(Entry, organisation__isnull=False) == {"approved": 13, "rejected": 2, "pending": 3}
    assert statuses(Entry, organisation__isnull=True, group=5) == {"approved": 1, "pending": 2}
    assert statuses(Permit) == {"active": 13, "revoked": 1}
    revoked = Permit.objects.get(status="revoked")
    assert revoked.entry.organisation is not None and revoked.entry.plate
    assert permit_reads.revoked_permit_ids(DEMO_MOMENT) == [revoked.pass_id]
    resident = Permit.objects.get(entry__group=5)
    assert resident.entry.person is not None and resident.entry.supporting_paper


@pytest.mark.django_db
def test_a_seeded_permit_verifies_at_the_demo_moment(seeded: list[str]) -> None:
    permit = Permit.objects.filter(status="active", entry__organisation__isnull=False).first()
    assert permit is not None
    result = verify_code(permit.code, clock=at(DEMO_MOMENT))
    assert result.ok, result.report()
    assert result.payload is not None and result.payload["t"] == "permit"
    assert result.payload["id"] == permit.pass_id and result.payload["pg"] == permit.entry.group
    # One of each other kind, checked an hour into its validity.
    for row in (
        Declaration.objects.filter(review="open").first(),
        GreenLane.objects.filter(status="approved").first(),
        TransitTrip.objects.first(),
        Shipper.objects.filter(status="approved").first(),
    ):
        assert row is not None
        checked = verify_code(row.pass_code, clock=at(row.valid_from + timedelta(hours=1)))
        assert checked.ok, checked.report()


@pytest.mark.django_db
def test_declarations_mostly_clean_a_few_flagged_one_expired(seeded: list[str]) -> None:
    ward = territory.unit_by_code(BO_DE)
    rows = Declaration.objects.filter(ward=ward)
    assert rows.count() >= 20 and rows.count() == Declaration.objects.count()
    assert rows.filter(has_symptoms=True).count() == 2 and rows.filter(has_exposure=True).count() == 2
    assert statuses_of_review(rows) == {"none": rows.count() - 4, "open": 3, "done": 1}
    assert rows.filter(valid_to__lte=DEMO_MOMENT).count() == 1
    assert rows.filter(channel="official").exists() and rows.filter(channel="public").exists()
    worklist = declarations.worklist(user("health-00139")).rows
    assert len(worklist) == 3 and all(row.flagged and row.review == "open" for row in worklist)


def statuses_of_review(rows: Any) -> dict[str, int]:
    return dict(Counter(rows.values_list("review", flat=True)))


@pytest.mark.django_db
def test_green_lane_transit_and_shippers(seeded: list[str]) -> None:
    assert statuses(GreenLane) == {"approved": 8, "rejected": 1, "revoked": 1}
    assert set(GreenLane.objects.values_list("operator", flat=True)) == {
        Organisation.objects.get(tax_code__startswith="0109812").name
    }
    assert statuses(Shipper) == {"approved": 4, "revoked": 1}
    assert all(s.zones and s.hours_end > s.hours_start for s in Shipper.objects.all())
    officer = user("district-004")
    states = vehicles.transit_states(list(TransitTrip.objects.all()), DEMO_MOMENT)
    assert Counter(s.match.state for s in states) == {"left": 3, "overdue": 1, "in_city": 1, "expected": 1}
    overdue = vehicles.overdue_transits(officer, DEMO_MOMENT)
    assert [s.trip.plate_text for s in overdue] == ["15C-998.21"]
    assert overdue[0].match.entry is not None and overdue[0].match.entry.checkpoint_code == "CN-20"


@pytest.mark.django_db
def test_a_rerun_adds_nothing(seeded: list[str]) -> None:
    before = counts()
    ctx = quiet()
    again = [seed_passes(ctx), seed_vehicles(ctx), seed_live_keys(ctx)]
    assert counts() == before
    assert again[0].startswith(
        "0 signing keys made; 0 organisations, 0 permit entries (0 approved, 0 rejected)"
    )
    assert "0 permits issued, 0 revoked; 0 declarations" in again[0], again[0]
    assert again[1].startswith("0 signing keys made; 0 green-lane trucks (0 approved, 0 rejected), 0 transit")
    assert "0 gateway crossings, 0 shippers; 0 revoked" in again[1], again[1]
    assert again[2] == "the active keys sign today: nothing to add"
