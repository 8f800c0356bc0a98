"""Forms of the report pages: a report's values (built from the form's fields), corrections, decisions.

Forms carry what was typed and show the services' refusals beside each field; the checks themselves
(whole numbers, "1.200", positives ≤ tests...) live once in the services and rules.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import DomainError
from phaodai.core.idempotency import new_token as new_token  # the pages import it from here
from phaodai.sitreps.errors import InvalidValues
from phaodai.sitreps.models import FormField, UrgentReport
from phaodai.sitreps.rules import NUMERIC_KINDS
from phaodai.sitreps.selectors import localized

VALUE_PREFIX = "v_"  # keeps the form's own fields (token, slot, reason...) apart from the report's codes
SIGNED_MAX_AGE = 3 * 24 * 3600  # a form may stay open over a long shift; older hidden data is recomputed
TEXT_ROWS = 3


def sign(value: Any, salt: str) -> str:
    return signing.dumps(value, salt=f"phaodai.sitreps.{salt}")


def unsign(text: str, salt: str) -> Any:
    """The signed value, or None if it was altered, expired or absent."""
    if not text:
        return None
    try:
        return signing.loads(text, salt=f"phaodai.sitreps.{salt}", max_age=SIGNED_MAX_AGE)
    except signing.BadSignature:
        return None


class DomainErrorsMixin:
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        form: Any = self
        if isinstance(error, InvalidValues):
            for code, message in error.problems.items():
                name = next((n for n in (value_name(code), code) if n in form.fields), None)
                form.add_error(name, message)
            return
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(error.detail))


def value_name(code: str) -> str:
    return f"{VALUE_PREFIX}{code}"


def _value_field(field: FormField) -> forms.CharField:
    """Counts and amounts are typed as text with a numeric keypad, so "1.200" and "1 200" are accepted."""
    label = localized(field, "label")
    if field.kind in NUMERIC_KINDS:
        widget: forms.Widget = forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "num", "size": 12}
        )
    else:
        widget = forms.Textarea(attrs={"rows": TEXT_ROWS})
    return forms.CharField(label=label, required=False, strip=False, widget=widget)


class ReportValuesForm(DomainErrorsMixin, forms.Form):
    """A report's values, one input per field of the schedule's form, with what the system prefilled."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)
    slot = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)
    unit = forms.CharField(widget=forms.HiddenInput, max_length=10, required=False)
    prefilled = forms.CharField(widget=forms.HiddenInput, required=False)
    rolled_up_from = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        fields: Sequence[FormField],
        prefilled: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.report_fields = list(fields)
        self.known = dict(prefilled or {})
        for field in self.report_fields:
            self.fields[value_name(field.code)] = _value_field(field)

    def raw_values(self) -> dict[str, str]:
        """What was typed, by field code (blank fields included: the service says which are required)."""
        source = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {f.code: source.get(value_name(f.code), "") for f in self.report_fields}

    def sections(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """The inputs grouped by the form's sections, each with its unit label and prefilled value."""
        grouped: dict[str, list[dict[str, Any]]] = {}
        for field in self.report_fields:
            grouped.setdefault(localized(field, "section"), []).append(
                {
                    "bound": self[value_name(field.code)],
                    "field": field,
                    "unit_label": localized(field, "unit_label"),
                    "numeric": field.kind in NUMERIC_KINDS,
                    "prefilled": self.known.get(field.code),
                    "has_prefilled": field.code in self.known,
                }
            )
        return list(grouped.items())


def initial_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """A report's values as the form's initial data (counts shown as typed: 1200, not 1.200)."""
    return {value_name(code): value for code, value in values.items()}


class CorrectionForm(ReportValuesForm):
    """A new revision of a report, with the reason and the version the page showed."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required: the receiving level sees it in the report's history."),
    )
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class VersionForm(DomainErrorsMixin, forms.Form):
    """The version of the report the page showed: of two concurrent decisions, one wins."""

    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class ReopenForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class UrgentForm(DomainErrorsMixin, forms.Form):
    """An urgent report ("đột xuất"): severity, subject and what happened."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)
    unit = forms.ChoiceField(label=_("Reporting unit"), required=False)
    severity = forms.CharField(
        label=_("Severity"),
        required=False,
        widget=forms.Select(choices=[("", "—"), *UrgentReport.Severity.choices]),
    )
    subject = forms.CharField(label=_("Subject"), required=False, max_length=400)
    body = forms.CharField(
        label=_("What happened, and what is needed"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, units: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field: Any = self.fields["unit"]
        unit_field.choices = [(u.code, u.full_name) for u in units]
        if len(units) == 1:
            unit_field.initial = units[0].code
            unit_field.widget = forms.HiddenInput()
