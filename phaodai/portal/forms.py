"""Public forms: the instant a page is about, and the criteria dry run."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from phaodai.core.clock import Clock, now, to_local
from phaodai.core.errors import InvalidInput
from phaodai.portal import words
from phaodai.portal.moments import FIRST_YEAR, LAST_YEAR, combine, parse_at, query_value
from phaodai.zoning import rules


class MomentForm(forms.Form):
    """A day and (optionally) a time on Hà Nội's clock; without a time, 12:00."""

    date = forms.DateField(
        label=_("Date"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    time = forms.TimeField(
        label=_("Time"),
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


@dataclass(frozen=True)
class Moment:
    """The instant a page shows, whether the visitor chose it, and the picker showing it."""

    at: datetime
    chosen: bool
    form: MomentForm
    error: InvalidInput | None = None

    @property
    def value(self) -> str:
        """The chosen instant as `at` takes it (empty for "now")."""
        return query_value(self.at) if self.chosen else ""

    @property
    def query(self) -> str:
        """`at=...` to carry the chosen instant along links (empty for "now")."""
        return f"at={self.value}" if self.chosen else ""


def moment_of(params: QueryDict, clock: Clock = now) -> Moment:
    """The instant asked for by `at` (ISO 8601) or by the picker's `date` and `time`; now otherwise."""
    error: InvalidInput | None = None
    at, chosen = clock(), False
    raw_at = str(params.get("at", "")).strip()
    if raw_at:
        try:
            at, chosen = parse_at(raw_at), True
        except InvalidInput as problem:
            error = problem
    elif str(params.get("date", "")).strip():
        picker = MomentForm(params)
        if picker.is_valid() and FIRST_YEAR <= picker.cleaned_data["date"].year <= LAST_YEAR:
            at, chosen = combine(picker.cleaned_data["date"], picker.cleaned_data["time"]), True
        else:
            return Moment(at, False, picker, InvalidInput(_("Choose a valid date (and time)."), field="at"))
    local = to_local(at)
    picker = MomentForm(initial={"date": local.date(), "time": local.time().replace(second=0, microsecond=0)})
    return Moment(at, chosen, picker, error)


class DryRunForm(forms.Form):
    """One optional field per indicator the table reads; a blank means "not known"."""

    def __init__(self, *args: Any, indicators: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in indicators:
            self.fields[name] = _field(name)

    def values(self) -> dict[str, Any]:
        """The raw values entered (checked by criteria.clean_indicators, so the API's rules apply)."""
        return {name: self.data.get(name, "") for name in self.fields}


FLAG_CHOICES = [("", _("not known")), ("true", _("yes")), ("false", _("no"))]


def _field(name: str) -> forms.Field:
    kind = rules.INDICATORS.get(name)
    label = words.indicator_name(name)
    if kind == rules.FLAG:
        return forms.ChoiceField(label=label, choices=FLAG_CHOICES, required=False)
    if kind == rules.CATEGORY:
        return forms.CharField(label=label, required=False, max_length=40)
    attrs = {"inputmode": "decimal", "step": "any", "min": "0"}
    return forms.CharField(label=label, required=False, max_length=20, widget=forms.TextInput(attrs=attrs))
