"""Reads of the territory. Unit and area names are public; changes are scoped (see services)."""

from django.db.models import QuerySet

from phaodai.territory.models import Area, Household, Unit


def unit_by_code(code: str) -> Unit | None:
    return Unit.objects.select_related("parent").filter(code=code).first()


def children_of(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(parent=unit).order_by("code")


def within(unit: Unit) -> QuerySet[Unit]:
    """The unit and every unit below it (path prefix; the same on SQLite and PostgreSQL)."""
    return Unit.objects.filter(path__startswith=unit.path)


def areas_of(ward: Unit) -> QuerySet[Area]:
    return Area.objects.filter(ward=ward, active=True).order_by("local_code")


def areas_within(unit: Unit) -> QuerySet[Area]:
    return Area.objects.filter(path__startswith=unit.path, active=True)


def area_by_code(code: str) -> Area | None:
    return Area.objects.select_related("ward").filter(code=code, active=True).first()


def households_of(area: Area) -> QuerySet[Household]:
    return Household.objects.filter(area=area).order_by("code")
