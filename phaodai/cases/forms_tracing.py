"""Forms of the tracing pages: new case, outcome, rows of contacts, the home filters.

They check shapes (a date, a CCCD's structure, a choice) and carry the services' refusals back beside
the field they name; the rules themselves (windows, duplicates, scope) live once in the services.
"""

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from phaodai.cases.errors import NoTestNorReason
from phaodai.cases.models import Case, Exposure
from phaodai.core.clock import FIRST_YEAR, LAST_YEAR
from phaodai.core.errors import DomainError, InvalidInput
from phaodai.core.idempotency import new_token as new_token  # the pages import it from here
from phaodai.core.identity import parse_cccd

DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATE_FORMAT = "%d/%m/%Y"
DATE_INPUTS = [DATE_FORMAT, "%Y-%m-%d"]
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
CONTACT_ROWS, MORE_ROWS, MAX_ROWS = 5, 5, 50
ROWS_PREFIX = "c"


def _checked_cccd(raw: str) -> str:
    try:
        return parse_cccd(raw).number
    except InvalidInput as error:
        raise forms.ValidationError(str(error.detail), code=error.code) from None


def _plausible(day: date | None) -> date | None:
    # Year 1 or 9999 parses, but a window around it overflows: refuse it as a typing mistake.
    if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise forms.ValidationError(_("Enter a date between 1900 and 2200."), code="implausible")
    return day


class HanoiDateTimeField(forms.DateTimeField):
    """dd/mm/yyyy HH:MM on Hà Nội's wall clock (the project's TIME_ZONE)."""

    input_formats = [DATETIME_FORMAT, "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.DateTimeInput(format=DATETIME_FORMAT, attrs={"placeholder": "dd/mm/yyyy hh:mm"})
        )
        kwargs.setdefault("help_text", _("dd/mm/yyyy hh:mm, Hà Nội time"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        moment = super().clean(value)
        if moment is not None:
            _plausible(moment.date())
        return moment


class DayField(forms.DateField):
    """A day typed dd/mm/yyyy (or picked as yyyy-mm-dd), within the plausible years."""

    input_formats = DATE_INPUTS

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.DateInput(format=DATE_FORMAT, attrs={"placeholder": "dd/mm/yyyy", "size": 10})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        return _plausible(super().clean(value))


class DomainErrorForm(forms.Form):
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.detail))


class TokenField(forms.CharField):
    """The hidden idempotency key; a damaged one is dropped (the service then matches on the facts)."""

    def __init__(self) -> None:
        super().__init__(widget=forms.HiddenInput, required=False, max_length=200)

    def clean(self, value: Any) -> str:
        token = super().clean(value)
        return token if TOKEN_SHAPE.match(token) else ""


# Home -------------------------------------------------------------------------------------------------


