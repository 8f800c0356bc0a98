"""Forms of the business pages: shapes and messages beside each field; the rules live in the services."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.business.models import Business, SafetyPlan
from phaodai.core.errors import DomainError

TEXT_MAX = 20_000
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DomainErrorsMixin:
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        form: Any = self
        name = error.field if error.field in form.fields else None
        form.add_error(name, str(error.detail))


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)


class BusinessForm(DomainErrorsMixin, forms.Form):
    """A business registered in a ward of the officer's jurisdiction."""

    tax_code = forms.CharField(
        label=_("Tax code"), max_length=20, help_text=_("10 digits, or 13 for a branch (0100112437-001)")
    )
    name = forms.CharField(label=_("Name"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Business.Kind.choices)
    sector = forms.ChoiceField(label=_("Sector"), help_text=_("Its activity under the measures in force"))
    address = forms.CharField(label=_("Address"), max_length=300)
    unit = forms.ChoiceField(label=_("Ward"))
    area = forms.CharField(
        label=_("Residential area"),
        required=False,
        max_length=40,
        help_text=_("Optional: the area's code, e.g. 00139-TDP01"),
    )
    workforce = forms.IntegerField(label=_("Workforce"), min_value=0, max_value=1_000_000, initial=0)

    def __init__(
        self,
        *args: Any,
        wards: Sequence[tuple[str, str]],
        sectors: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = list(wards)  # type: ignore[attr-defined]
        self.fields["sector"].choices = list(sectors)  # type: ignore[attr-defined]


class RepresentativeForm(DomainErrorsMixin, forms.Form):
    username = forms.CharField(label=_("User name of the representative"), max_length=150)


class PlanForm(DomainErrorsMixin, forms.Form):
    """The plan's own content (S28): how the business will operate safely."""

    mode = forms.ChoiceField(label=_("Operating mode"), choices=SafetyPlan.Mode.choices)
    people_on_site = forms.IntegerField(label=_("People on site"), min_value=1, max_value=100_000)
    shifts = forms.IntegerField(label=_("Shifts"), min_value=1, max_value=100_000, initial=1)
    measures = forms.CharField(
        label=_("Measures"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Distancing, QR check-in, staff testing, eating and resting arrangements…"),
    )
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=120)
    responsible_phone = forms.CharField(label=_("Their phone"), max_length=20, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def plan_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class VersionForm(forms.Form):
    """A step that needs nothing but the version the user saw (submit)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ApproveForm(DomainErrorsMixin, forms.Form):
    conditions = forms.CharField(
        label=_("Conditions of the approval"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    valid_from = forms.DateTimeField(
        label=_("Valid from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Hà Nội time; empty means now"),
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Hà Nội time; empty means until further notice"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReasonForm(DomainErrorsMixin, forms.Form):
    """Return, reject, suspend, revoke: the business reads the reason."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason; the business reads it.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NoteForm(DomainErrorsMixin, forms.Form):
    """Reinstate: an optional note."""

    note = forms.CharField(
        label=_("Note"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AttachmentForm(DomainErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, PNG or JPEG image, or Word (DOCX): site layout, staff list, shift roster…"),
    )
