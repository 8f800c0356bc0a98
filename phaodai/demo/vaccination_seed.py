"""The demo's vaccination as of 22/9/2021 (S19), recorded through the vaccination services.

Long Biên's two focus wards keep their doses in phaodai, at coverages chosen so the coverage page and
zoning's indicators differ between them: Bồ Đề near the city's late-September figure (~95% of adults
with a first dose), Ngọc Lâm lagging. Each adult's doses are drawn from a random seeded by the demo's
seed and the person (name, birth date), so every run draws the same doses whatever the database's order:

- dose 1 between late July and 19/9 (the over-65s earlier, the mass campaign peaking early September),
  AstraZeneca, Moderna and Pfizer before mid-August, Sinopharm Vero Cell most of all after;
- dose 2 for most of those whose recommended day has passed, at or a few days after it (AstraZeneca
  now and then followed by Pfizer, as MoH allowed); the others stay due or, past the window, overdue;
- a mild adverse event in Bồ Đề; a site per ward (hourly capacity, opening hours, incident plan
  naming the nearest real hospital) with the elderly invited for 22/9, a few booked, checked in and
  vaccinated;
- a mobile team per ward and home-visit requests for immobile residents not yet vaccinated, some
  scheduled and one vaccinated at home.

Lots, vaccinators, sites' addresses, contacts and capacities are the demo's own (marked "(demo)").
A ward's drawn doses go through the bulk dose service (services_imports.record_doses: the same dose
rule and summaries as record_dose, written set-wise in one transaction), a second or so for the two
wards where one dose at a time took ~20 s; the 22nd's doses at the site and at home go through
record_dose like a vaccinator's. A ward that already has doses is left as it is: a rerun adds nothing.
"""

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.demo.cases_outbreak import moment
from phaodai.demo.context import DemoContext
from phaodai.demo.scenarios import at, official
from phaodai.people import selectors as people
from phaodai.territory import selectors as territory
from phaodai.vaccination import coverage, home, rules, selectors, services, services_imports, sites

# The demo's "today" (the command phase's day): doses to the 21st, then the 22nd's at a site and at home.
AS_OF = date(2021, 9, 22)
CAMPAIGN_START = date(2021, 7, 20)  # the elderly and priority groups first (the city's wave 4)
MASS_PEAK = date(2021, 9, 3)  # the city's mass campaign before 22/CT-UBND
LAST_DOSE_DAY = date(2021, 9, 21)
MIXING_SWITCH = date(2021, 8, 15)  # after it Hà Nội's large Vero Cell deliveries dominate
FIRST_DOSE_PRODUCTS = {
    "early": (("astrazeneca", 60), ("moderna", 20), ("pfizer", 20)),
    "late": (("sinopharm", 50), ("astrazeneca", 30), ("pfizer", 15), ("moderna", 5)),
}
LOTS = {  # the demo's lot numbers, three per product
    "astrazeneca": ("ABV5811", "ABW0411", "NJ0324"),
    "pfizer": ("FF2589", "FG3527", "FH0161"),
    "moderna": ("3002187", "3002190", "3004213"),
    "sinopharm": ("202107B2154", "202108B2401", "202108B2488"),
}
PFIZER_AFTER_ASTRAZENECA = 0.1
AEFI_PER_WARD = {"00139": 1}
INVITED_PER_SITE, BOOKED_PER_SITE, CHECKED_IN_PER_SITE = 20, 8, 5
HOME_VISITS_PER_WARD, SCHEDULED_PER_WARD = 4, 2
INCIDENT_PHONE = "115"  # the emergency number: a site's own line would have to be invented


@dataclass(frozen=True)
class WardPlan:
    """A seeded ward: how far its campaign got, its site and the hospital a severe reaction goes to."""

    code: str
    first_dose_share: float  # of adults
    second_dose_share: float  # of those whose dose 2 is due
    site_name: str
    site_address: str
    hospital: str
    hourly_capacity: int = 60
    team_capacity: int = 10


