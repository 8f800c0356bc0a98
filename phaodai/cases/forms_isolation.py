"""Forms of the isolation pages: shapes and messages beside each field; the rules live in isolation.py.

The CCCD is typed in a POST form, never put in a URL; a person picked on a case or tracing page travels
as their id.
"""

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.cases.isolation import DECISION_MAX, HIGHEST, LOWEST, NOTE_MAX, REASON_MAX, Symptom
from phaodai.cases.models import FollowUp, IsolationOrder, IsolationRule
from phaodai.core.clock import FIRST_YEAR, LAST_YEAR
from phaodai.core.errors import DomainError, InvalidInput
from phaodai.core.identity import parse_cccd

ISO_DATE = "%Y-%m-%d"
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
ROOM_KINDS = [("male", _("Male rooms")), ("female", _("Female rooms")), ("family", _("Family room"))]


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)


def _datetime() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def _version() -> forms.IntegerField:
    return forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class DomainErrorForm(forms.Form):
    """Show a service's refusal beside the field it names (or its alias here), or above the form."""

    aliases: dict[str, str] = {}

    def add_domain_error(self, error: DomainError) -> None:
        name = self.aliases.get(error.field or "", error.field)
        field = (
            name
            if name in self.fields and not isinstance(self.fields[name].widget, forms.HiddenInput)
            else None
        )
        self.add_error(field, str(error.detail))


class OrderForm(DomainErrorForm):
    """Order a person isolated: picked on a case or tracing page (their id), or by CCCD."""

    aliases = {"person": "cccd", "idempotency_key": "", "admitted_at": "starts_at"}

    person = forms.UUIDField(required=False, widget=forms.HiddenInput)
    case = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    cccd = forms.CharField(
        label=_("Citizen ID (CCCD)"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    subject = forms.ChoiceField(label=_("Who"), choices=IsolationRule.Subject.choices)
    setting = forms.ChoiceField(label=_("Where"), choices=IsolationOrder.Setting.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), required=False, widget=_datetime(), help_text=_("Hà Nội time; empty means now")
    )
    facility = forms.TypedChoiceField(
        label=_("Concentrated facility"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Only for an order to a facility: the person is admitted there at once."),
    )
    room_kind = forms.ChoiceField(
        label=_("Room"), required=False, choices=[("", _("By the person's sex")), *ROOM_KINDS]
    )
    area = forms.CharField(
        label=_("Followed in area"),
        required=False,
        max_length=40,
        help_text=_("The area's code (e.g. 00139-TDP01); empty: where the person lives."),
    )
    # A double submit orders once: the key of this form's order.
    token = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)

    def __init__(
        self, *args: Any, facilities: Sequence[Any] = (), person_known: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["facility"]
        field.choices = [("", "—"), *((f.pk, _facility_label(f)) for f in facilities)]
        if person_known:
            del self.fields["cccd"]
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)

    def clean_cccd(self) -> str:
        raw = self.cleaned_data.get("cccd") or ""
        if not raw:
            return ""
        try:
            return parse_cccd(raw).number
        except InvalidInput as error:
            raise forms.ValidationError(str(error.detail)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            "cccd" in self.fields
            and not data.get("cccd")
            and not data.get("person")
            and not self.has_error("cccd")
        ):
            self.add_error("cccd", _("Type the person's citizen ID (CCCD)."))
        return data


def _facility_label(facility: Any) -> str:
    free = str(_("%(n)s beds free")) % {"n": facility.free.total}
    return f"{facility.name} — {facility.unit.full_name} ({free})"


class ReleaseForm(DomainErrorForm):
    decision = forms.CharField(
        label=_("Release decision"), max_length=DECISION_MAX, help_text=_("Its number, e.g. 125/QĐ-UBND")
    )
    released_at = forms.DateTimeField(
        label=_("Released at"),
        required=False,
        widget=_datetime(),
        help_text=_("Hà Nội time; empty means now"),
    )
    reason = forms.CharField(
        label=_("Why before the planned end"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the isolation is not over yet."),
    )
    version = _version()


class CancelForm(DomainErrorForm):
    reason = forms.CharField(
        label=_("Why the order is cancelled"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = _version()


class MonitoringForm(DomainErrorForm):
    version = _version()


class FollowUpForm(DomainErrorForm):
    day = forms.DateField(label=_("Day checked"), widget=_date())
    result = forms.ChoiceField(label=_("Result"), choices=FollowUp.Result.choices, widget=forms.RadioSelect)
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"), required=False, choices=Symptom.choices, widget=forms.CheckboxSelectMultiple
    )
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        required=False,
        min_value=LOWEST,
        max_value=HIGHEST,
        decimal_places=1,
        max_digits=4,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX)


class WorklistForm(forms.Form):
    """The day and (optionally) the area of a worklist, from the query string."""

    day = forms.DateField(required=False, input_formats=[ISO_DATE, "%d/%m/%Y"])
    area = forms.CharField(required=False, max_length=40)

    def clean_day(self) -> date | None:
        day: date | None = self.cleaned_data["day"]
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Give a day between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return day


class OrdersFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", ""), *IsolationOrder.Status.choices])
    after = forms.IntegerField(required=False, min_value=1)
