"""Writes that author rules and data: criteria tables (draft, rows, publish) and indicator values."""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, now, plausible, to_local
from phaodai.core.errors import NotPermitted
from phaodai.core.jurisdiction import common_path, paths_of, require_within
from phaodai.zoning import rules
from phaodai.zoning.errors import (
    CriteriaInvalid,
    IndicatorInvalid,
    TableNotDraft,
    ValidityOverlap,
    refuse_criteria,
)
from phaodai.zoning.models import CriteriaRow, CriteriaTable, IndicatorValue, Level, Regime

TABLE_TYPE = "zoning.criteriatable"
# Table codes go into public URLs (/api/v1/public/criteria/{code}/evaluate): no spaces or slashes.
TABLE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,39}$")
SEVERITY_MAX = 100
# Column widths of CriteriaTable, Level and CriteriaRow (PostgreSQL refuses longer text with a 500).
NAME_MAX, BASIS_MAX, LEVEL_CODE_MAX, LEVEL_NAME_MAX, LABEL_MAX = 200, 300, 20, 100, 40


@dataclass(frozen=True)
class LevelInput:
    severity: int
    code: str
    name: str
    name_en: str
    colour: str
    regime_code: str


@dataclass(frozen=True)
class RowInput:
    label: str
    level_code: str
    conditions: Sequence[Mapping[str, Any]]  # [{"indicator", "op", "value"}]


def _table_state(table: CriteriaTable) -> dict[str, Any]:
    return {
        "code": table.code,
        "version": table.version,
        "status": table.status,
        "valid_from": table.valid_from.isoformat(),
        "valid_until": table.valid_until.isoformat() if table.valid_until else None,
        "compiled": table.compiled,
    }


def _check_period(valid_from: datetime, valid_until: datetime | None) -> None:
    if not plausible(valid_from):
        raise CriteriaInvalid(_("The start of validity is not a plausible date."), field="valid_from")
    if valid_until is not None and not plausible(valid_until):
        raise CriteriaInvalid(_("The end of validity is not a plausible date."), field="valid_until")
    if timezone.is_naive(valid_from):
        raise CriteriaInvalid(_("Give the start of validity with its time zone."), field="valid_from")
    if valid_until is not None and timezone.is_naive(valid_until):
        raise CriteriaInvalid(_("Give the end of validity with its time zone."), field="valid_until")
    if valid_until is not None and valid_until <= valid_from:
        raise CriteriaInvalid(_("The end of validity must come after its start."), field="valid_until")


def _overlapping(table: CriteriaTable) -> list[CriteriaTable]:
    """Published versions of the table's code whose validity overlaps the table's."""
    others = CriteriaTable.objects.filter(code=table.code, status=CriteriaTable.Status.PUBLISHED).exclude(
        pk=table.pk
    )
    overlapping = others.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=table.valid_from))
    if table.valid_until is not None:
        overlapping = overlapping.filter(valid_from__lt=table.valid_until)
    return list(overlapping.order_by("version"))


def _check_header(code: str, name: str, name_en: str, basis: str) -> None:
    if not TABLE_CODE.match(code):
        raise CriteriaInvalid(
            _("A code is 1 to 40 letters without diacritics, digits, “.”, “_”, “+” or “-”, e.g. LB-2021-09."),
            field="code",
        )
    if not name.strip() or len(name.strip()) > NAME_MAX or len(name_en.strip()) > NAME_MAX:
        raise CriteriaInvalid(
            _("A name is required (at most %(n)d characters).") % {"n": NAME_MAX}, field="name"
        )
    if not basis.strip() or len(basis.strip()) > BASIS_MAX:
        raise CriteriaInvalid(
            _("The legal basis is required (at most %(n)d characters).") % {"n": BASIS_MAX}, field="basis"
        )