class HomeFilterForm(forms.Form):
    """The day and the ward the home page shows (default: today, the whole jurisdiction)."""

    day = DayField(label=_("Day"), required=False)
    ward = forms.ChoiceField(label=_("Ward"), required=False)

    def __init__(self, *args: Any, wards: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by_district: dict[str, list[tuple[str, str]]] = {}
        for ward in wards:
            by_district.setdefault(ward.parent.name, []).append((ward.code, ward.name))
        choices: list[Any] = [("", _("All my wards"))]
        if len(by_district) == 1:
            choices += next(iter(by_district.values()))
        else:
            choices += list(by_district.items())
        self.fields["ward"].choices = choices  # type: ignore[attr-defined]
        self.wards = {ward.code: ward for ward in wards}

    def chosen_ward(self) -> Any:
        return self.wards.get(self.cleaned_data.get("ward") or "")


# New case ---------------------------------------------------------------------------------------------

SOURCE_CHOICES = [("known", _("Known")), ("unknown", _("Unknown"))]


class CaseForm(DomainErrorForm):
    cccd = forms.CharField(
        label=_("Citizen ID (CCCD)"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("12 digits. The person must be registered first."),
    )
    confirmed_at = HanoiDateTimeField(label=_("Confirmed positive at"))
    test_ref = forms.CharField(label=_("Sample code of the positive test"), max_length=40, required=False)
    manual_reason = forms.CharField(
        label=_("Or: why the case is entered without a test result"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    detected_in = forms.ChoiceField(label=_("Detected"), choices=Case.DetectedIn.choices)
    detected_unit = forms.ChoiceField(
        label=_("Ward where the case was found"),
        required=False,
        help_text=_("Leave empty when it is the ward where the person lives."),
    )
    source_known = forms.TypedChoiceField(
        label=_("Source of infection"),
        choices=SOURCE_CHOICES,
        coerce=lambda value: value == "known",
        widget=forms.RadioSelect,
    )
    source_note = forms.CharField(
        label=_("About the source"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Case.Severity.choices, initial=Case.Severity.ASYMPTOMATIC
    )
    care = forms.ChoiceField(label=_("Care"), choices=Case.Care.choices, initial=Case.Care.FACILITY)
    token = TokenField()

    def __init__(self, *args: Any, wards: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Where the person lives"))] + [
            (ward.code, f"{ward.full_name} ({ward.parent.name})") for ward in wards
        ]
        self.fields["detected_unit"].choices = choices  # type: ignore[attr-defined]
        self.wards = {ward.code: ward for ward in wards}

    def clean_cccd(self) -> str:
        return _checked_cccd(self.cleaned_data["cccd"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        typed = [data[name].strip() for name in ("test_ref", "manual_reason") if name in data]
        if len(typed) == 2 and not any(typed):
            self.add_error("test_ref", str(NoTestNorReason.message))
        return data

    def chosen_ward(self) -> Any:
        return self.wards.get(self.cleaned_data.get("detected_unit") or "")


# Case outcome -----------------------------------------------------------------------------------------


class OutcomeForm(DomainErrorForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (Case.Outcome.RECOVERED, Case.Outcome.RECOVERED.label),
            (Case.Outcome.DIED, Case.Outcome.DIED.label),
        ],
        widget=forms.RadioSelect,
    )
    at = HanoiDateTimeField(label=_("Date and time"))
    # The case's version when the page was shown: a change saved meanwhile is not overwritten.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# Contacts ---------------------------------------------------------------------------------------------

IDENTITY_FIELDS = ("cccd", "full_name", "phone")


class ContactRowForm(forms.Form):
    """One contact: a registered person by CCCD; or someone not registered yet, by CCCD or by name and
    phone, with the residential area they live in (any ward: contacts cross ward lines)."""

    cccd = forms.CharField(
        label=_("CCCD"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 13}),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=32, required=False, widget=forms.TextInput(attrs={"size": 11})
    )
    residence_area = forms.ChoiceField(label=_("Lives in"), required=False)
    exposed_on = DayField(label=_("Exposed on"), required=False)
    setting = forms.ChoiceField(
        label=_("Setting"), choices=[("", "—"), *Exposure.Setting.choices], required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, areas: Sequence[tuple[Any, Any]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["residence_area"].choices = [("", "—"), *areas]  # type: ignore[attr-defined]

    def clean_cccd(self) -> str:
        raw = self.cleaned_data["cccd"].strip()
        return _checked_cccd(raw) if raw else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.has_changed():
            return data
        for name, message in (
            ("exposed_on", _("Give the day of the contact.")),
            ("setting", _("Choose where the contact happened.")),
        ):
            if name in data and not data[name]:
                self.add_error(name, message)
        if not self.errors.get("cccd") and not data.get("cccd"):
            if not (data.get("full_name") or "").strip():
                self.add_error("full_name", _("Give the contact's CCCD, or their name and phone."))
            elif not (data.get("phone") or "").strip() and "phone" in data:
                self.add_error("phone", _("Without a CCCD, give the contact's phone."))
        return data


class BaseContactRows(BaseFormSet):
    def filled(self) -> list[tuple[int, ContactRowForm]]:
        """The rows with something typed in, with their position on the page."""
        return [(index, form) for index, form in enumerate(self.forms) if form.has_changed()]


def contact_rows(
    data: Any = None,
    *,
    areas: Sequence[tuple[Any, Any]],
    initial: Sequence[dict[str, Any]] | None = None,
    blank: int = CONTACT_ROWS,
) -> BaseContactRows:
    """The rows of an "add contacts" form: the posted ones, or `initial` rows and `blank` empty ones."""
    blank = max(1, min(blank, MAX_ROWS - len(initial or ())))
    formset_class = formset_factory(
        ContactRowForm,
        formset=BaseContactRows,
        extra=blank,
        max_num=MAX_ROWS,
        absolute_max=MAX_ROWS,
        validate_max=True,
    )
    rows: Any = formset_class(data, initial=initial, prefix=ROWS_PREFIX, form_kwargs={"areas": areas})
    return rows


def posted_rows(data: Any) -> tuple[list[dict[str, Any]], int]:
    """What was typed in each row that has something (to show again, unchecked) and how many rows
    the form had; for "find areas" and "more rows", which save nothing."""
    try:
        total = int(data.get(f"{ROWS_PREFIX}-TOTAL_FORMS", CONTACT_ROWS))
    except (TypeError, ValueError):
        total = CONTACT_ROWS
    total = max(1, min(total, MAX_ROWS))
    rows = []
    for index in range(total):
        row = {
            name: str(data.get(f"{ROWS_PREFIX}-{index}-{name}", ""))[:300]
            for name in ContactRowForm.base_fields
        }
        if any(value.strip() for value in row.values()):
            rows.append(row)
    return rows, total
