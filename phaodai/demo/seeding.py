"""Demo phases that write the territory and the registry through the apps' bulk services."""

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from phaodai.demo.areas import WardRef, plan_areas
from phaodai.demo.context import DemoContext
from phaodai.demo.population import AreaSlot, HouseholdPlan, plan_households
from phaodai.people.rules import PersonRow
from phaodai.people.services import bulk_register
from phaodai.territory import selectors as territory
from phaodai.territory.rules import AreaRow, HouseholdRow
from phaodai.territory.services import bulk_create_areas, bulk_create_households

if TYPE_CHECKING:
    from phaodai.territory.models import Unit

PERSON_BATCH = 5000


def ward_ref(ward: "Unit") -> WardRef:
    """The generator's view of a ward; the district code is read off the path ("/01/004/00139/")."""
    return WardRef(
        code=ward.code,
        name=ward.name,
        unit_type=ward.unit_type,
        district_code=ward.path.strip("/").split("/")[1],
    )


def seed_areas(ctx: DemoContext) -> str:
    """Give every ward without areas its generated 10–40; wards that have areas are left alone."""
    wards = [
        ward
        for ward in territory.within(territory.city()).filter(level="ward").order_by("code")
        if not ctx.districts or ward_ref(ward).district_code in ctx.districts
    ]
    # One query for the whole city: which wards already have areas.
    filled = set(territory.areas_within(territory.city()).values_list("ward_id", flat=True).distinct())
    created = population = 0
    for ward in wards:
        if ward.pk in filled:
            continue
        plans = plan_areas(ctx.seed, ward_ref(ward))
        rows = [AreaRow(p.local_code, p.name, p.kind, p.population, p.households) for p in plans]
        created += len(bulk_create_areas(ward=ward, rows=rows))
        population += sum(p.population for p in plans)
    skipped = sum(ward.pk in filled for ward in wards)
    ctx.results["areas"] = created
    if not created:
        return f"nothing to add: all {skipped} wards already have areas"
    already = f"; {skipped} wards already had areas" if skipped else ""
    return f"{created:,} areas created in {len(wards) - skipped} wards (population {population:,}){already}"


def seed_people(ctx: DemoContext) -> str:
    """Create the planned households that are missing, then register their members in bulk."""
    city = territory.city()
    wards = {unit.pk: ward_ref(unit) for unit in territory.within(city).filter(level="ward")}
    areas = {area.code: area for area in territory.areas_within(city)}
    slots = [
        AreaSlot(code=a.code, kind=a.kind, name=a.name, population=a.population, ward=wards[a.ward_id])
        for a in areas.values()
    ]
    by_area: dict[str, list[HouseholdPlan]] = {}
    for plan in plan_households(seed=ctx.seed, areas=slots, persons=ctx.persons):
        by_area.setdefault(plan.area_code, []).append(plan)
    ctx.progress(
        f"people: planned {sum(len(h) for h in by_area.values()):,} households in {len(by_area):,} areas"
    )

    rows: list[PersonRow] = []
    households = existing_households = 0
    for area_code, plans in by_area.items():
        area = areas[area_code]
        # A household that exists was created with its members (same transaction): skip both.
        present = set(territory.households_of(area).values_list("code", flat=True))
        fresh = [plan for plan in plans if plan.code not in present]
        existing_households += len(plans) - len(fresh)
        if not fresh:
            continue
        households += bulk_create_households(area=area, rows=[HouseholdRow(p.code, p.address) for p in fresh])
        ids = dict(territory.households_of(area).values_list("code", "pk"))
        rows.extend(_person_rows(fresh, area_id=area.pk, unit_path=area.path, household_ids=ids))
    if not rows:
        ctx.results["persons"] = 0
        if not existing_households:
            return "no persons requested"
        return f"nothing to add: all {existing_households:,} planned households and their members are there"
    ctx.progress(f"people: {households:,} households created ({existing_households:,} already there)")
    result = bulk_register(_reporting(ctx, rows), batch_size=PERSON_BATCH)
    ctx.results["persons"] = result.inserted
    rejected = f", {len(result.rejections)} rejected" if result.rejections else ""
    return f"{result.inserted:,} persons registered ({result.skipped:,} already there{rejected})"


def _person_rows(
    plans: Iterable[HouseholdPlan], *, area_id: int, unit_path: str, household_ids: dict[str, int]
) -> Iterator[PersonRow]:
    for plan in plans:
        for person in plan.members:
            yield PersonRow(
                cccd=person.cccd,
                full_name=person.full_name,
                birth_date=person.birth_date,
                sex=person.sex,
                phone=person.phone,
                residence_area_id=area_id,
                unit_path=unit_path,
                household_id=household_ids[plan.code],
                chronic_illness=person.chronic_illness,
                disability_immobile=person.disability_immobile,
                pregnant=person.pregnant,
            )


def _reporting(ctx: DemoContext, rows: list[PersonRow]) -> Iterator[PersonRow]:
    """Pass the rows through, printing progress at each batch boundary."""
    for number, row in enumerate(rows, start=1):
        yield row
        if number % PERSON_BATCH == 0 and number < len(rows):
            ctx.progress(f"people: {number:,}/{len(rows):,} persons prepared")
