"""Forms for the person pages; each field is checked on its own so every bad field gets its message."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.core.clock import local_date, now
from phaodai.core.errors import InvalidInput
from phaodai.core.identity import parse_cccd, validate_cccd
from phaodai.core.text import nfc
from phaodai.people import validation
from phaodai.people.models import Person

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


def _checked(check: Any, *args: Any) -> Any:
    """Run a domain check, turning its InvalidInput into a form ValidationError."""
    try:
        return check(*args)
    except InvalidInput as error:
        raise forms.ValidationError(str(error.detail), code=error.code) from None


class LookupForm(forms.Form):
    """Exact lookup by CCCD; always POSTed so the number never lands in a URL."""

    cccd = forms.CharField(
        label=_("Citizen ID (CCCD)"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_cccd(self) -> str:
        return _checked(parse_cccd, self.cleaned_data["cccd"]).number


class PersonForm(forms.Form):
    cccd = forms.CharField(
        label=_("Citizen ID (CCCD)"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("12 digits."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=300)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, widget=forms.RadioSelect)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)
    residence_area = forms.ChoiceField(label=_("Residential area"))
    chronic_illness = forms.BooleanField(label=_("Chronic illness"), required=False)
    disability_immobile = forms.BooleanField(label=_("Disability or immobile"), required=False)
    pregnant = forms.BooleanField(label=_("Pregnant"), required=False)

    def __init__(self, *args: Any, areas: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(a.code, f"{a.ward.name} — {a.name}") for a in areas]
        self.fields["residence_area"].choices = choices  # type: ignore[attr-defined]

    def clean_cccd(self) -> str:
        return _checked(parse_cccd, self.cleaned_data["cccd"]).number

    def clean_full_name(self) -> str:
        name = nfc(self.cleaned_data["full_name"])
        _checked(validation.check_name, name)
        return name

    def clean_birth_date(self) -> Any:
        birth_date = self.cleaned_data["birth_date"]
        _checked(validation.check_birth_date, birth_date, local_date(now()))
        return birth_date

    def clean_phone(self) -> str:
        return _checked(validation.clean_phone, self.cleaned_data.get("phone"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sex"):
            try:
                validation.check_sex(data["sex"], bool(data.get("pregnant")))
            except InvalidInput as error:
                self.add_error(error.field or None, str(error.detail))
        # The CCCD encodes the birth year and sex: check them together once each is valid alone.
        if data.get("cccd") and data.get("birth_date") and data.get("sex"):
            try:
                validate_cccd(data["cccd"], birth_date=data["birth_date"], sex=data["sex"])
            except InvalidInput as error:
                self.add_error("cccd", str(error.detail))
        return data


class PersonEditForm(PersonForm):
    """Corrections: the CCCD is re-entered only when it is itself being corrected."""

    # The record's updated_at when the form was shown: a correction saved meanwhile is not overwritten.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cccd"].required = False
        self.fields["cccd"].help_text = _("Leave empty to keep the registered number.")

    def clean_version(self) -> datetime | None:
        raw = (self.cleaned_data.get("version") or "").strip()
        if not raw:
            return None
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            # A hidden field's own error would not show: say it above the form.
            self.add_error(None, _("The form is damaged; reload the page."))
            return None

    def clean_cccd(self) -> str:
        if not (self.cleaned_data.get("cccd") or "").strip():
            return ""
        return super().clean_cccd()
