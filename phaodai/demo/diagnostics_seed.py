"""The demo's testing of September 2021 (S18), recorded through the diagnostics services.

- **Bồ Đề's lockdown** (Chung cư HH1, 04/9–18/9, cases_seed.py): the ward plans a screening round on the
  evening the lockdown starts, pooled RT-PCR in pools of 5, every 2 days from 05/9 to 17/9; every
  resident of the area is a target of each session, and the ward adds the housemate of case hh1-4 (the
  registry files people by area, not building). The demo swabs three pools' worth of targets a day
  (coverage is partial: the phase stays fast). Pools go to CDC Hà Nội, results the same evening; the
  11/9 pools go to Đức Giang hospital, whose results come the next noon (past 24 h: turnaround shows
  them late); two pools of 17/9 are still waiting. The 07/9 pool holding the housemate is positive:
  its members are retested one by one on 08/9, his retest being the sample his case cites (test_ref);
  one member is not retested yet. The round is closed when the lockdown is lifted (18/9).
- **The outbreak's first positives**: the individual samples that case hh1-1 (the index case), hh1-2 (the
  vendor) and new-town-1 cite as their test (test_ref), registered the day before their confirmation.
- **Ngọc Lâm's market traders** (a very-high-risk group: every 3 days from 13/9): rapid antigen tests read
  by the sampling team; on 19/9 a trader is positive, with no case yet (the ward's "positives to
  confirm" list) and a PCR sample to confirm it, still waiting at the lab.

Who is sampled is drawn from a random seeded by the demo's seed, over residents in a fixed order, so
every run draws the same. The lockdown round carries an idempotency key: when it exists, nothing is
replayed (a rerun adds nothing). Needs the cases phase (its lockdown and cases); skipped without them.
"""

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.cases import lockdown_selectors
from phaodai.cases import selectors as cases
from phaodai.demo.cases_outbreak import KEY_PREFIX, moment
from phaodai.demo.cases_seed import NGOC_LAM
from phaodai.demo.context import DemoContext
from phaodai.demo.scenarios import BO_DE, CITY, at, official
from phaodai.diagnostics import selectors, services
from phaodai.diagnostics.services import RoundPlan, SampleInput
from phaodai.people import selectors as people
from phaodai.people.cccd import decrypt_cccd
from phaodai.territory import selectors as territory

LOCKDOWN_ROUND_KEY = f"{KEY_PREFIX}:testing:bo-de-lockdown"
TRADERS_ROUND_KEY = f"{KEY_PREFIX}:testing:ngoc-lam-traders"
CDC, DUC_GIANG = "CDC-HN", "BV-DUCGIANG"
POOL_SIZE = 5
# The demo swabs a few of the area's residents each day: every swab goes through the services (about
# 20 ms each on SQLite), and three pools a day show all the page has to show (coverage is partial).
SWABBED_PER_SESSION = 15
POSITIVE_POOL_DAY = date(2021, 9, 7)  # the housemate of case hh1-4 is in one of that day's pools
LATE_LAB_DAY = date(2021, 9, 11)  # Đức Giang's results come the next noon: past 24 h
WAITING_POOLS_DAY, WAITING_POOLS = date(2021, 9, 17), 2  # still no result
TRADERS = 12
TRADER_POSITIVE_DAY = date(2021, 9, 19)
TRADERS_SAMPLED_DAYS = 3  # 13/9, 16/9, 19/9; the sessions of 22/9 and 25/9 are still to come
# The cases whose test_ref is an individual sample taken the evening before (keys of cases_seed.py).
FIRST_POSITIVES = ("hh1-1", "hh1-2", "new-town-1")
HOUSEMATE_CASE = "hh1-4"


def day(n: int) -> date:
    return date(2021, 9, n)


class Lab:
    """The city's lab login (lab-01), entering every laboratory's results as their reports come in."""

    def __init__(self) -> None:
        self.by = official(Role.LAB_TECHNICIAN, CITY)

    def pool(self, pool: Any, outcome: str, when: datetime) -> None:
        services.record_pool_result(
            by=self.by, pool=pool, outcome=outcome, resulted_at=when, clock=at(when + timedelta(minutes=5))
        )

    def sample(self, sample: Any, outcome: str, when: datetime) -> None:
        services.record_result(
            by=self.by,
            sample=sample,
            outcome=outcome,
            resulted_at=when,
            clock=at(when + timedelta(minutes=5)),
        )


