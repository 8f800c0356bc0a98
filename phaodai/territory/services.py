"""Writes to the territory: residential areas and households (one transaction each, audited)."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core import audit
from phaodai.core.errors import Duplicate
from phaodai.core.text import search_key
from phaodai.territory import imports, selectors
from phaodai.territory.models import Area, Household, Unit
from phaodai.territory.rules import AreaRow, CellError, HouseholdRow, zero_stripped
from phaodai.territory.validation import (
    clean_count,
    clean_kind,
    clean_local_code,
    clean_name,
    require_ward,
)

BATCH_SIZE = 500
AREA_TYPE = "territory.area"


class DuplicateArea(Duplicate):
    code = "duplicate_area"
    message = gettext_lazy("This ward already has an area with this local code or name.")


def _state(area: Area) -> dict[str, Any]:
    return {
        "code": area.code,
        "name": area.name,
        "kind": area.kind,
        "population": area.population,
        "households": area.households,
        "shared_sanitation": area.shared_sanitation,
        "active": area.active,
    }


def _check_unique(ward: Unit, *, local_code: str, name_key: str, exclude_pk: int | None = None) -> None:
    others = Area.objects.filter(ward=ward)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.filter(local_code=local_code).exists():
        raise DuplicateArea(
            _("This ward already has an area with the local code “%(code)s”.") % {"code": local_code},
            field="local_code",
        )
    clash = others.filter(name_key=name_key).values_list("local_code", flat=True).first()
    if clash is not None:
        raise DuplicateArea(
            _("The area “%(code)s” of this ward already has this name.") % {"code": clash}, field="name"
        )


def _record(by: Any, action: str, area: Area, before: dict[str, Any] | None) -> None:
    audit.record(
        actor=by,
        action=action,
        object_type=AREA_TYPE,
        object_id=area.pk,
        unit_path=area.path,
        before=before,
        after=_state(area),
    )


@transaction.atomic
def create_area(
    *,
    ward: Unit,
    by: Any,
    local_code: str,
    name: str,
    kind: str,
    population: int = 0,
    households: int = 0,
    shared_sanitation: bool = False,
) -> Area:
    """A new residential area in `ward`, for an actor who may change the ward's areas."""
    require_ward(ward)
    require_perm(by, Perm.CHANGE_AREA, within=ward.path)
    # Serialises writers of one ward's areas on PostgreSQL (SQLite takes a database lock anyway).
    Unit.objects.select_for_update().filter(pk=ward.pk).first()
    row = AreaRow(
        local_code=clean_local_code(local_code),
        name=clean_name(name),
        kind=clean_kind(kind),
        population=clean_count(population, field="population"),
        households=clean_count(households, field="households"),
    )
    _check_unique(ward, local_code=row.local_code, name_key=search_key(row.name))
    area = Area.objects.create(**_area_fields(ward, row), shared_sanitation=bool(shared_sanitation))
    _record(by, "territory.create_area", area, None)
    return area


def _area_fields(ward: Unit, row: AreaRow) -> dict[str, Any]:
    return {
        "ward": ward,
        "code": f"{ward.code}-{row.local_code}",
        "local_code": row.local_code,
        "name": row.name,
        "name_key": search_key(row.name),
        "kind": row.kind,
        "population": row.population,
        "households": row.households,
        "path": ward.path,
    }


def update_area(
    *,
    area: Area,
    by: Any,
    name: str | None = None,
    kind: str | None = None,
    population: int | None = None,
    households: int | None = None,
    shared_sanitation: bool | None = None,
) -> Area:
    """Change an area's name, kind, counts or housing flag (None leaves it); the code never changes."""
    # Checked before the transaction opens, so the log of a refused attempt is not rolled back with it.
    area = selectors.area_for_change(by, area.code)
    with transaction.atomic():
        area = _locked(area)
        before = _state(area)
        if name is not None:
            area.name = clean_name(name)
            area.name_key = search_key(area.name)
            _check_unique(area.ward, local_code=area.local_code, name_key=area.name_key, exclude_pk=area.pk)
        if kind is not None:
            area.kind = clean_kind(kind)
        if population is not None:
            area.population = clean_count(population, field="population")
        if households is not None:
            area.households = clean_count(households, field="households")
        if shared_sanitation is not None:
            area.shared_sanitation = bool(shared_sanitation)
        if _state(area) != before:
            try:
                with transaction.atomic():
                    area.save()
            except IntegrityError:
                # A concurrent rename in the same ward took the name after _check_unique looked.
                raise DuplicateArea(field="name") from None
            _record(by, "territory.update_area", area, before)
        return area


def deactivate_area(*, area: Area, by: Any) -> Area:
    """Take an area out of lists and classification; its history and households stay."""
    area = selectors.area_for_change(by, area.code)
    with transaction.atomic():
        area = _locked(area)
        if area.active:
            before = _state(area)
            area.active = False
            area.save(update_fields=["active", "updated_at"])
            _record(by, "territory.deactivate_area", area, before)
        return area


def _locked(area: Area) -> Area:
    """The area re-read under a row lock, so concurrent edits apply one after the other."""
    return Area.objects.select_for_update(of=("self",)).select_related("ward").get(pk=area.pk)


