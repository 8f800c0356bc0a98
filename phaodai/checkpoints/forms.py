"""Forms of the checkpoint pages: shapes and messages beside each field; the rules live in the services."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.checkpoints.models import Checkpoint, StaffMember
from phaodai.checkpoints.rosters import StaffRef
from phaodai.core.errors import DomainError

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _datetime(**attrs: Any) -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local", **attrs}, format=DATETIME_LOCAL)


class DomainErrorForm(forms.Form):
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields and not self.fields[error.field].disabled else None
        self.add_error(field, str(error.detail))


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    kind = forms.ChoiceField(required=False, choices=[("", ""), *Checkpoint.Kind.choices])
    district = forms.CharField(required=False, max_length=5)


class CheckpointForm(DomainErrorForm):
    """A checkpoint's details; the focal unit is chosen once, at registration."""

    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("e.g. CN-05 or 268-01"))
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("In Vietnamese, e.g. Chốt QL6 Yên Nghĩa")
    )
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Checkpoint.Kind.choices)
    unit = forms.ChoiceField(
        label=_("Focal unit"),
        help_text=_(
            "The one unit that sets up and manages it: a district for gateways and district checkpoints"
        ),
    )
    other_side = forms.CharField(
        label=_("Other side of the boundary"),
        max_length=5,
        required=False,
        help_text=_(
            "On a boundary: the code of the unit across it (e.g. 00133); it coordinates, it does not manage"
        ),
    )
    road = forms.CharField(
        label=_("Road"), max_length=100, required=False, help_text=_("e.g. QL6, QL21B, Tố Hữu")
    )
    location = forms.CharField(label=_("Location"), max_length=300)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=8, decimal_places=6)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6)
    neighbouring_province = forms.CharField(
        label=_("Neighbouring province"),
        max_length=60,
        required=False,
        help_text=_("For gateways and border checkpoints, e.g. Hòa Bình"),
    )
    active_from = forms.DateTimeField(
        label=_("In operation from"), widget=_datetime(), help_text=_("Hà Nội time")
    )
    active_until = forms.DateTimeField(
        label=_("Until"), widget=_datetime(), required=False, help_text=_("Empty: until further notice")
    )
    procedure = forms.CharField(
        label=_("Procedure"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the staff check and how, in order"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Checkpoint.Status.choices, initial="active")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self, *args: Any, units: Sequence[tuple[str, str]] = (), editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        unit_field: Any = self.fields["unit"]
        if editing:
            del self.fields["unit"]
        else:
            unit_field.choices = list(units)

    def details(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("unit", "version", "other_side"):
            data.pop(name, None)
        return data


class StaffForm(DomainErrorForm):
    """People for a shift: users with a role here, and/or one person named with organisation and mobile."""

    users = forms.MultipleChoiceField(
        label=_("Officials with a role here"), required=False, widget=forms.CheckboxSelectMultiple
    )
    full_name = forms.CharField(label=_("Or a named person: full name"), max_length=120, required=False)
    organisation = forms.ChoiceField(
        label=_("Organisation"), required=False, choices=[("", "—"), *StaffMember.Organisation.choices]
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        help_text=_("One number is one person: it keeps them from being in two places at once"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, users: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_objects = {user.username: user for user in users}
        field: Any = self.fields["users"]
        field.choices = [(user.username, user.get_full_name() or user.username) for user in users]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = [data.get("full_name"), data.get("organisation"), data.get("phone")]
        if any(named) and not all(named):
            self.add_error(
                "full_name", _("A named person needs a full name, organisation and mobile number.")
            )
        elif not data.get("users") and not any(named):
            self.add_error("users", _("Name at least one person for the shift."))
        return data

    def staff(self) -> list[StaffRef]:
        data = self.cleaned_data
        refs = [StaffRef(user=self.user_objects[name]) for name in data.get("users", [])]
        if data.get("full_name"):
            refs.append(
                StaffRef(full_name=data["full_name"], organisation=data["organisation"], phone=data["phone"])
            )
        return refs


class ShiftForm(StaffForm):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=_datetime(), help_text=_("Hà Nội time"))
    ends_at = forms.DateTimeField(label=_("Ends"), widget=_datetime())
    field_order = ["starts_at", "ends_at", "users", "full_name", "organisation", "phone"]
