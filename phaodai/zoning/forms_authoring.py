"""Forms for authoring criteria tables and entering indicators; the services make the final checks."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from phaodai.zoning import rules
from phaodai.zoning.authoring import (
    LEVEL_CODE_MAX,
    LEVEL_NAME_MAX,
    NAME_MAX,
    SEVERITY_MAX,
    LevelInput,
    RowInput,
)
from phaodai.zoning.errors import criteria_message

DATETIME_FORMAT = "%d/%m/%Y %H:%M"
MAX_CONDITIONS = 4
MAX_LEVELS, MAX_ROWS = 20, 200
BLANK_LEVELS, BLANK_ROWS, MORE = 1, 3, 3
NO_DOWNGRADE = {"kind": "no_downgrade_unless", "indicator": "treatment_capacity_met"}

# English names of the indicators (translated when shown; import headers also accept them).
INDICATOR_NAMES: dict[str, str] = {
    "community_cases_7d": gettext_noop("Community cases, last 7 days"),
    "community_cases_14d": gettext_noop("Community cases, last 14 days"),
    "unknown_source_cases_14d": gettext_noop("Cases of unknown source, last 14 days"),
    "cases_per_100k_7d": gettext_noop("New community cases per 100,000 people, last 7 days"),
    "days_since_last_community_case": gettext_noop("Days since the last community case"),
    "lockdown_active": gettext_noop("Lockdown in force"),
    "tests_7d": gettext_noop("Tests taken, last 7 days"),
    "test_positivity_7d_pct": gettext_noop("Tests positive, last 7 days, %"),
    "first_dose_18plus_pct": gettext_noop("Adults (18+) with a first dose, %"),
    "full_dose_65plus_pct": gettext_noop("People aged 65+ fully vaccinated, %"),
    "treatment_capacity_met": gettext_noop("Treatment capacity met"),
    "kind": gettext_noop("Kind of area"),
    "population": gettext_noop("Population"),
    "shared_sanitation": gettext_noop("Dense housing with shared sanitation"),
}
# Entry order: the order of rules.INDICATORS.
ENTERABLE_ORDER = [code for code in rules.INDICATORS if code in rules.ENTERABLE]


def indicator_label(code: str) -> str:
    return _(INDICATOR_NAMES[code]) if code in INDICATOR_NAMES else code


def show_value(indicator: str, value: Any) -> str:
    """A value as a person types it back (flags as yes/no, whole counts without “.0”)."""
    if value is None:
        return ""
    if isinstance(value, bool) or rules.INDICATORS.get(indicator) == rules.FLAG:
        return _("yes") if value else _("no")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class HanoiDateTimeField(forms.DateTimeField):
    """dd/mm/yyyy HH:MM on Hà Nội's wall clock (the project's TIME_ZONE)."""

    input_formats = [DATETIME_FORMAT, "%d/%m/%Y", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.DateTimeInput(format=DATETIME_FORMAT, attrs={"placeholder": "dd/mm/yyyy hh:mm"})
        )
        kwargs.setdefault("help_text", gettext_lazy("dd/mm/yyyy hh:mm, Hà Nội time"))
        super().__init__(**kwargs)


class DomainErrorForm(forms.Form):
    def add_domain_error(self, error: Any) -> None:
        """Show a service's refusal beside the field it names, or above the form."""
        field = error.field if error.field in self.fields and not self.fields[error.field].disabled else None
        self.add_error(field, str(error.detail))


class TableForm(DomainErrorForm):
    issued_by = forms.ChoiceField(label=gettext_lazy("Issued by"))
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        help_text=gettext_lazy(
            "Letters without diacritics, digits and “-”, e.g. LB-2021-09. Fixed once saved."
        ),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=NAME_MAX)
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=NAME_MAX, required=False)
    basis = forms.CharField(label=gettext_lazy("Legal basis"), max_length=300)
    valid_from = HanoiDateTimeField(label=gettext_lazy("Valid from"))
    valid_until = HanoiDateTimeField(label=gettext_lazy("Valid until"), required=False)
    no_downgrade = forms.BooleanField(
        label=gettext_lazy("The level cannot go down while treatment capacity is not met"),
        required=False,
    )

    def __init__(self, *args: Any, issuers: Sequence[Any] = (), fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        issued_by = self.fields["issued_by"]
        assert isinstance(issued_by, forms.ChoiceField)
        issued_by.choices = [(unit.code, unit.full_name) for unit in issuers]
        if len(issuers) == 1 and not self.initial.get("issued_by"):
            self.initial["issued_by"] = issuers[0].code
        if fixed or len(issuers) == 1:
            self.fields["issued_by"].disabled = True
        if fixed:  # editing a draft or making a new version: the code and the issuer stay
            self.fields["code"].disabled = True

    def modifiers(self) -> list[dict[str, str]]:
        return [dict(NO_DOWNGRADE)] if self.cleaned_data.get("no_downgrade") else []


class BlankSkippingForm(forms.Form):
    """A formset line: all blank means "no line"; otherwise `needed` fields are required."""

    needed: tuple[str, ...] = ()
    blank = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.blank = not any(value not in (None, "", False) for value in cleaned.values()) and not self.errors
        if self.blank:
            return cleaned
        for name in self.needed:
            if cleaned.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, _("This field is required."))
        return cleaned


