"""Forms of the lockdown pages and the KPI board: shapes and messages beside each field; rules live in
lockdowns.py."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.cases.lockdowns import DECISION_MAX, MAX_PEOPLE, PLACE_MAX, TEXT_MAX
from phaodai.cases.models import Lockdown
from phaodai.core.clock import FIRST_YEAR, LAST_YEAR
from phaodai.core.errors import DomainError

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
ISO_DATE = "%Y-%m-%d"


def _moment() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


class DomainErrorForm(forms.Form):
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        self.add_error(error.field if error.field in self.fields else None, str(error.detail))


class DeclareForm(DomainErrorForm):
    """A lockdown of an area, or of a building or lane in it (times are Hà Nội's)."""

    ward = forms.CharField(widget=forms.HiddenInput)
    area = forms.ChoiceField(label=_("Residential area"))
    scope = forms.ChoiceField(label=_("What is locked down"), choices=Lockdown.Scope.choices)
    place = forms.CharField(
        label=_("Building or lane"),
        required=False,
        max_length=PLACE_MAX,
        help_text=_("Required for a building or a lane, e.g. “Ngõ 66 phố Ngọc Lâm”."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=DECISION_MAX, help_text=_("e.g. 125/QĐ-UBND")
    )
    cluster = forms.ChoiceField(label=_("Outbreak (cluster)"), required=False)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_moment())
    planned_end_at = forms.DateTimeField(label=_("Planned to end at"), widget=_moment())
    people_inside = forms.IntegerField(label=_("People inside"), min_value=0, max_value=MAX_PEOPLE, initial=0)
    checkpoints = forms.CharField(
        label=_("Checkpoints"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where each checkpoint stands, one per line."),
    )

    def __init__(
        self,
        *args: Any,
        areas: Sequence[tuple[str, str]],
        clusters: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        area: Any = self.fields["area"]
        cluster: Any = self.fields["cluster"]
        area.choices = list(areas)
        cluster.choices = [("", _("None")), *clusters]

    def clean_checkpoints(self) -> list[str]:
        return [line for line in self.cleaned_data["checkpoints"].splitlines() if line.strip()]


class ExtendForm(DomainErrorForm):
    planned_end_at = forms.DateTimeField(label=_("New planned end"), widget=_moment())
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class LiftForm(DomainErrorForm):
    ended_at = forms.DateTimeField(label=_("Lifted at"), widget=_moment())
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class BoardForm(forms.Form):
    """Which unit and day the KPI board shows (defaults: the user's unit, today)."""

    unit = forms.CharField(required=False, max_length=5)
    day = forms.DateField(
        label=_("Day"),
        required=False,
        input_formats=[ISO_DATE, "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )

    def clean_day(self) -> date | None:
        day = self.cleaned_data["day"]
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(_("Enter a valid date."))
        return day
