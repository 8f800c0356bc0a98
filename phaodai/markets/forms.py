"""Forms of the registry and scheme pages: shapes and messages beside each field; rules live in services."""

import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import DomainError
from phaodai.markets.models import Market, Scheme

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
TIME_FORMATS = ["%H:%M"]
# The patterns a ward officer picks from (POLICY.md §5); the stored pattern is the JSON rules.py reads.
PATTERNS = {
    "every_3_days": {"kind": "every_n_days", "n": 3},
    "every_2_days": {"kind": "every_n_days", "n": 2},
    "every_day": {"kind": "every_n_days", "n": 1},
    "parity_sunday": {"kind": "parity", "extra_weekdays": [6]},
    "parity": {"kind": "parity", "extra_weekdays": []},
}
PATTERN_CHOICES = [
    ("every_3_days", _("Once every 3 days (5 trips in 15 days)")),
    ("every_2_days", _("Once every 2 days")),
    ("every_day", _("Every day")),
    ("parity_sunday", _("Odd or even days, plus Sundays (4 trips a week)")),
    ("parity", _("Odd or even days")),
]


def pattern_key(pattern: Any) -> str:
    for key, value in PATTERNS.items():
        if value == pattern:
            return key
    return ""


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class DomainErrorForm(forms.Form):
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.detail))


class MarketForm(DomainErrorForm):
    unit = forms.ChoiceField(label=_("Ward"))
    name = forms.CharField(label=_("Name"), max_length=150, help_text=_("e.g. Chợ Bồ Đề"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Market.Kind.choices)
    code = forms.CharField(
        label=_("Code"), max_length=16, required=False, help_text=_("Left empty: CHO-<ward code>-<number>")
    )
    address = forms.CharField(label=_("Address"), max_length=255)
    area = forms.CharField(
        label=_("Residential area (code)"), max_length=40, required=False, help_text=_("e.g. 00139-TDP01")
    )
    opens_at = forms.TimeField(label=_("Opens at"), input_formats=TIME_FORMATS, widget=_time())
    closes_at = forms.TimeField(label=_("Closes at"), input_formats=TIME_FORMATS, widget=_time())
    capacity = forms.IntegerField(
        label=_("Capacity"), help_text=_("How many people may be inside at once"), min_value=0
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, wards: Sequence[tuple[str, str]] = (), editing: bool = False, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        if editing:  # a market keeps its ward and code
            del self.fields["unit"]
            del self.fields["code"]
        else:
            self.fields["unit"].choices = list(wards)  # type: ignore[attr-defined]

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in ("name", "kind", "address", "opens_at", "closes_at", "capacity")}


class StatusForm(DomainErrorForm):
    status = forms.ChoiceField(label=_("Status"), choices=Market.Status.choices)
    status_note = forms.CharField(
        label=_("Note"), max_length=300, required=False, help_text=_("Which order closes it, and until when")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RepresentativeForm(DomainErrorForm):
    household = forms.IntegerField(widget=forms.HiddenInput)
    person = forms.CharField(max_length=40)


class SchemeForm(DomainErrorForm):
    unit = forms.ChoiceField(label=_("Ward"))
    name = forms.CharField(label=_("Name"), max_length=150, help_text=_("e.g. Phiếu đi chợ 15 ngày"))
    starts_on = forms.DateField(label=_("First day"), input_formats=DATE_FORMATS, widget=_date())
    ends_on = forms.DateField(label=_("Last day"), input_formats=DATE_FORMATS, widget=_date())
    pattern = forms.ChoiceField(label=_("How often"), choices=PATTERN_CHOICES)
    slot_minutes = forms.IntegerField(label=_("Length of a slot (minutes)"), initial=60, min_value=0)
    market_choice = forms.ChoiceField(label=_("Which markets"), choices=Scheme.MarketChoice.choices)
    single_use = forms.BooleanField(
        label=_("Single use (handed in at the gate)"), required=False, initial=True
    )
    tolerance_minutes = forms.IntegerField(
        label=_("Tolerance at the gate (minutes)"), initial=15, min_value=0,
        help_text=_("How early or late a pass is still accepted"),
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, wards: Sequence[tuple[str, str]] = (), editing: bool = False, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["unit"]
        else:
            self.fields["unit"].choices = list(wards)  # type: ignore[attr-defined]

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "pattern": json.loads(json.dumps(PATTERNS[data["pattern"]])),  # a copy, never the shared dict
            "slot_minutes": data["slot_minutes"],
            "market_choice": data["market_choice"],
            "single_use": data["single_use"],
            "tolerance_minutes": data["tolerance_minutes"],
        }


class VersionForm(DomainErrorForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