@transaction.atomic
def bulk_create_areas(*, ward: Unit, rows: Iterable[AreaRow]) -> list[Area]:
    """Create many areas in a ward for the demo generator and system jobs (no actor; audited as system)."""
    require_ward(ward)
    objects = [
        Area(
            **_area_fields(
                ward,
                AreaRow(
                    local_code=clean_local_code(row.local_code),
                    name=clean_name(row.name),
                    kind=clean_kind(row.kind),
                    population=clean_count(row.population, field="population"),
                    households=clean_count(row.households, field="households"),
                ),
            )
        )
        for row in rows
    ]
    Area.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    codes = [area.code for area in objects]
    # Re-read rather than trust bulk_create to set primary keys on every backend.
    stored: dict[str, Area] = {}
    for start in range(0, len(codes), BATCH_SIZE):
        for area in Area.objects.filter(code__in=codes[start : start + BATCH_SIZE]):
            stored[area.code] = area
    audit.record(
        actor=None,
        action="territory.bulk_create_areas",
        object_type="territory.unit",
        object_id=ward.code,
        unit_path=ward.path,
        after={"count": len(codes), "codes": hashlib.sha256("\n".join(codes).encode()).hexdigest()},
    )
    return [stored[code] for code in codes]


@transaction.atomic
def bulk_create_households(*, area: Area, rows: Iterable[HouseholdRow]) -> int:
    """Create many households in an area, streaming `rows` in batches (no actor; audited as system)."""
    rows_iter = iter(rows)
    created = 0
    digest = hashlib.sha256()
    while batch := list(islice(rows_iter, BATCH_SIZE)):
        objects = [
            Household(area=area, code=row.code, address=clean_name(row.address), path=area.path)
            for row in batch
        ]
        Household.objects.bulk_create(objects)
        created += len(objects)
        for row in batch:
            digest.update(row.code.encode() + b"\n")
    audit.record(
        actor=None,
        action="territory.bulk_create_households",
        object_type=AREA_TYPE,
        object_id=area.pk,
        unit_path=area.path,
        after={"count": created, "codes": digest.hexdigest()},
    )
    return created


@dataclass
class ImportResult:
    """What an import did: counts, the per-row refusals, and notes on how the file was read."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    blank_rows: int = 0
    errors: list[CellError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def refused_rows(self) -> int:
        return len({error.row for error in self.errors})


def import_area_file(*, ward: Unit, by: Any, upload: imports.Upload) -> ImportResult:
    """Read a CSV/XLSX upload of the ward's areas and write every valid row (see `import_areas`)."""
    require_ward(ward)
    require_perm(by, Perm.CHANGE_AREA, within=ward.path)
    parsed = imports.read_area_file(upload, limit=settings.PHAODAI_MAX_UPLOAD_BYTES)
    return import_areas(ward=ward, by=by, plan=imports.plan_areas(parsed))


@transaction.atomic
def import_areas(*, ward: Unit, by: Any, plan: imports.AreaPlan) -> ImportResult:
    """Create or update the ward's areas by local code; a refused row never blocks the others.

    Idempotent: a row equal to the stored area changes nothing. Each row is written in its own
    savepoint, so a clash the checks did not foresee costs only that row.
    """
    require_ward(ward)
    require_perm(by, Perm.CHANGE_AREA, within=ward.path)
    Unit.objects.select_for_update().filter(pk=ward.pk).first()
    result = ImportResult(blank_rows=plan.blank_rows, errors=list(plan.errors), notes=list(plan.notes))
    stored = {area.local_code: area for area in Area.objects.filter(ward=ward)}
    by_stripped = {zero_stripped(code): code for code in stored}
    file_codes = {row.local_code for _number, row in plan.rows}
    # Names are unique in a ward: a file row may not take the name of an area the file leaves alone.
    names_kept = {a.name_key: a.local_code for a in stored.values() if a.local_code not in file_codes}
    for number, row in plan.rows:
        area = stored.get(row.local_code)
        if area is None:
            twin = by_stripped.get(zero_stripped(row.local_code))
            if twin is not None and twin not in file_codes:
                result.errors.append(_leading_zeros_error(number, row.local_code, twin))
                continue
        clash = names_kept.get(search_key(row.name))
        if clash is not None:
            reason = _("The area “%(code)s” of this ward already has this name.") % {"code": clash}
            result.errors.append(CellError(number, "name", reason, row.name))
            continue
        try:
            with transaction.atomic():
                outcome = _write_row(ward, by, area, row)
        except IntegrityError:
            reason = _("This row clashes with another area of the ward (same local code or name).")
            result.errors.append(CellError(number, "", reason, row.local_code))
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
    result.errors.sort(key=lambda error: (error.row, error.column))
    audit.record(
        actor=by,
        action="territory.import_areas",
        object_type="territory.unit",
        object_id=ward.code,
        unit_path=ward.path,
        after={"created": result.created, "updated": result.updated, "refused": result.refused_rows},
    )
    return result


def _leading_zeros_error(number: int, code: str, stored: str) -> CellError:
    reason = _(
        "The local code “%(code)s” matches the existing area “%(stored)s” but for its leading zeros; "
        "Excel removes them from numbers, so format the column as Text and export again."
    ) % {"code": code, "stored": stored}
    return CellError(number, "local_code", reason, code)


def _write_row(ward: Unit, by: Any, area: Area | None, row: AreaRow) -> str:
    """Write one checked row; the name of the ImportResult counter it adds to."""
    if area is None:
        area = Area.objects.create(**_area_fields(ward, row))
        _record(by, "territory.create_area", area, None)
        return "created"
    before = _state(area)
    area.name, area.name_key, area.kind = row.name, search_key(row.name), row.kind
    area.population, area.households, area.active = row.population, row.households, True
    if _state(area) == before:
        return "unchanged"
    area.save()
    _record(by, "territory.update_area", area, before)
    return "updated"