DUC_GIANG = "Bệnh viện Đa khoa Đức Giang (54 Trường Lâm, phường Đức Giang, quận Long Biên)"
WARDS: tuple[WardPlan, ...] = (
    WardPlan(
        "00139", 0.95, 0.85, "Điểm tiêm Trạm Y tế phường Bồ Đề (demo)",
        "Trạm Y tế phường Bồ Đề, quận Long Biên", DUC_GIANG,
    ),
    WardPlan(
        "00133", 0.8, 0.6, "Điểm tiêm Trạm Y tế phường Ngọc Lâm (demo)",
        "Trạm Y tế phường Ngọc Lâm, quận Long Biên", DUC_GIANG,
    ),
)  # fmt: skip
VACCINATORS = ("Y sĩ Nguyễn Thị Hoa (demo)", "Điều dưỡng Trần Văn Minh (demo)", "Bác sĩ Lê Thu Trang (demo)")
SEVERE_REACTION_PLAN = (
    "Xử trí phản vệ theo Thông tư 51/2017/TT-BYT: ngừng tiêm, đặt người bệnh nằm, tiêm bắp adrenalin "
    "theo phác đồ, thở oxy; gọi cấp cứu 115 và tổ cấp cứu lưu động; chuyển người bệnh đến {hospital}. "
    "Theo dõi mọi người sau tiêm 30 phút tại điểm tiêm."
)
MILD_AEFI = "Sốt nhẹ 38°C, đau và sưng tại chỗ tiêm; đã dùng hạ sốt, hết sau 24 giờ."


@dataclass
class Tally:
    wards: int = 0
    already: int = 0
    doses: int = 0
    second: int = 0
    events: int = 0
    sites: int = 0
    booked: int = 0
    teams: int = 0
    visits: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Drawn:
    """The doses one adult received: (product code, day) for dose 1 and, if given, dose 2."""

    doses: tuple[tuple[str, date], ...]


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([code for code, _w in choices], weights=[w for _c, w in choices])[0]


def _first_day(rng: random.Random, elderly: bool) -> date:
    if elderly:
        return CAMPAIGN_START + timedelta(days=rng.randint(0, 42))
    span = (LAST_DOSE_DAY - CAMPAIGN_START).days
    offset = rng.triangular(0, span, (MASS_PEAK - CAMPAIGN_START).days)
    return CAMPAIGN_START + timedelta(days=int(offset))


def draw(*, seed: int, person: Any, plan: WardPlan, schedules: dict[str, rules.Schedule]) -> Drawn | None:
    """One adult's doses as of AS_OF (None: not vaccinated), from a random of the seed and the person."""
    rng = random.Random(f"{seed}:vaccination:{person.full_name}:{person.birth_date}:{person.sex}")
    elderly = person.birth_date <= rules.years_before(AS_OF, rules.ELDERLY_AGE)
    if person.disability_immobile or rng.random() >= plan.first_dose_share:
        return None  # the immobile wait for a home visit (below)
    first_on = _first_day(rng, elderly)
    if person.birth_date > rules.years_before(first_on, rules.ADULT_AGE):
        return None  # not yet 18 on that day: adults only in 2021
    first = _weighted(rng, FIRST_DOSE_PRODUCTS["early" if first_on < MIXING_SWITCH else "late"])
    upcoming = rules.next_dose(schedules, rules.GivenDose(1, first_on, first))
    if upcoming is None or upcoming.due_on > LAST_DOSE_DAY or rng.random() >= plan.second_dose_share:
        return Drawn(((first, first_on),))
    second_on = min(upcoming.due_on + timedelta(days=rng.randint(0, 7)), LAST_DOSE_DAY)
    second = first
    if first == "astrazeneca" and rng.random() < PFIZER_AFTER_ASTRAZENECA:
        second = "pfizer"
    return Drawn(((first, first_on), (second, second_on)))


def _lot(product: str, day: date) -> str:
    lots = LOTS[product]
    return lots[day.toordinal() % len(lots)]


def _vaccinator(on: date) -> str:
    return VACCINATORS[on.toordinal() % len(VACCINATORS)]


