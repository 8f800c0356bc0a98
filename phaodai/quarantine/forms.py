"""Forms of the quarantine pages: shapes and messages beside each field; the rules live in the services."""

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import DomainError
from phaodai.quarantine import rules
from phaodai.quarantine.models import Admission, Facility, Readiness, RoomKind

ISO_DATE = "%Y-%m-%d"
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
MAX_BEDS = 100_000


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)


def _datetime() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def _beds(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_BEDS, initial=0)


class DomainErrorForm(forms.Form):
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields and not self.fields[error.field].disabled else None
        self.add_error(field, str(error.detail))


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    readiness = forms.ChoiceField(required=False, choices=[("", ""), *Readiness.choices])


class FacilityForm(DomainErrorForm):
    """A facility's details and beds; the managing unit is chosen once, at registration."""

    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("As the decision writes it, in Vietnamese")
    )
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=300)
    unit = forms.ChoiceField(label=_("Managing unit"), help_text=_("A district, or the city"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Facility.Kind.choices)
    beds_male = _beds(_("Beds in male rooms"))
    beds_female = _beds(_("Beds in female rooms"))
    beds_family = _beds(_("Beds in family rooms"))
    is_school = forms.BooleanField(label=_("A school or university to be handed back"), required=False)
    return_due = forms.DateField(
        label=_("To be handed back on"),
        required=False,
        widget=_date(),
        help_text=_("The date on the back-to-school roadmap, if known"),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self, *args: Any, units: Sequence[tuple[str, str]] = (), editing: bool = False, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        unit_field: Any = self.fields["unit"]
        if editing:
            del self.fields["unit"]
        else:
            unit_field.choices = list(units)

    def details(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("unit", "version"):
            data.pop(name, None)
        return data


class ReadinessForm(DomainErrorForm):
    readiness = forms.ChoiceField(
        label=_("Readiness"),
        choices=[(value, label) for value, label in Facility.State.choices],
        help_text=_("Active and full follow from the beds taken."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AdmitForm(DomainErrorForm):
    """Admit a person found by their CCCD, typed here (it never goes in an address)."""

    cccd = forms.CharField(
        label=_("Citizen ID (CCCD)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    room_kind = forms.ChoiceField(
        label=_("Room"),
        required=False,
        choices=[("", _("By the person's sex")), *RoomKind.choices],
    )
    admitted_at = forms.DateTimeField(
        label=_("Admitted at"),
        required=False,
        widget=_datetime(),
        help_text=_("Hà Nội time; empty means now"),
    )
    planned_release = forms.DateField(label=_("Planned release"), required=False, widget=_date())
    order_ref = forms.CharField(
        label=_("Order or decision"),
        required=False,
        max_length=64,
        help_text=_("The isolation order's number or reference"),
    )
    # A double submit admits once: the key of this form's admission.
    token = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)


class DischargeForm(DomainErrorForm):
    reason = forms.ChoiceField(
        label=_("Why the person leaves"),
        choices=[
            c for c in Admission.DischargeReason.choices if c[0] != Admission.DischargeReason.TRANSFERRED
        ],
    )
    discharged_at = forms.DateTimeField(
        label=_("Discharged at"),
        required=False,
        widget=_datetime(),
        help_text=_("Hà Nội time; empty means now"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(DomainErrorForm):
    facility = forms.TypedChoiceField(label=_("To facility"), coerce=int, required=False, empty_value=None)
    room_kind = forms.ChoiceField(
        label=_("Room"),
        required=False,
        choices=[("", _("As now, or by the person's sex")), *RoomKind.choices],
    )
    at = forms.DateTimeField(
        label=_("Transferred at"),
        required=False,
        widget=_datetime(),
        help_text=_("Hà Nội time; empty means now"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, facilities: Sequence[Facility] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["facility"]
        field.choices = [
            ("", _("This facility, other rooms")),
            *((f.pk, f"{f.name} — {f.unit.full_name} ({_free_label(f)})") for f in facilities),
        ]


def _free_label(facility: Facility) -> str:
    free = facility.free
    return str(_("free: %(male)s male, %(female)s female, %(family)s family")) % {
        kind: free.of(kind) for kind in rules.ROOM_KINDS
    }