def _check_levels(levels: Sequence[LevelInput]) -> dict[str, Regime]:
    regimes = {r.code: r for r in Regime.objects.filter(code__in=[lv.regime_code for lv in levels])}
    codes: set[str] = set()
    for level in levels:
        where = {"level": level.code}
        if not level.code.strip() or not level.name.strip():
            raise CriteriaInvalid(_("Every level needs a code and a name."), field="levels", **where)
        if len(level.code) > LEVEL_CODE_MAX or max(len(level.name), len(level.name_en)) > LEVEL_NAME_MAX:
            raise CriteriaInvalid(
                _("Level %(level)s: the code or a name is too long.") % {"level": level.code},
                field="levels",
                **where,
            )
        if level.code in codes:
            raise CriteriaInvalid(
                _("Two levels have the same code “%(level)s”.") % {"level": level.code}, field="code", **where
            )
        codes.add(level.code)
        if isinstance(level.severity, bool) or not 0 <= level.severity <= SEVERITY_MAX:
            raise CriteriaInvalid(
                _("Level %(level)s: the severity must be a whole number from 0 to %(max)d.")
                % {"level": level.code, "max": SEVERITY_MAX},
                field="severity",
                **where,
            )
        if level.regime_code not in regimes:
            raise CriteriaInvalid(
                _("Level %(level)s: unknown measure regime “%(regime)s”.")
                % {"level": level.code, "regime": level.regime_code},
                field="regime",
                **where,
            )
        if not rules.HEX_COLOUR.match(level.colour):
            raise CriteriaInvalid(
                _("Level %(level)s: the colour must look like #c62828.") % {"level": level.code},
                field="colour",
                **where,
            )
    return regimes


def _compile(
    code: str, levels: Sequence[LevelInput], rows: Sequence[RowInput], modifiers: Any
) -> dict[str, Any]:
    severity = {lv.code: lv.severity for lv in levels}
    try:
        for row in rows:
            if not row.label.strip() or len(row.label) > LABEL_MAX:
                raise rules.CriteriaError("bad_label", row=row.label, field="label")
            if row.level_code not in severity:
                raise rules.CriteriaError(
                    "unknown_level", row=row.label, field="level", severity=row.level_code
                )
        table = rules.build_table(
            code=code,
            levels=[rules.LevelSpec(lv.severity, lv.code, lv.name) for lv in levels],
            rows=[(row.label, severity[row.level_code], row.conditions) for row in rows],
            modifiers=modifiers,
        )
    except rules.CriteriaError as error:
        refused = refuse_criteria(error)
        if error.problem == "bad_label":
            refused = CriteriaInvalid(
                _("Every row needs a label of at most %(n)d characters.") % {"n": LABEL_MAX}, field="label"
            )
        # Forms put the message beside the row it is about.
        refused.params["row"] = error.row
        raise refused from None
    return rules.compile_table(table)