def _record(tally: Tally, by: Any, person: Any, number: int, product: Any, on: date, site: str) -> Any:
    dose, created = services.record_dose(
        by=by, person=person, product=product, dose_number=number, given_on=on, lot=_lot(product.code, on),
        site=site, vaccinator=_vaccinator(on), clock=at(moment(on, 17)),
    )  # fmt: skip
    tally.doses += created
    tally.second += created and number == 2
    return dose


def _record_drawn(tally: Tally, by: Any, entries: list[services_imports.DoseEntry]) -> None:
    """The ward's drawn doses in one set-wise write, as of the last day they reach."""
    done = services_imports.record_doses(by=by, doses=entries, clock=at(moment(LAST_DOSE_DAY, 17)))
    if done.rejections:  # the draw follows the schedules: a refusal is a bug in the draw
        raise ValueError(f"the demo drew doses the dose rule refuses: {done.rejections[:3]}")
    tally.doses += done.accepted
    tally.second += sum(entry.dose_number == 2 for entry in entries)


def _dose_of(entry: services_imports.DoseEntry) -> Any:
    return next(d for d in selectors.doses_of(entry.person) if d.dose_number == entry.dose_number)


def _adults(reader: Any, ward: Any) -> list[Any]:
    return list(
        people.persons_visible_to(reader)
        .filter(
            unit_path=ward.path, provisional=False, birth_date__lte=rules.years_before(AS_OF, rules.ADULT_AGE)
        )
        .order_by("birth_date", "full_name", "pk")
    )


def _site(plan: WardPlan, ward: Any, officer: Any) -> Any:
    clock = at(moment(CAMPAIGN_START - timedelta(days=5), 9))
    return sites.register_site(
        by=officer, unit=ward, name=plan.site_name, address=plan.site_address,
        hourly_capacity=plan.hourly_capacity, opens_at=time(7), closes_at=time(17),
        incident_contact=f"Trưởng Trạm Y tế {ward.name} (demo)", incident_phone=INCIDENT_PHONE,
        nearest_hospital=plan.hospital, clock=clock,
        severe_reaction_plan=SEVERE_REACTION_PLAN.format(hospital=plan.hospital),
    )  # fmt: skip