def cccd_of(person: Any) -> str:
    """The person's CCCD as the sampling team scans it from the card (read back from the registry)."""
    return decrypt_cccd(bytes(person.cccd_ciphertext))


def health(ward_code: str) -> Any:
    return official(Role.HEALTH_WORKER, ward_code)


def swab(
    by: Any,
    code: str,
    person: Any,
    when: datetime,
    *,
    session: Any = None,
    lab_code: str = CDC,
    method: str = "",
    pool: str = "",
) -> Any:
    """A swab registered by the sampling team a minute after it is taken (the person found by CCCD)."""
    sample, _created = services.register_sample(
        by=by,
        data=SampleInput(
            code=code,
            cccd=cccd_of(person),
            collected_at=when,
            lab_code=lab_code,
            method=method,
            pool_code=pool,
        ),
        session=session,
        clock=at(when + timedelta(minutes=1)),
    )
    return sample


def case_of(key: str) -> Any:
    reader = official(Role.CITY_COMMANDER, CITY)
    return (
        cases.cases_visible_to(reader)
        .select_related("person")
        .filter(idempotency_key=f"{KEY_PREFIX}:case:{key}")
        .first()
    )


# Bồ Đề's lockdown ----------------------------------------------------------------------------------------


def _lockdown() -> Any:
    """The lockdown cases_seed declared in Bồ Đề (its first area, 04/9–18/9)."""
    ward = territory.unit_by_code(BO_DE)
    if ward is None:
        return None
    reader = official(Role.WARD_OFFICER, BO_DE)
    return (
        lockdown_selectors.lockdowns_visible_to(reader)
        .filter(path__startswith=ward.path)
        .select_related("area")
        .order_by("starts_at")
        .first()
    )


def _targets(reader: Any, session: Any) -> list[Any]:
    """The session's target persons, with their CCCDs, in a fixed order."""
    ids: list[Any] = []
    after = None
    while True:
        page = selectors.session_targets(session, after=after, limit=500)
        ids.extend(target.person_id for target in page.items)
        if page.next_after is None:
            break
        after = int(page.next_after)
    return list(
        people.persons_visible_to(reader)
        .filter(pk__in=ids)
        .order_by("household__code", "birth_date", "full_name", "pk")
    )


def positive_pool_index(pools: int) -> int:
    """Which of a day's pools holds the positive: the third, or the last when there are fewer."""
    return min(2, pools - 1)