def save_draft_table(
    *,
    by: Any,
    issuer: Any,
    code: str,
    name: str,
    basis: str,
    valid_from: datetime,
    valid_until: datetime | None,
    levels: Sequence[LevelInput],
    rows: Sequence[RowInput],
    modifiers: Sequence[Mapping[str, Any]] = (),
    name_en: str = "",
    table: CriteriaTable | None = None,
) -> CriteriaTable:
    """Create a new draft version of a table (or replace a draft's content); checked but not published."""
    code = code.strip()
    require_within(by, Perm.AUTHOR_CRITERIA, path=issuer.path, object_type=TABLE_TYPE, object_id=code)
    if table is not None:
        # The draft itself must lie within the author's units, not only the issuer they name.
        require_within(by, Perm.AUTHOR_CRITERIA, path=table.path, object_type=TABLE_TYPE, object_id=table.pk)
        if code != table.code:
            raise CriteriaInvalid(_("The code of a table cannot be changed."), field="code")
        if issuer.pk != table.issued_by_id:
            raise CriteriaInvalid(_("The issuing unit of a table cannot be changed."), field="issued_by")
    if issuer.level == "ward":
        raise CriteriaInvalid(_("Criteria tables are issued by a district or the city."), field="issued_by")
    _check_header(code, name, name_en, basis)
    _check_period(valid_from, valid_until)
    regimes = _check_levels(levels)
    compiled = _compile(code, levels, rows, modifiers)
    with transaction.atomic():
        if table is None:
            last = (
                CriteriaTable.objects.filter(code=code).order_by("-version").values_list("version", flat=True)
            )
            if last and CriteriaTable.objects.filter(code=code).exclude(path=issuer.path).exists():
                raise CriteriaInvalid(
                    _("The code %(code)s belongs to a table of another unit; choose another code.")
                    % {"code": code},
                    field="code",
                )
            table = CriteriaTable(code=code, version=(last[0] + 1) if last else 1, issued_by=issuer)
        else:
            table = CriteriaTable.objects.select_for_update().get(pk=table.pk)
            if table.status != CriteriaTable.Status.DRAFT:
                raise TableNotDraft()
        table.name, table.name_en, table.basis = name.strip(), name_en.strip(), basis.strip()
        table.valid_from, table.valid_until = valid_from, valid_until
        table.modifiers, table.compiled, table.path = list(modifiers), compiled, issuer.path
        try:
            with transaction.atomic():
                table.save()
        except IntegrityError:
            # Someone saved a new version of the same code at the same moment.
            raise TableNotDraft(_("Another version of this table was saved meanwhile; try again.")) from None
        table.rows.all().delete()
        table.levels.all().delete()
        made = {
            lv.code: Level.objects.create(
                table=table,
                severity=lv.severity,
                code=lv.code.strip(),
                name=lv.name.strip(),
                name_en=lv.name_en.strip(),
                colour=lv.colour,
                regime=regimes[lv.regime_code],
            )
            for lv in levels
        }
        by_label = {row["label"]: row for row in compiled["rows"]}
        CriteriaRow.objects.bulk_create(
            CriteriaRow(
                table=table,
                level=made[row.level_code],
                order=order,
                label=row.label,
                conditions=[
                    {"indicator": var["var"], "op": op, "value": value}
                    for logic in by_label[row.label]["logic"]["and"]
                    for op, (var, value) in logic.items()
                ],
            )
            for order, row in enumerate(rows, start=1)
        )
        audit.record(
            actor=by, action="zoning.save_table", object_type=TABLE_TYPE, object_id=table.pk,
            unit_path=table.path, after=_table_state(table),
        )  # fmt: skip
    return table


def publish_table(*, table: CriteriaTable, by: Any, clock: Clock = now) -> CriteriaTable:
    """Publish a draft: from now on rounds may use it and anyone may read and dry-run it.

    A new version ends the open-ended version it follows at its own start (otherwise no second version
    of a table could ever be published); any other overlap of validity is refused.
    """
    require_within(by, Perm.AUTHOR_CRITERIA, path=table.path, object_type=TABLE_TYPE, object_id=table.pk)
    with transaction.atomic():
        # Lock every version of the code, so two drafts published at once cannot both pass the check.
        list(
            CriteriaTable.objects.select_for_update().filter(code=table.code).order_by("pk").values_list("pk")
        )
        table = CriteriaTable.objects.get(pk=table.pk)
        if table.status != CriteriaTable.Status.DRAFT:
            raise TableNotDraft()
        overlapping = _overlapping(table)
        superseded = [
            other
            for other in overlapping
            if other.valid_until is None
            and other.valid_from < table.valid_from
            and other.version < table.version
        ]
        clash = next((other for other in overlapping if other not in superseded), None)
        if clash is not None:
            raise ValidityOverlap(
                _(
                    "Version %(version)d of %(code)s is valid during the same period (%(start)s – %(end)s); "
                    "change the validity of this draft."
                )
                % {
                    "version": clash.version,
                    "code": clash.code,
                    "start": _local(clash.valid_from),
                    "end": _local(clash.valid_until) if clash.valid_until else "…",
                },
                field="valid_from",
                version=clash.version,
            )
        for other in superseded:
            before = _table_state(other)
            other.valid_until = table.valid_from
            other.save(update_fields=["valid_until", "updated_at"])
            audit.record(
                actor=by, action="zoning.supersede_table", object_type=TABLE_TYPE, object_id=other.pk,
                unit_path=other.path, before=before, after=_table_state(other),
            )  # fmt: skip
        before = _table_state(table)
        table.status = CriteriaTable.Status.PUBLISHED
        table.published_at = clock()
        table.save(update_fields=["status", "published_at", "updated_at"])
        audit.record(
            actor=by, action="zoning.publish_table", object_type=TABLE_TYPE, object_id=table.pk,
            unit_path=table.path, before=before, after=_table_state(table),
        )  # fmt: skip
    return table