def _site_day(tally: Tally, site: Any, officer: Any, worker: Any, waiting: list[Any], product: Any) -> None:
    """22/9 at the site: the elderly invited the day before; unvaccinated adults book an hour, the
    morning's arrive, are checked in and get their first dose."""
    eve = at(moment(AS_OF - timedelta(days=1), 15))
    sites.invite_priority_group(
        by=officer, site=site, group="elderly_65", day=AS_OF, limit=INVITED_PER_SITE, clock=eve
    )
    for n, person in enumerate(waiting[:BOOKED_PER_SITE]):
        starts = moment(AS_OF, 8 + n // 3)
        booking, created = sites.book_hour(by=worker, site=site, person=person, starts_at=starts, clock=eve)
        tally.booked += created
        if n >= CHECKED_IN_PER_SITE:
            continue
        sites.check_in(by=worker, booking=booking, clock=at(starts + timedelta(minutes=10 + n)))
        _record(tally, worker, person, 1, product, AS_OF, site.name)


def _home_visits(
    tally: Tally, plan: WardPlan, ward: Any, officer: Any, worker: Any, waiting: list[Any]
) -> None:
    """A team for the ward; the immobile (or, failing them, the oldest) unvaccinated asked for at home."""
    team = home.register_team(
        by=officer, unit=ward, name=f"Tổ tiêm lưu động {ward.name} (demo)",
        daily_capacity=plan.team_capacity, clock=at(moment(date(2021, 9, 1), 9)),
    )  # fmt: skip
    tally.teams += 1
    requested = at(moment(AS_OF - timedelta(days=3), 10))
    for n, person in enumerate(waiting[:HOME_VISITS_PER_WARD]):
        reason = None if home.reason_for(person, AS_OF) else "ward"
        visit, created = home.request_home_visit(
            by=officer, person=person, reason=reason, note="Không tự đi lại được (demo)", clock=requested
        )
        tally.visits += created
        if n >= SCHEDULED_PER_WARD:
            continue
        # The first visit was on 22/9 and is done; the second is booked for the next day.
        day = AS_OF if n == 0 else AS_OF + timedelta(days=1)
        visit = home.schedule_home_visit(by=officer, visit=visit, team=team, day=day, clock=requested)
        if n == 0:
            product = selectors.product_by_code("astrazeneca")
            home.record_visit_dose(
                by=worker, visit=visit, product=product, dose_number=1, lot=_lot("astrazeneca", AS_OF),
                vaccinator=VACCINATORS[0], given_on=AS_OF, clock=at(moment(AS_OF, 15)),
            )  # fmt: skip
            tally.doses += 1


def _events(tally: Tally, worker: Any, doses: list[Any], count: int) -> None:
    """Mild reactions the evening after a dose, reported by the ward's health worker."""
    for dose in doses[:count]:
        services.report_adverse_event(
            by=worker, dose=dose, severity="mild", onset_at=moment(dose.given_on, 20),
            outcome="recovered", description=MILD_AEFI, idempotency_key=f"demo-aefi-{dose.pk}",
            clock=at(moment(dose.given_on + timedelta(days=1), 9)),
        )  # fmt: skip
        tally.events += 1


def _seed_ward(tally: Tally, plan: WardPlan, seed: int, reader: Any) -> None:
    ward = territory.unit_by_code(plan.code)
    if ward is None:
        raise LookupError(f"unit {plan.code} is missing: run the territory migrations first")
    adults = _adults(reader, ward)
    if not adults:
        tally.skipped.append(plan.code)
        return
    if coverage.by_ward(ward.path, AS_OF).get(ward.path, coverage.Coverage()).adults.first_dose:
        tally.already += 1  # its doses are there: the phase ran in this database before
        return
    officer, worker = official(Role.WARD_OFFICER, plan.code), official(Role.HEALTH_WORKER, plan.code)
    site = _site(plan, ward, officer)
    tally.sites += 1
    schedules = selectors.schedules()
    products = {product.code: product for product in selectors.products()}
    unvaccinated: set[Any] = set()
    entries: list[services_imports.DoseEntry] = []
    for person in adults:
        drawn = draw(seed=seed, person=person, plan=plan, schedules=schedules)
        if drawn is None:
            unvaccinated.add(person.pk)
            continue
        for number, (code, on) in enumerate(drawn.doses, start=1):
            entries.append(
                services_imports.DoseEntry(
                    person, products[code], number, on, _lot(code, on), site.name, _vaccinator(on)
                )
            )
    _record_drawn(tally, worker, entries)
    earlier = [e for e in entries if e.given_on < AS_OF][: AEFI_PER_WARD.get(plan.code, 0)]
    _events(tally, worker, [_dose_of(e) for e in earlier], len(earlier))
    waiting = sorted(
        (p for p in adults if p.pk in unvaccinated),
        key=lambda p: (not p.disability_immobile, p.birth_date, p.full_name),
    )
    _home_visits(tally, plan, ward, officer, worker, waiting)
    at_home = {visit.person_id for visit in selectors.home_visits_of(ward, open_only=False)}
    mobile = [p for p in waiting if p.pk not in at_home and not home.reason_for(p, AS_OF)]
    _site_day(tally, site, officer, worker, mobile, products["astrazeneca"])
    tally.wards += 1


def seed_vaccination(ctx: DemoContext) -> str:
    """Doses, adverse events, sites, teams and home visits of the two wards; returns a one-line summary."""
    tally = Tally()
    reader = official(Role.CITY_COMMANDER, "01")
    for plan in WARDS:
        _seed_ward(tally, plan, ctx.seed, reader)
        ctx.progress(f"vaccination: ward {plan.code}: {tally.doses:,} doses so far")
    skipped = f"; {len(tally.skipped)} wards without residents" if tally.skipped else ""
    if not tally.wards:
        return f"nothing to add: {tally.already} wards already have their doses{skipped}"
    already = f" ({tally.already} already there)" if tally.already else ""
    return (
        f"{tally.doses:,} doses ({tally.second:,} second doses) in {tally.wards} wards{already}, "
        f"{tally.events} adverse events, {tally.sites} sites ({tally.booked} bookings), "
        f"{tally.teams} mobile teams, {tally.visits} home visits{skipped}"
    )
