"""Forms of the testing pages: shapes and messages beside each field; the rules live in services.py."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import DomainError
from phaodai.core.idempotency import new_token as new_token  # the pages import it from here
from phaodai.diagnostics.models import Method, Outcome, TestingRound
from phaodai.diagnostics.services import (
    MAX_TARGET_LINES,
    NAME_MAX,
    PLACE_MAX,
    TEAM_MAX,
    RoundPlan,
    SampleInput,
)

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
ISO_DATE = "%Y-%m-%d"
RESULT_CHOICES = [(o.value, o.label) for o in (Outcome.NEGATIVE, Outcome.POSITIVE, Outcome.INVALID)]


def _moment() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def _day() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)


class DomainErrorForm(forms.Form):
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        self.add_error(error.field if error.field in self.fields else None, str(error.detail))


class RoundForm(DomainErrorForm):
    """A testing round: whom (a lockdown, areas or a risk group), how, how often, from when to when."""

    token = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    unit = forms.ChoiceField(label=_("Organised by"), widget=forms.HiddenInput)
    target = forms.ChoiceField(
        label=_("Who is tested"), choices=TestingRound.Target.choices, widget=forms.RadioSelect
    )
    lockdown = forms.ChoiceField(label=_("Lockdown"), required=False)
    areas = forms.MultipleChoiceField(
        label=_("Residential areas"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl to choose several."),
    )
    risk_group = forms.ChoiceField(
        label=_("Risk group"), required=False, choices=[("", "—"), *TestingRound.RiskGroup.choices]
    )
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    pool_size = forms.TypedChoiceField(
        label=_("Pool size"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), ("5", "5"), ("10", "10")],
        help_text=_("Pooled PCR only."),
    )
    cadence_days = forms.IntegerField(
        label=_("Every (days)"),
        min_value=1,
        max_value=14,
        help_text=_("Lockdowns and very-high- or high-risk groups: every 2 to 3 days (S18)."),
    )
    starts_on = forms.DateField(label=_("First day"), widget=_day())
    ends_on = forms.DateField(label=_("Last day"), widget=_day())
    accept_slow_cadence = forms.BooleanField(
        label=_("I confirm a longer interval than 3 days for this target"), required=False
    )

    def __init__(
        self,
        *args: Any,
        units: Sequence[tuple[str, str]],
        lockdowns: Sequence[tuple[str, str]],
        areas: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        unit: Any = self.fields["unit"]
        lockdown: Any = self.fields["lockdown"]
        area: Any = self.fields["areas"]
        unit.choices = list(units)
        lockdown.choices = [("", "—"), *lockdowns]
        area.choices = list(areas)

    def plan(self) -> RoundPlan:
        data = self.cleaned_data
        target = data["target"]
        return RoundPlan(
            name=data["name"],
            target=target,
            method=data["method"],
            cadence_days=data["cadence_days"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            lockdown_id=int(data["lockdown"]) if target == "lockdown" and data["lockdown"] else None,
            area_codes=data["areas"] if target == "areas" else (),
            risk_group=data["risk_group"] if target == "group" else "",
            pool_size=data["pool_size"] if data["method"] == Method.PCR_POOLED else None,
            accept_slow_cadence=data["accept_slow_cadence"],
        )


class VersionForm(DomainErrorForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TargetsForm(DomainErrorForm):
    cccds = forms.CharField(
        label=_("CCCD numbers"),
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off"}),
        help_text=_("One per line, %(max)d lines at most.") % {"max": MAX_TARGET_LINES},
    )


class SampleForm(DomainErrorForm):
    """A swab: its barcode, whose it is (CCCD), when and where it was taken, its lab and pool."""

    code = forms.CharField(
        label=_("Sample code"), max_length=40, widget=forms.TextInput(attrs={"autofocus": True})
    )
    cccd = forms.CharField(
        label=_("CCCD"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    collected_at = forms.DateTimeField(label=_("Taken at"), widget=_moment())
    method = forms.ChoiceField(label=_("Method"), required=False, choices=[("", "—"), *Method.choices])
    pool_code = forms.CharField(label=_("Pool code"), max_length=40, required=False)
    lab = forms.ChoiceField(label=_("Laboratory"), required=False)
    place = forms.CharField(label=_("Place"), max_length=PLACE_MAX, required=False)
    team = forms.CharField(label=_("Sampling team"), max_length=TEAM_MAX, required=False)

    def __init__(self, *args: Any, labs: Sequence[tuple[str, str]], in_session: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lab: Any = self.fields["lab"]
        lab.choices = [("", "—"), *labs]
        if in_session:
            del self.fields["method"]

    def sample_input(self) -> SampleInput:
        data = self.cleaned_data
        return SampleInput(
            code=data["code"],
            cccd=data["cccd"],
            collected_at=data["collected_at"],
            place=data["place"],
            team=data["team"],
            lab_code=data["lab"],
            method=data.get("method", ""),
            pool_code=data["pool_code"],
        )


class FindCodeForm(forms.Form):
    code = forms.CharField(label=_("Sample or pool code"), max_length=40)


class ResultForm(DomainErrorForm):
    outcome = forms.ChoiceField(label=_("Result"), choices=RESULT_CHOICES, widget=forms.RadioSelect)
    resulted_at = forms.DateTimeField(label=_("Result time"), widget=_moment())
    lab = forms.ChoiceField(label=_("Laboratory"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, labs: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lab: Any = self.fields["lab"]
        lab.choices = [("", "—"), *labs]


class PeriodForm(forms.Form):
    first = forms.DateField(label=_("From"), widget=_day())
    last = forms.DateField(label=_("To"), widget=_day())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first and last:
            if last < first:
                self.add_error("last", _("The last day comes before the first."))
            elif (last - first).days > 92:
                self.add_error("last", _("Choose at most 92 days."))
        return data
