"""Forms of the vehicle pages: shapes and messages beside each field; the rules live in the services."""

import uuid
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.core.clock import at_local
from phaodai.core.errors import DomainError

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _date(**attrs: Any) -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


class DomainErrorForm(forms.Form):
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.detail))


class SubmissionForm(DomainErrorForm):
    """A form whose hidden token makes a double submit (or a retry) register once."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)

    def __init__(self, *args: Any, units: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = list(units)  # type: ignore[attr-defined]


class PeriodMixin(forms.Form):
    valid_from = forms.DateField(label=_("Valid from"), input_formats=DATE_FORMATS, widget=_date())
    valid_to = forms.DateField(
        label=_("Valid until (inclusive)"),
        input_formats=DATE_FORMATS,
        widget=_date(),
        help_text=_("At most 90 days"),
    )

    def period(self) -> dict[str, Any]:
        """From 00:00 of the first day to the end of the last day, Hà Nội time."""
        start: date = self.cleaned_data["valid_from"]
        end: date = self.cleaned_data["valid_to"]
        return {
            "valid_from": at_local(start, time(0)),
            "valid_to": at_local(end + timedelta(days=1), time(0)),
        }


class GreenLaneForm(SubmissionForm, PeriodMixin):
    unit = forms.ChoiceField(label=_("Issuing unit"))
    plate = forms.CharField(label=_("Plate"), max_length=40, help_text=_("e.g. 29C-123.45"))
    operator = forms.CharField(label=_("Transport company"), max_length=120)
    cargo = forms.CharField(
        label=_("Cargo"), max_length=120, help_text=_("e.g. vegetables, medical supplies")
    )
    route = forms.CharField(
        label=_("Route"), max_length=120, help_text=_("e.g. QL6 Hòa Bình → chợ Long Biên")
    )

    field_order = ["unit", "plate", "operator", "cargo", "route", "valid_from", "valid_to"]

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in ("plate", "operator", "cargo", "route")} | self.period()


class FleetForm(DomainErrorForm):
    unit = forms.ChoiceField(label=_("Issuing unit"))
    operator = forms.CharField(
        label=_("Transport company"),
        max_length=120,
        required=False,
        help_text=_("Used for rows whose “Đơn vị vận tải” column is empty"),
    )
    file = forms.FileField(
        label=_("Fleet file (CSV UTF-8)"),
        help_text=_(
            "Columns: Biển số, Hàng hóa, Lộ trình, Từ ngày, Đến ngày (dd/mm/yyyy); Đơn vị vận tải optional"
        ),
    )

    def __init__(self, *args: Any, units: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = list(units)  # type: ignore[attr-defined]


class DecisionForm(DomainErrorForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class TransitForm(SubmissionForm):
    unit = forms.ChoiceField(label=_("Issuing unit"))
    plate = forms.CharField(label=_("Plate"), max_length=40, help_text=_("e.g. 51D-678.90"))
    from_province = forms.CharField(label=_("From province"), max_length=60)
    to_province = forms.CharField(label=_("To province"), max_length=60)
    entry_checkpoint = forms.CharField(
        label=_("Entry gateway (code)"), max_length=20, required=False, help_text=_("e.g. CN-06")
    )
    valid_from = forms.DateTimeField(
        label=_("Expected to enter from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Hà Nội time"),
    )
    valid_to = forms.DateTimeField(
        label=_("Expected to enter until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("At most 7 days later"),
    )
    expected_hours = forms.IntegerField(
        label=_("Hours to cross the city"),
        required=False,
        min_value=1,
        max_value=48,
        help_text=_("From entry to exit; empty: the configured default"),
    )
    operator = forms.CharField(label=_("Transport company"), max_length=120, required=False)
    cargo = forms.CharField(label=_("Cargo"), max_length=120, required=False)

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = (
            "plate",
            "from_province",
            "to_province",
            "valid_from",
            "valid_to",
            "expected_hours",
            "operator",
            "cargo",
        )
        return {name: data[name] for name in names}


class ShipperForm(SubmissionForm, PeriodMixin):
    unit = forms.ChoiceField(label=_("Issuing unit"))
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    company = forms.CharField(label=_("Company"), max_length=120)
    cccd = forms.CharField(
        label=_("Citizen ID (CCCD)"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    plate = forms.CharField(label=_("Motorbike plate"), max_length=40, help_text=_("e.g. 29H1-234.56"))
    hours_start = forms.CharField(
        label=_("Allowed from"), max_length=5, initial="06:00", help_text=_("HH:MM")
    )
    hours_end = forms.CharField(
        label=_("Allowed until"), max_length=5, initial="18:00", help_text=_("HH:MM, not included")
    )
    zones = forms.CharField(
        label=_("Zones"), max_length=400, help_text=_("District or ward codes, e.g. 004, 00139")
    )

    field_order = ["unit", "full_name", "company", "cccd", "plate", "hours_start", "hours_end", "zones"]

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ("full_name", "company", "cccd", "plate", "hours_start", "hours_end", "zones")
        return {name: data[name] for name in names} | self.period()


class CheckForm(forms.Form):
    plate = forms.CharField(label=_("Plate"), max_length=40)
    checkpoint = forms.ChoiceField(label=_("Checkpoint"))
    at = forms.DateTimeField(
        label=_("At"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Empty: now"),
    )

    def __init__(self, *args: Any, checkpoints: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checkpoint"].choices = list(checkpoints)  # type: ignore[attr-defined]