def _swabbed(rng: random.Random, targets: Sequence[Any], must: Any) -> list[Any]:
    """Who the team reaches this day, whole pools of them; `must` (when a target) in the positive pool."""
    size = max(min(SWABBED_PER_SESSION, len(targets)) // POOL_SIZE * POOL_SIZE, min(1, len(targets)))
    if must is None or all(p.pk != must.pk for p in targets):
        return rng.sample(list(targets), size)
    chosen = rng.sample([p for p in targets if p.pk != must.pk], size - 1)
    chosen.insert(positive_pool_index(-(-size // POOL_SIZE)) * POOL_SIZE, must)
    return chosen


def _screen_lockdown(rng: random.Random, lockdown: Any) -> tuple[Any, dict[str, int]]:
    officer, bd = official(Role.WARD_OFFICER, BO_DE), health(BO_DE)
    ward = territory.unit_by_code(BO_DE)
    planned = lockdown.starts_at + timedelta(hours=1)
    testing_round, created = services.create_round(
        by=officer,
        unit=ward,
        plan=RoundPlan(
            name=f"Sàng lọc khu phong tỏa {lockdown.area.name} (QĐ {lockdown.decision_number})",
            target="lockdown",
            method="pcr_pooled",
            pool_size=POOL_SIZE,
            cadence_days=2,
            starts_on=day(5),
            ends_on=day(17),
            lockdown_id=lockdown.pk,
        ),
        idempotency_key=LOCKDOWN_ROUND_KEY,
        clock=at(planned),
    )
    tally = dict.fromkeys(
        ("sessions", "samples", "pools", "positive_pools", "retests", "cited", "waiting"), 0
    )
    if not created:
        return None, tally
    housemate_case = case_of(HOUSEMATE_CASE)
    housemate = housemate_case.person if housemate_case else None
    if housemate is not None and _ward_code(housemate) == BO_DE:
        # The registry keeps areas, not buildings: the ward adds the building's people it files elsewhere.
        services.add_targets(
            by=officer, testing_round=testing_round, cccds=[cccd_of(housemate)], clock=at(planned)
        )
    lab = Lab()
    for session in selectors.sessions_of(officer, testing_round):
        targets = _targets(officer, session)
        if not targets:
            continue
        tally["sessions"] += 1
        on = session.day
        must = housemate if on == POSITIVE_POOL_DAY else None
        swabbed = _swabbed(rng, targets, must)
        lab_code = DUC_GIANG if on == LATE_LAB_DAY else CDC
        pools: list[tuple[str, list[Any]]] = []
        for n, person in enumerate(swabbed):
            pool_code = f"PBD{on:%y%m%d}-{n // POOL_SIZE + 1:02d}"
            when = moment(on, 7, 0) + timedelta(minutes=2 * n)
            swab(
                bd,
                f"BD{on:%y%m%d}-{n + 1:03d}",
                person,
                when,
                session=session,
                lab_code=lab_code,
                pool=pool_code,
            )
            if not pools or pools[-1][0] != pool_code:
                pools.append((pool_code, []))
            pools[-1][1].append(person)
        tally["samples"] += len(swabbed)
        tally["pools"] += len(pools)
        for k, (pool_code, members) in enumerate(pools):
            pool = selectors.pool_by_code(lab.by, pool_code)
            if on == WAITING_POOLS_DAY and k >= len(pools) - WAITING_POOLS:
                tally["waiting"] += len(members)
                continue
            resulted = moment(on + timedelta(days=1), 12) if on == LATE_LAB_DAY else moment(on, 20)
            positive = on == POSITIVE_POOL_DAY and k == positive_pool_index(len(pools))
            lab.pool(pool, "positive" if positive else "negative", resulted)
            if positive:
                tally["positive_pools"] += 1
                retested, cited = _retest(lab, members, housemate_case)
                tally["retests"] += retested
                tally["cited"] += cited
    services.close_round(
        by=officer, testing_round=testing_round, version=None, clock=at(moment(day(18), 18, 30))
    )
    return testing_round, tally


def _retest(lab: Lab, members: Sequence[Any], housemate_case: Any) -> tuple[int, int]:
    """The positive pool's members swabbed one by one on 08/9, the last one not reached yet;
    (retested, cited by a case)."""
    retested = cited = 0
    for n, person in enumerate(members[:-1]):
        is_case = housemate_case is not None and person.pk == housemate_case.person_id
        taken = moment(day(8), 6, 30) + timedelta(minutes=5 * n)
        code = housemate_case.test_ref if is_case else f"RBD210908-{n + 1:02d}"
        sample = swab(health(BO_DE), code, person, taken, method="pcr")
        if is_case:
            lab.sample(sample, "positive", housemate_case.confirmed_at - timedelta(minutes=30))
            cited += 1
        else:
            lab.sample(sample, "negative", moment(day(8), 15))
        retested += 1
    return retested, cited


def _first_positives(lab: Lab) -> int:
    """The samples the outbreak's first cases cite: taken the evening before, positive by morning."""
    matched = 0
    for key in FIRST_POSITIVES:
        case = case_of(key)
        if case is None or not case.test_ref:
            continue
        taken = case.confirmed_at - timedelta(hours=13)
        sample = swab(health(_ward_code(case.person)), case.test_ref, case.person, taken, method="pcr")
        lab.sample(sample, "positive", case.confirmed_at - timedelta(minutes=30))
        matched += 1
    return matched


def _ward_code(person: Any) -> str:
    return str(person.unit_path.strip("/").split("/")[-1])


# Ngọc Lâm's market traders -------------------------------------------------------------------------------


def _traders(rng: random.Random) -> list[Any]:
    """Adults of Ngọc Lâm with no case, in a fixed order, a seeded draw of them."""
    ward = territory.unit_by_code(NGOC_LAM)
    if ward is None:
        return []
    reader = official(Role.CITY_COMMANDER, CITY)
    with_case = cases.cases_visible_to(reader).values("person_id")
    adults = list(
        people.persons_visible_to(reader)
        .filter(unit_path=ward.path, provisional=False, birth_date__lte=date(2001, 9, 1))
        .filter(birth_date__gte=date(1961, 9, 1), cccd_ciphertext__isnull=False)
        .exclude(pk__in=with_case)
        .order_by("household__code", "birth_date", "full_name", "pk")
    )
    return rng.sample(adults, min(TRADERS, len(adults)))


def _screen_traders(rng: random.Random) -> dict[str, int]:
    tally = {"sessions": 0, "samples": 0, "positives": 0}
    traders = _traders(rng)
    if not traders:
        return tally
    officer, nl = official(Role.WARD_OFFICER, NGOC_LAM), health(NGOC_LAM)
    planned = at(moment(day(12), 10))
    testing_round, created = services.create_round(
        by=officer,
        unit=territory.unit_by_code(NGOC_LAM),
        plan=RoundPlan(
            name="Test nhanh định kỳ tiểu thương các chợ phường Ngọc Lâm",
            target="group",
            risk_group="market_trader",
            method="rapid_antigen",
            cadence_days=3,
            starts_on=day(13),
            ends_on=day(25),
        ),
        idempotency_key=TRADERS_ROUND_KEY,
        clock=planned,
    )
    if not created:
        return tally
    services.add_targets(
        by=officer, testing_round=testing_round, cccds=[cccd_of(p) for p in traders], clock=planned
    )
    positive = traders[rng.randrange(len(traders))]
    for session in selectors.sessions_of(officer, testing_round)[:TRADERS_SAMPLED_DAYS]:
        tally["sessions"] += 1
        on = session.day
        for n, person in enumerate(traders):
            taken = moment(on, 6, 0) + timedelta(minutes=3 * n)
            sample = swab(nl, f"NL{on:%y%m%d}-{n + 1:03d}", person, taken, session=session, lab_code="")
            is_positive = on == TRADER_POSITIVE_DAY and person is positive
            services.record_result(
                by=nl,
                sample=sample,
                outcome="positive" if is_positive else "negative",
                resulted_at=taken + timedelta(minutes=15),
                clock=at(taken + timedelta(minutes=16)),
            )
            tally["samples"] += 1
            tally["positives"] += int(is_positive)
    # The positive rapid test is confirmed by RT-PCR: swabbed the same morning, its result not back yet.
    swab(nl, f"NL{TRADER_POSITIVE_DAY:%y%m%d}-PCR1", positive, moment(TRADER_POSITIVE_DAY, 10), method="pcr")
    tally["samples"] += 1
    return tally


# The phase ---------------------------------------------------------------------------------------------


def seed_diagnostics(ctx: DemoContext) -> str:
    """The laboratories, Bồ Đề's lockdown screening, the first cases' samples, Ngọc Lâm's traders."""
    labs = services.ensure_labs()
    lockdown = _lockdown()
    if lockdown is None:
        return f"skipped: Bồ Đề has no lockdown (run the cases phase first); {labs} laboratories added"
    rng = random.Random(f"{ctx.seed}:diagnostics")
    testing_round, lockdown_tally = _screen_lockdown(rng, lockdown)
    if testing_round is None:
        return f"{labs} laboratories added; nothing else to add: the testing of September 2021 is there"
    ctx.progress(f"diagnostics: {testing_round.name}")
    matched = _first_positives(Lab())
    traders = _screen_traders(rng)
    t = lockdown_tally
    return (
        f"{labs} laboratories; lockdown round: {t['sessions']} sessions, {t['samples']} samples in "
        f"{t['pools']} pools ({t['positive_pools']} positive, {t['retests']} retested, {t['waiting']} "
        f"waiting); {matched + t['cited']} samples cited by cases; traders' round: "
        f"{traders['sessions']} sessions, {traders['samples']} samples, {traders['positives']} positive "
        f"to confirm"
    )
