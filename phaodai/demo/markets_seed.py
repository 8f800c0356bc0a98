"""The demo's markets as of 22/9/2021 (S26, POLICY.md §5), made through the markets services.

- Markets of Long Biên: in Bồ Đề (00139) chợ Bồ Đề, a supermarket and a convenience store; chợ Gia
  Lâm in Ngọc Lâm, chợ Sài Đồng, chợ Việt Hưng and chợ Phúc Đồng in their wards. Registered by Long
  Biên's district officer, with the reduced hours and capacities of a distancing period.
- Bồ Đề's households name their representative (người đại diện đi chợ): a working-age member where
  there is one; one household in 25 has not named one yet, so the allocation shows them left out.
- Bồ Đề's scheme "every 3 days, 1-hour slots" for the 15 days from 23/9 (Tây Hồ's 5 passes per 15
  days), allocated once on 22/9, and the first tổ dân phố's sheet printed (its passes signed).

Safe to run again: markets and the scheme are found by their natural keys, a representative already
named is left alone, the allocation runs only if the scheme has none, a printed sheet is not printed
again.
"""

from datetime import date, time
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.core.clock import hanoi
from phaodai.demo.context import DemoContext
from phaodai.demo.passes_seed import Signer
from phaodai.demo.scenarios import BO_DE, LONG_BIEN, at, official
from phaodai.markets import printing, services
from phaodai.markets import selectors as markets
from phaodai.markets.allocation import latest_run, run_allocation
from phaodai.people import selectors as people
from phaodai.territory import selectors as territory

REGISTERED, SCHEME_MADE = hanoi(2021, 9, 20, 9, 0), hanoi(2021, 9, 22, 8, 0)
ALLOCATED, PRINTED = hanoi(2021, 9, 22, 9, 0), hanoi(2021, 9, 22, 10, 0)
# (ward, name, kind, address, hours, capacity)
MARKETS = (
    (BO_DE, "Chợ Bồ Đề", "local_market", "Phố Bồ Đề, phường Bồ Đề", (time(6), time(12)), 60),
    (BO_DE, "Siêu thị Bồ Đề", "supermarket", "Phố Nguyễn Văn Cừ, phường Bồ Đề", (time(7), time(21)), 40),
    (BO_DE, "Cửa hàng tiện lợi Bồ Đề", "convenience", "Phố Bồ Đề, phường Bồ Đề", (time(6), time(22)), 8),
    ("00133", "Chợ Gia Lâm", "local_market", "Phố Nguyễn Văn Cừ, phường Ngọc Lâm", (time(6), time(12)), 80),
    ("00142", "Chợ Sài Đồng", "local_market", "Phố Sài Đồng, phường Sài Đồng", (time(6), time(12)), 50),
    ("00127", "Chợ Việt Hưng", "local_market", "Phố Việt Hưng, phường Việt Hưng", (time(6), time(12)), 50),
    ("00151", "Chợ Phúc Đồng", "local_market", "Phố Phúc Đồng, phường Phúc Đồng", (time(6), time(12)), 40),
)
SCHEME = {
    "name": "Phiếu đi chợ 15 ngày (23/9–7/10/2021)",
    "starts_on": date(2021, 9, 23),
    "ends_on": date(2021, 10, 7),
    "pattern": {"kind": "every_n_days", "n": 3},
    "slot_minutes": 60,
    "market_choice": "nearest",
    "single_use": True,
    "tolerance_minutes": 15,
}
WITHOUT_REPRESENTATIVE_EVERY = 25
WORKING_AGE = (date(1961, 9, 23), date(2003, 9, 22))


def _markets(district_officer: Any) -> int:
    made = 0
    for ward_code, name, kind, address, (opens, closes), capacity in MARKETS:
        _market, created = services.create_market(
            by=district_officer, unit=territory.unit_by_code(ward_code), name=name, kind=kind,
            address=address, opens_at=opens, closes_at=closes, capacity=capacity, clock=at(REGISTERED),
        )  # fmt: skip
        made += created
    return made


def _representative(members: list[Any]) -> Any:
    """A working-age member where there is one (they go to market for the household), else the eldest."""
    for person in members:
        if person.birth_date and WORKING_AGE[0] <= person.birth_date <= WORKING_AGE[1]:
            return person
    return members[0]


def _representatives(officer: Any, ward: Any) -> int:
    named = seen = 0
    for area in territory.areas_of(ward).order_by("local_code"):
        households = list(territory.households_of(area).order_by("code"))
        members: dict[int, list[Any]] = {}
        persons = people.persons_visible_to(officer).filter(household_id__in=[h.pk for h in households])
        for person in persons.defer("cccd_ciphertext").order_by("household_id", "birth_date", "pk"):
            members.setdefault(person.household_id or 0, []).append(person)
        for household in households:
            seen += 1
            if seen % WITHOUT_REPRESENTATIVE_EVERY == 0 or household.pk not in members:
                continue
            _row, changed = services.designate_representative(
                by=officer, household=household, person_id=_representative(members[household.pk]).pk,
                clock=at(REGISTERED),
            )  # fmt: skip
            named += changed
    return named


def _sheet_area(ward: Any, scheme: Any) -> Any:
    """The ward's first tổ dân phố (by code) that has passes: the sheet the demo prints."""
    with_passes = markets.passes_of_scheme(scheme).values_list("area_id", flat=True)
    return (
        territory.areas_of(ward).filter(pk__in=with_passes, kind="to_dan_pho").order_by("local_code").first()
        or territory.areas_of(ward).filter(pk__in=with_passes).order_by("local_code").first()
    )


def seed_markets(ctx: DemoContext) -> str:
    """Long Biên's markets, Bồ Đề's representatives, its 15-day scheme allocated and one sheet printed."""
    district_officer = official(Role.DISTRICT_OFFICER, LONG_BIEN)
    officer = official(Role.WARD_OFFICER, BO_DE)
    ward = territory.unit_by_code(BO_DE)
    if ward is None:
        raise LookupError(f"unit {BO_DE} is missing: run the territory migrations first")
    made = _markets(district_officer)
    named = _representatives(officer, ward)
    scheme, _created = services.create_scheme(by=officer, unit=ward, clock=at(SCHEME_MADE), **SCHEME)
    run = latest_run(scheme)
    if run is None:
        run = run_allocation(by=officer, scheme=scheme, clock=at(ALLOCATED))
    printed = 0
    first_area = _sheet_area(ward, scheme)
    passes = markets.passes_of_scheme(scheme).filter(area=first_area)
    if first_area is not None and not passes.filter(printed_at__isnull=False).exists():
        Signer()()
        printing.sheet_pdf(by=officer, scheme=scheme, area=first_area, clock=at(PRINTED))
        printed = passes.filter(printed_at__isnull=False).count()
    return (
        f"{made} markets registered, {named} representatives named; scheme “{scheme.name}”: run "
        f"{run.number} with {run.passes} passes, {run.left_out_count} households left out; "
        f"{printed} passes printed for {first_area.name if first_area else '-'}"
    )
