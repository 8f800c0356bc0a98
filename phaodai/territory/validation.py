"""Field and row checks for residential areas, shared by forms, the API, imports and services.

Reads no database: anything that needs one (duplicates against stored areas) is in services.
"""

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from phaodai.core.errors import InvalidInput
from phaodai.core.text import nfc, search_key
from phaodai.territory.models import Area, Unit
from phaodai.territory.rules import (
    AREA_COLUMNS,
    COUNT_MAX,
    LOCAL_CODE_MAX,
    LOCAL_CODE_PATTERN,
    NAME_MAX,
    AreaRow,
    CellError,
    CountProblem,
    kind_code,
    parse_count,
)

# Cell values as spreadsheets hand them over.
Cell = str | int | float | datetime | date | time | bool | None

COLUMN_LABELS = {
    # "column" context: "households" here is a count (số hộ), not the model's plural (hộ gia đình).
    "local_code": pgettext_lazy("column", "local code"),
    "name": pgettext_lazy("column", "name"),
    "kind": pgettext_lazy("column", "kind"),
    "population": pgettext_lazy("column", "population"),
    "households": pgettext_lazy("column", "households"),
}


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A code typed as 12 comes back from XLSX as 12 or 12.0; both mean "12".
        return str(int(value))
    return nfc(str(value))


def clean_local_code(value: Cell) -> str:
    """A local code as given (leading zeros kept), checked for URL-safe characters and length."""
    if isinstance(value, bool | datetime | date | time):
        raise InvalidInput(_("A local code must be text, not a date or a yes/no value."), field="local_code")
    code = _text(value)
    if not code:
        raise InvalidInput(_("The local code is required."), field="local_code")
    if len(code) > LOCAL_CODE_MAX:
        raise InvalidInput(
            _("The local code is longer than %(max)d characters.") % {"max": LOCAL_CODE_MAX},
            field="local_code",
        )
    if not LOCAL_CODE_PATTERN.match(code):
        raise InvalidInput(
            _(
                "The local code “%(code)s” may only hold letters without diacritics, digits, "
                "“-”, “_” and “.”, starting with a letter or digit (e.g. TDP01)."
            )
            % {"code": code},
            field="local_code",
        )
    return code


def clean_name(value: Cell) -> str:
    """A name in NFC with single spaces."""
    name = _text(value)
    if not name:
        raise InvalidInput(_("The name is required."), field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(_("The name is longer than %(max)d characters.") % {"max": NAME_MAX}, field="name")
    return name


def kind_choices_text() -> str:
    return ", ".join(f"{value} ({label})" for value, label in Area.Kind.choices)


def clean_kind(value: Cell) -> str:
    """An Area.Kind code from its code, its Vietnamese name ("tổ dân phố") or its English label."""
    text = _text(value)
    if not text:
        raise InvalidInput(_("The kind is required."), field="kind")
    code = kind_code(text)
    if code is None:
        labels = {search_key(str(label)): value for value, label in Area.Kind.choices}
        code = labels.get(search_key(text))
    if code is None:
        raise InvalidInput(
            _("Unknown kind “%(kind)s”; use one of: %(choices)s.")
            % {"kind": text, "choices": kind_choices_text()},
            field="kind",
        )
    return code


class NotAWard(InvalidInput):
    code = "not_a_ward"
    message = gettext_lazy("Only wards have residential areas.")


def require_ward(unit: Unit) -> None:
    """Raise NotAWard unless `unit` is a ward (cities and districts have no areas of their own)."""
    if unit.level != Unit.Level.WARD:
        raise NotAWard(
            _("Only wards have residential areas; %(unit)s is not a ward.") % {"unit": unit.full_name}
        )


_COUNT_MESSAGES = {
    CountProblem.EMPTY: gettext_lazy("The %(column)s is required; write 0 if it is not known."),
    CountProblem.SCIENTIFIC: gettext_lazy(
        "“%(value)s” is in scientific notation, which Excel may have rounded; format the %(column)s "
        "column as a number with no decimals and export the file again."
    ),
    CountProblem.NEGATIVE: gettext_lazy("The %(column)s cannot be negative (“%(value)s”)."),
    CountProblem.FRACTION: gettext_lazy("The %(column)s must be a whole number (“%(value)s”)."),
    CountProblem.NOT_A_NUMBER: gettext_lazy("The %(column)s must be a whole number, not “%(value)s”."),
    CountProblem.TOO_LARGE: gettext_lazy("The %(column)s “%(value)s” is too large."),
}


def clean_count(value: Cell, *, field: str) -> int:
    """A non-negative whole number from a typed value or spreadsheet text."""
    if isinstance(value, bool | datetime | date | time):
        problem: int | str = CountProblem.NOT_A_NUMBER
    elif isinstance(value, int):
        problem = value if value >= 0 else CountProblem.NEGATIVE
    elif isinstance(value, float):
        # An XLSX cell holds the true number, so a whole float (1500.0, even shown as 1.5E+3) is exact.
        if not value.is_integer():
            problem = CountProblem.FRACTION
        else:
            problem = int(value) if value >= 0 else CountProblem.NEGATIVE
    else:
        problem = parse_count("" if value is None else str(value))
    if isinstance(problem, int) and problem > COUNT_MAX:
        problem = CountProblem.TOO_LARGE
    if isinstance(problem, int):
        return problem
    message = _COUNT_MESSAGES[problem] % {"column": COLUMN_LABELS[field], "value": _text(value)}
    raise InvalidInput(message, field=field)


_CLEANERS = {
    "local_code": clean_local_code,
    "name": clean_name,
    "kind": clean_kind,
    "population": lambda value: clean_count(value, field="population"),
    "households": lambda value: clean_count(value, field="households"),
}


def validate_row(number: int, cells: Mapping[str, Cell]) -> AreaRow | list[CellError]:
    """The area a row describes, or every reason its cells were refused (row `number`, by column)."""
    cleaned: dict[str, Any] = {}
    errors: list[CellError] = []
    for column in AREA_COLUMNS:
        try:
            cleaned[column] = _CLEANERS[column](cells.get(column))
        except InvalidInput as error:
            errors.append(CellError(number, column, str(error.detail), _text(cells.get(column))))
    if errors:
        return errors
    return AreaRow(**cleaned)


def is_blank(cells: Mapping[str, Cell]) -> bool:
    """Whether a row holds nothing but empty cells (such rows are skipped)."""
    return all(_text(value) == "" for value in cells.values())
