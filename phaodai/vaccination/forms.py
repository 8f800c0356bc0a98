"""Forms of the vaccination pages: shapes and messages beside each field; the rules live in the services."""

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import DomainError
from phaodai.vaccination.models import AdverseEvent, HomeVisit

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
MAX_DOSE_NUMBER = 10


def _date(**kwargs: Any) -> forms.DateField:
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return forms.DateField(input_formats=DATE_FORMATS, widget=widget, **kwargs)


class DomainErrorForm(forms.Form):
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields and not self.fields[error.field].disabled else None
        self.add_error(field, str(error.detail))


class FindForm(DomainErrorForm):
    """Find a person by their CCCD, typed here (it never goes in an address)."""

    cccd = forms.CharField(
        label=_("Citizen ID (CCCD)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class DoseForm(DomainErrorForm):
    product = forms.ChoiceField(label=_("Vaccine"))
    dose_number = forms.IntegerField(label=_("Dose number"), min_value=1, max_value=MAX_DOSE_NUMBER)
    given_on = _date(label=_("Given on"), help_text=_("dd/mm/yyyy"))
    lot = forms.CharField(label=_("Lot number"), max_length=40)
    site = forms.CharField(label=_("Site"), max_length=200, help_text=_("Vaccination site, or “at home”"))
    vaccinator = forms.CharField(label=_("Vaccinator"), max_length=150)

    def __init__(self, *args: Any, products: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["product"]
        field.choices = [("", "—"), *((p.code, p.name) for p in products)]


class AdverseEventForm(DomainErrorForm):
    severity = forms.ChoiceField(label=_("Severity"), choices=AdverseEvent.Severity.choices)
    onset_at = forms.DateTimeField(
        label=_("Began at"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Hà Nội time"),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=AdverseEvent.Outcome.choices)
    description = forms.CharField(
        label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    # A fresh key per form shown: sending the same form twice records one event.
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)


class CoverageForm(forms.Form):
    unit = forms.CharField(required=False, max_length=5)
    on = _date(required=False, label=_("As of"))


class DueForm(forms.Form):
    ward = forms.ChoiceField(label=_("Ward"))
    on = _date(required=False, label=_("As of"))
    after = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args: Any, wards: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["ward"]
        field.choices = [(w.code, w.full_name) for w in wards]


class HomeVisitForm(DomainErrorForm):
    reason = forms.ChoiceField(
        label=_("Why at home"),
        required=False,
        choices=[("", _("From the registry")), *HomeVisit.Reason.choices],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ScheduleForm(DomainErrorForm):
    team = forms.ChoiceField(label=_("Team"), required=False)
    visit_on = _date(label=_("Day"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, teams: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["team"]
        field.choices = [("", _("First team with a free visit"))] + [
            (str(t.pk), f"{t.name} ({t.daily_capacity})") for t in teams
        ]


class TeamForm(DomainErrorForm):
    unit = forms.ChoiceField(label=_("Unit"))
    name = forms.CharField(label=_("Name"), max_length=150)
    daily_capacity = forms.IntegerField(label=_("Visits a day"), min_value=1, max_value=500)

    def __init__(self, *args: Any, units: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["unit"]
        field.choices = [(u.code, u.full_name) for u in units]


class SiteForm(TeamForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300)
    hourly_capacity = forms.IntegerField(label=_("People an hour"), min_value=1, max_value=1000)
    opens_at = forms.TimeField(label=_("Opens at"), widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(label=_("Closes at"), widget=forms.TimeInput(attrs={"type": "time"}))
    incident_contact = forms.CharField(label=_("Who to call in an incident"), max_length=150)
    incident_phone = forms.CharField(label=_("Their phone"), max_length=15)
    nearest_hospital = forms.CharField(label=_("Nearest hospital"), max_length=200)
    severe_reaction_plan = forms.CharField(
        label=_("Response to a severe reaction"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["daily_capacity"]


class InviteForm(DomainErrorForm):
    group = forms.ChoiceField(
        label=_("Priority group"),
        choices=[
            ("elderly_65", _("Aged 65 or over")),
            ("chronic_illness", _("Chronic illness")),
            ("disability_immobile", _("Disability or immobile")),
            ("adults", _("Every adult")),
        ],
    )
    day = _date(label=_("For the day"))
    limit = forms.IntegerField(label=_("At most"), min_value=1, max_value=2000, initial=200)


class BookForm(DomainErrorForm):
    cccd = forms.CharField(label=_("Citizen ID (CCCD)"), max_length=20)
    starts_at = forms.DateTimeField(
        label=_("Hour"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 3600}, format="%Y-%m-%dT%H:%M"),
        help_text=_("A whole hour, Hà Nội time"),
    )


class CancelForm(DomainErrorForm):
    """Why a booking or a home visit is cancelled (kept with it and in the audit log)."""

    reason = forms.CharField(label=_("Reason"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class TeamEditForm(DomainErrorForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    daily_capacity = forms.IntegerField(label=_("Visits a day"), min_value=1, max_value=500)
    active = forms.BooleanField(
        label=_("Working"), required=False, help_text=_("Untick to retire the team (no visit left to make).")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SiteEditForm(SiteForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["unit"]
