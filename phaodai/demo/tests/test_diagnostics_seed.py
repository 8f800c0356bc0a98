"""The demo's testing of September 2021: Bồ Đề's lockdown screening with a positive pool and its retests,
the samples the cases cite, Ngọc Lâm's traders with a positive to confirm; fast, and a rerun adds nothing."""

import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from phaodai.accounts.selectors import user_by_username
from phaodai.cases.models import Case
from phaodai.demo.cases_seed import NGOC_LAM
from phaodai.demo.context import DemoContext
from phaodai.demo.diagnostics_seed import seed_diagnostics
from phaodai.demo.phases import PHASES, run_phases
from phaodai.demo.scenarios import BO_DE, LONG_BIEN
from phaodai.diagnostics import selectors, turnaround
from phaodai.diagnostics.models import Lab, Pool, Retest, Sample, SamplingSession, SessionTarget, TestingRound

HA_DONG = "268"
NEEDED = ("areas", "people", "logins", "zoning", "quarantine", "cases")
PERSONS = 4000
SECONDS_AT_MOST = 5.0


def quiet(_line: str) -> None:
    """Swallow the phases' progress lines."""


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[DemoContext, str, float]]:
    """The phases the testing stands on, then the diagnostics phase (timed), rolled back after the module."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ctx = DemoContext(districts=(LONG_BIEN, HA_DONG), persons=PERSONS, write=quiet)
            run_phases(ctx, [phase for phase in PHASES if phase.name in NEEDED])
            started = time.monotonic()
            with transaction.atomic():
                summary = seed_diagnostics(ctx)
            yield ctx, summary, time.monotonic() - started
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def login(demo: Any, db: Any) -> Any:
    def find(username: str) -> Any:
        user = user_by_username(username)
        assert user is not None, username
        return user

    return find


def counts() -> dict[str, int]:
    models = (Lab, TestingRound, SamplingSession, SessionTarget, Pool, Sample, Retest)
    return {model.__name__: model.objects.count() for model in models}


def test_the_phase_seeds_both_rounds_quickly_and_says_so(demo: Any, login: Any) -> None:
    _ctx, summary, seconds = demo
    assert summary.startswith("8 laboratories; lockdown round: 7 sessions"), summary
    assert "1 positive, 4 retested, 10 waiting" in summary
    assert "4 samples cited by cases" in summary
    assert "traders' round: 3 sessions, 61 samples, 1 positive to confirm" in summary
    assert seconds < SECONDS_AT_MOST, seconds
    lockdown_round = TestingRound.objects.get(target="lockdown")
    assert (lockdown_round.method, lockdown_round.pool_size, lockdown_round.cadence_days) == ("pcr_pooled", 5, 2)
    assert lockdown_round.status == "closed"
    traders = TestingRound.objects.get(target="group")
    assert (traders.risk_group, traders.method, traders.unit.code) == ("market_trader", "rapid_antigen", NGOC_LAM)


def test_sessions_have_targets_and_partial_coverage(demo: Any, login: Any) -> None:
    officer = login(f"ward-{BO_DE}") if user_by_username(f"ward-{BO_DE}") else None
    lockdown_round = TestingRound.objects.get(target="lockdown")
    sessions = list(lockdown_round.sessions.order_by("day"))
    assert [s.day.day for s in sessions] == [5, 7, 9, 11, 13, 15, 17]
    assert all(0 < s.sampled < s.targeted for s in sessions) or all(s.sampled <= s.targeted for s in sessions)
    assert all(s.status == "done" for s in sessions)
    del officer


def test_cases_cite_samples_that_exist_and_are_positive() -> None:
    pass


@pytest.mark.usefixtures("login")
def test_case_test_refs_are_positive_samples_of_the_same_person() -> None:
    cited = 0
    for case in Case.objects.filter(residence_unit__code=BO_DE):
        sample = Sample.objects.filter(code=case.test_ref).first()
        if sample is not None:
            assert (sample.person_id, sample.outcome) == (case.person_id, "positive")
            cited += 1
    assert cited == 4


def test_the_ward_sees_retests_positives_and_late_turnaround(demo: Any, login: Any) -> None:
    district = login(f"district-{LONG_BIEN}")
    bo_de_health = login(f"health-{BO_DE}")
    ngoc_lam = login(f"ward-{NGOC_LAM}")
    retests = selectors.open_retests(bo_de_health).items
    assert len(retests) == 1 and retests[0].sample.person.unit_path.endswith(f"/{BO_DE}/")
    assert Retest.objects.filter(status="done").count() == 4
    positives = selectors.positives_to_confirm(ngoc_lam).items
    assert [p.method for p in positives] == ["rapid_antigen"]
    assert selectors.positives_to_confirm(district).items == positives
    # Cases confirmed from their samples are not "to confirm" any more.
    assert not selectors.positives_to_confirm(login(f"ward-{BO_DE}")).items
    labs = {row.label: row for row in turnaround.by_lab(district, date(2021, 9, 3), date(2021, 9, 20))}
    assert labs["Bệnh viện Đa khoa Đức Giang"].within < labs["Bệnh viện Đa khoa Đức Giang"].counted
    cdc = labs["Trung tâm Kiểm soát bệnh tật Hà Nội (CDC Hà Nội)"]
    assert cdc.waiting_late >= 10 and cdc.within_pct is not None and cdc.within_pct < 100
    waiting = selectors.waiting_since(bo_de_health, before=Sample.objects.latest("collected_at").collected_at)
    assert waiting.items


def test_a_rerun_adds_nothing(demo: Any, login: Any) -> None:
    ctx, _summary, _seconds = demo
    before = counts()
    assert seed_diagnostics(ctx).endswith("the testing of September 2021 is there")
    assert counts() == before
