"""Forms of the declaration pages: shapes and messages beside each field; the checks live in the services."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import DomainError
from phaodai.core.identity import PROVINCE_CODES
from phaodai.core.text import search_key
from phaodai.declarations import rules
from phaodai.declarations.models import Declaration
from phaodai.declarations.questions import LABELS
from phaodai.declarations.services import HA_NOI, LIMITS, DeclarationInput, DeclarationInvalid
from phaodai.territory import selectors as territory

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _text(label: Any, name: str, **attrs: Any) -> forms.CharField:
    # No max_length here: the service says how long is too long, once for the form and the API.
    widget_attrs = {"maxlength": LIMITS[name], **attrs}
    return forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs=widget_attrs), strip=False
    )


def _choice(
    label: Any, *, widget: type[forms.Select] | type[forms.RadioSelect] = forms.Select, **kwargs: Any
) -> forms.CharField:
    """A choice the service checks: an unknown value gets the service's message, beside the others."""
    return forms.CharField(label=label, required=False, widget=widget, **kwargs)


def question_field(code: str) -> str:
    return f"q_{code}"


def ward_choices() -> list[tuple[str, Any]]:
    """Hà Nội's wards grouped by district, for one select (one query)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    for unit in territory.within(territory.city()).select_related("parent").order_by("parent__code", "code"):
        if unit.level != "ward" or unit.parent is None:
            continue
        names[unit.parent.code] = unit.parent.full_name
        groups.setdefault(unit.parent.code, []).append((unit.code, unit.full_name))
    return [("", "—"), *((names[code], wards) for code, wards in groups.items())]


def province_choices() -> list[tuple[str, str]]:
    return sorted(PROVINCE_CODES.items(), key=lambda item: (item[0] != HA_NOI, search_key(item[1])))


class DeclarationForm(forms.Form):
    """The health declaration of POLICY.md §4; field names match the service's, questions are q_<code>."""

    full_name = _text(_("Full name"), "full_name", autocomplete="name")
    id_kind = _choice(_("Identity document"), initial=Declaration.IdKind.CCCD)
    id_number = forms.CharField(
        label=_("Document number"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 20}),
        help_text=_("As printed on the document; it is stored encrypted and shown only masked."),
    )
    birth_year = forms.CharField(
        label=_("Year of birth"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4}),
    )
    gender = _choice(_("Gender"), widget=forms.RadioSelect)
    nationality = _text(_("Nationality"), "nationality")
    province = _choice(_("Province or city"), initial=HA_NOI)
    ward = _choice(_("Ward (Hà Nội)"))
    district_name = _text(_("District (other provinces)"), "district_name")
    ward_name = _text(_("Ward or commune (other provinces)"), "ward_name")
    house = _text(_("House number, street"), "house", autocomplete="street-address")
    phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "maxlength": 20}),
    )
    email = _text(_("E-mail (optional)"), "email", type="email")
    travel_from = _text(_("Travelled from"), "travel_from")
    travel_to = _text(_("Travelling to"), "travel_to")
    travel_details = forms.CharField(
        label=_("Travel in the last 14 days (places, dates, means)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": LIMITS["travel_details"]}),
    )
    acknowledged = forms.BooleanField(
        label=_(
            "I declare that this information is true. "
            "I understand that a false declaration is punishable by law."
        ),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nationality"].initial = "Việt Nam"
        choices = {
            "id_kind": Declaration.IdKind.choices,
            "gender": Declaration.Gender.choices,
            "province": province_choices(),
            "ward": ward_choices(),
        }
        for name, options in choices.items():
            self.fields[name].widget.choices = options
        for code in rules.QUESTIONS:
            self.fields[question_field(code)] = _choice(LABELS[code], widget=forms.RadioSelect)
            self.fields[question_field(code)].widget.choices = YES_NO

    def symptom_fields(self) -> list[forms.BoundField]:
        return [self[question_field(code)] for code in rules.SYMPTOMS]

    def exposure_fields(self) -> list[forms.BoundField]:
        return [self[question_field(code)] for code in rules.EXPOSURES]

    def declaration_input(self) -> DeclarationInput:
        data = self.cleaned_data
        answers = {
            code: {"yes": True, "no": False}.get(data.get(question_field(code), ""))
            for code in rules.QUESTIONS
        }
        return DeclarationInput(
            full_name=data["full_name"],
            id_kind=data["id_kind"],
            id_number=data["id_number"],
            birth_year=data["birth_year"],
            gender=data["gender"],
            nationality=data["nationality"],
            province=data["province"],
            ward=data["ward"],
            district_name=data["district_name"],
            ward_name=data["ward_name"],
            house=data["house"],
            phone=data["phone"],
            email=data["email"],
            answers={code: value for code, value in answers.items() if value is not None},
            travel_from=data["travel_from"],
            travel_to=data["travel_to"],
            travel_details=data["travel_details"],
            acknowledged=bool(data["acknowledged"]),
        )

    def add_domain_error(self, error: DomainError) -> None:
        if isinstance(error, DeclarationInvalid):
            for name, message in error.errors.items():
                target = question_field(name.split(".", 1)[1]) if name.startswith("answers.") else name
                self.add_error(target if target in self.fields else None, message)
            return
        self.add_error(error.field if error.field in self.fields else None, str(error.detail))


class SearchForm(forms.Form):
    """The officials' list: name or last digits, day, flagged; a whole ID number is sent by POST only."""

    q = forms.CharField(label=_("Name or last digits of the ID"), required=False, max_length=100)
    day = forms.DateField(
        label=_("Day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    flagged = forms.ChoiceField(
        label=_("Flagged"),
        required=False,
        choices=[("", _("All")), ("yes", _("Symptoms or exposure")), ("no", _("Neither"))],
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def flag(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("flagged") or "")

    def day_value(self) -> date | None:
        value = self.cleaned_data.get("day")
        return value if isinstance(value, date) else None


class FindByNumberForm(forms.Form):
    id_kind = forms.ChoiceField(label=_("Document"), choices=Declaration.IdKind.choices)
    id_number = forms.CharField(
        label=_("Whole number"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": LIMITS["review_note"]}),
    )