class LevelForm(BlankSkippingForm):
    needed = ("severity", "code", "name", "colour", "regime")

    severity = forms.IntegerField(
        label=gettext_lazy("Severity"), min_value=0, max_value=SEVERITY_MAX, required=False
    )
    code = forms.CharField(label=gettext_lazy("Code"), max_length=LEVEL_CODE_MAX, required=False)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=LEVEL_NAME_MAX, required=False)
    name_en = forms.CharField(
        label=gettext_lazy("Name in English"), max_length=LEVEL_NAME_MAX, required=False
    )
    colour = forms.RegexField(
        label=gettext_lazy("Colour"),
        regex=rules.HEX_COLOUR,
        required=False,
        error_messages={"invalid": gettext_lazy("Write the colour as #rrggbb, e.g. #c62828.")},
        widget=forms.TextInput(attrs={"placeholder": "#c62828", "size": 8}),
    )
    regime = forms.ChoiceField(label=gettext_lazy("Default regime"), required=False)

    def __init__(self, *args: Any, regimes: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regime = self.fields["regime"]
        assert isinstance(regime, forms.ChoiceField)
        regime.choices = [("", "—"), *regimes]

    def as_input(self) -> LevelInput:
        data = self.cleaned_data
        return LevelInput(
            severity=data["severity"],
            code=data["code"].strip(),
            name=data["name"].strip(),
            name_en=data["name_en"].strip(),
            colour=data["colour"],
            regime_code=data["regime"],
        )


def _indicator_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((code, f"{indicator_label(code)} ({code})") for code in rules.INDICATORS)]