def _local(moment: datetime) -> str:
    return to_local(moment).strftime("%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class IndicatorEntry:
    area: Any
    indicator: str
    value: Any


def enter_indicators(
    *, by: Any, entries: Iterable[IndicatorEntry], as_of: datetime, clock: Clock = now
) -> list[IndicatorValue]:
    """Record observed indicator values for areas (entering the same value again changes nothing).

    An area outside the actor's units answers 404 (logged), as everywhere; all entries are checked
    before anything is written, and the write is a few set-wise queries whatever the number of entries.
    """
    entries = list(entries)
    if not paths_of(by, Perm.ENTER_INDICATORS):
        raise NotPermitted()
    if timezone.is_naive(as_of):
        raise IndicatorInvalid(_("Give the time of the observation with its time zone."), field="as_of")
    if not plausible(as_of):
        raise IndicatorInvalid(_("The time of the observation is not a plausible date."), field="as_of")
    if as_of > clock():
        raise IndicatorInvalid(_("The values cannot be observed in the future."), field="as_of")
    checked: set[str] = set()
    for entry in entries:
        if entry.area.path not in checked:
            require_within(
                by, Perm.ENTER_INDICATORS, path=entry.area.path, object_type="territory.area",
                object_id=entry.area.code,
            )  # fmt: skip
            checked.add(entry.area.path)
    typed: dict[tuple[int, str], tuple[IndicatorEntry, float]] = {}
    for entry in entries:
        if entry.indicator not in rules.ENTERABLE:
            raise IndicatorInvalid(
                _("“%(indicator)s” is not an indicator that can be entered.")
                % {"indicator": entry.indicator},
                field="indicator",
                indicator=entry.indicator,
            )
        try:
            value = rules.clean_value(entry.indicator, entry.value)
        except rules.CriteriaError as error:
            raise refuse_criteria(error, IndicatorInvalid) from None
        typed[(entry.area.pk, entry.indicator)] = (entry, float(value))  # the last entry for a pair wins
    if not typed:
        return []
    try:
        with transaction.atomic():
            return _write_values(by, typed, as_of)
    except IntegrityError:
        # The same values sent twice at once (a double click, a retry): the other request inserted
        # first, so this one now finds the rows and only updates what differs.
        with transaction.atomic():
            return _write_values(by, typed, as_of)


def _write_values(
    by: Any, typed: dict[tuple[int, str], tuple[IndicatorEntry, float]], as_of: datetime
) -> list[IndicatorValue]:
    """Insert new values and update changed ones in a few bulk statements; audited once."""
    stored = {
        (row.area_id, row.indicator): row
        for row in IndicatorValue.objects.filter(
            area_id__in={key[0] for key in typed}, indicator__in={key[1] for key in typed}, as_of=as_of
        )
    }
    new, changed, saved = [], [], []
    for key, (entry, value) in typed.items():
        row = stored.get(key)
        if row is None:
            row = IndicatorValue(
                area=entry.area, indicator=entry.indicator, as_of=as_of, value=value,
                path=entry.area.path, entered_by=by,
            )  # fmt: skip
            new.append(row)
        elif row.value != value:
            row.value, row.entered_by, row.path = value, by, entry.area.path
            row.updated_at = timezone.now()
            changed.append(row)
        saved.append(row)
    IndicatorValue.objects.bulk_create(new, batch_size=500)
    IndicatorValue.objects.bulk_update(changed, ["value", "entered_by", "path", "updated_at"], batch_size=500)
    if new or changed:
        paths = [entry.area.path for entry, _value in typed.values()]
        audit.record(
            actor=by, action="zoning.enter_indicators", object_type="zoning.indicatorvalue",
            object_id=len(new) + len(changed), unit_path=common_path(paths),
        )  # fmt: skip
    return saved