class RowForm(BlankSkippingForm):
    needed = ("label", "level")

    label = forms.CharField(label=gettext_lazy("Row"), max_length=40, required=False)
    level = forms.CharField(label=gettext_lazy("Level"), max_length=LEVEL_CODE_MAX, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for slot in range(1, MAX_CONDITIONS + 1):
            self.fields[f"indicator_{slot}"] = forms.ChoiceField(
                label=gettext_lazy("Indicator"), choices=_indicator_choices, required=False
            )
            self.fields[f"op_{slot}"] = forms.ChoiceField(
                label=gettext_lazy("Operator"),
                choices=[("", "—"), *((op, op) for op in rules.OPERATORS)],
                required=False,
            )
            self.fields[f"value_{slot}"] = forms.CharField(
                label=gettext_lazy("Threshold"), max_length=40, required=False
            )

    def slots(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"indicator_{i}"], self[f"op_{i}"], self[f"value_{i}"])
            for i in range(1, MAX_CONDITIONS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.blank:
            return cleaned
        conditions = []
        for slot in range(1, MAX_CONDITIONS + 1):
            names = (f"indicator_{slot}", f"op_{slot}", f"value_{slot}")
            indicator, op, value = (str(cleaned.get(name) or "").strip() for name in names)
            if not (indicator or op or value) or any(name in self.errors for name in names):
                continue
            if not indicator or not op:
                self.add_error(
                    names[0] if not indicator else names[1], _("Choose an indicator and an operator.")
                )
                continue
            try:
                condition = rules.make_condition(indicator, op, value)
            except rules.CriteriaError as error:
                field = {"indicator": names[0], "op": names[1]}.get(error.field, names[2])
                self.add_error(field, criteria_message(error))
                continue
            conditions.append(
                {"indicator": condition.indicator, "op": condition.op, "value": condition.value}
            )
        if not conditions and not self.errors:
            self.add_error(None, _("A row needs at least one condition."))
        cleaned["conditions"] = conditions
        return cleaned

    def as_input(self) -> RowInput:
        data = self.cleaned_data
        return RowInput(
            label=data["label"].strip(), level_code=data["level"].strip(), conditions=data["conditions"]
        )


LevelFormSet = formset_factory(LevelForm, extra=0, max_num=MAX_LEVELS, validate_max=True)
RowFormSet = formset_factory(RowForm, extra=0, max_num=MAX_ROWS, validate_max=True)


def filled(formset: Any) -> list[Any]:
    """The lines of a valid formset that hold something."""
    return [form for form in formset.forms if not form.blank]


def level_initial(levels: Iterable[Any]) -> list[dict[str, Any]]:
    return [
        {
            "severity": lv.severity,
            "code": lv.code,
            "name": lv.name,
            "name_en": lv.name_en,
            "colour": lv.colour,
            "regime": lv.regime.code,
        }
        for lv in levels
    ]


@dataclass(frozen=True)
class RowView:
    label: str
    level: str
    conditions: list[dict[str, Any]]

    def described(self) -> list[str]:
        return [describe_condition(condition) for condition in self.conditions]


def rows_of(table: Any) -> list[RowView]:
    """A table's rows as compiled (most severe level first, the author's order within a level)."""
    result = []
    for row in table.compiled.get("rows", ()):
        conditions = []
        for logic in row["logic"]["and"]:
            ((op, (var, value)),) = logic.items()
            conditions.append({"indicator": var["var"], "op": op, "value": value})
        result.append(RowView(row["label"], row["level"], conditions))
    return result


def row_initial(rows: Sequence[RowView]) -> list[dict[str, Any]]:
    result = []
    for row in rows:
        line: dict[str, Any] = {"label": row.label, "level": row.level}
        for slot, condition in enumerate(row.conditions[:MAX_CONDITIONS], start=1):
            line[f"indicator_{slot}"] = condition["indicator"]
            line[f"op_{slot}"] = condition["op"]
            line[f"value_{slot}"] = show_value(condition["indicator"], condition["value"])
        result.append(line)
    return result


def table_initial(table: Any) -> dict[str, Any]:
    return {
        "issued_by": table.issued_by.code,
        "code": table.code,
        "name": table.name,
        "name_en": table.name_en,
        "basis": table.basis,
        "valid_from": table.valid_from,
        "valid_until": table.valid_until,
        "no_downgrade": any(m.get("kind") == NO_DOWNGRADE["kind"] for m in table.modifiers),
    }


def with_blank_lines(initial: list[dict[str, Any]], blank: int) -> list[dict[str, Any]]:
    return [*initial, *({} for _ in range(blank))]


def describe_condition(condition: Mapping[str, Any]) -> str:
    indicator = condition["indicator"]
    return f"{indicator_label(indicator)} {condition['op']} {show_value(indicator, condition['value'])}"


class IndicatorsForm(DomainErrorForm):
    """The ward's grid: one optional value per area and indicator, all observed at `as_of`."""

    as_of = HanoiDateTimeField(label=gettext_lazy("Observed at"))

    def __init__(self, *args: Any, areas: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = list(areas)
        for area in self.areas:
            for indicator in ENTERABLE_ORDER:
                self.fields[self.cell(area, indicator)] = forms.CharField(
                    label=f"{area.local_code} · {indicator_label(indicator)}", required=False, max_length=20
                )

    @staticmethod
    def cell(area: Any, indicator: str) -> str:
        return f"v_{area.local_code}_{indicator}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        entries = []
        for area in self.areas:
            for indicator in ENTERABLE_ORDER:
                name = self.cell(area, indicator)
                raw = str(cleaned.get(name) or "").strip()
                if not raw:
                    continue
                try:
                    value = rules.clean_value(indicator, raw)
                except rules.CriteriaError as error:
                    self.add_error(name, criteria_message(error))
                    continue
                entries.append((area, indicator, value))
        if not entries and not self.errors:
            self.add_error(None, _("Type at least one value."))
        cleaned["entries"] = entries
        return cleaned


class IndicatorImportForm(DomainErrorForm):
    file = forms.FileField(
        label=gettext_lazy("CSV or Excel (.xlsx) file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        error_messages={"required": gettext_lazy("Choose a CSV or Excel (.xlsx) file to upload.")},
    )
    as_of = HanoiDateTimeField(
        label=gettext_lazy("Observed at (for rows without an as_of)"),
        required=False,
        help_text=gettext_lazy(
            "Used for every row whose as_of cell is empty; dd/mm/yyyy hh:mm, Hà Nội time."
        ),
    )
