"""Forms of the permit pages: shapes and labels; every rule is checked by the services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import DomainError
from phaodai.permits import rules

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DomainErrorForm(forms.Form):
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.detail))


class OrganisationForm(DomainErrorForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    tax_code = forms.CharField(label=_("Tax code"), max_length=20, required=False, help_text=_("Businesses"))
    governing_body = forms.CharField(
        label=_("Governing body"),
        max_length=200,
        required=False,
        help_text=_("Agencies without a tax code: the body they belong to"),
    )
    address = forms.CharField(label=_("Address"), max_length=300)
    ward = forms.ChoiceField(label=_("Ward"))
    contact_name = forms.CharField(label=_("Contact person"), max_length=150)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    contact_email = forms.CharField(label=_("Contact e-mail"), max_length=200, required=False)
    business = forms.ChoiceField(label=_("For the business"), required=False)

    def __init__(
        self, *args: Any, wards: list[tuple[str, str]], businesses: list[tuple[str, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        ward_field: Any = self.fields["ward"]
        ward_field.choices = wards
        if businesses:
            business_field: Any = self.fields["business"]
            business_field.choices = [("", "—"), *businesses]
        else:
            del self.fields["business"]


class OrganisationChangeForm(DomainErrorForm):
    """The registration's details an organisation may correct (its ward and business stay)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    tax_code = forms.CharField(label=_("Tax code"), max_length=20, required=False, help_text=_("Businesses"))
    governing_body = forms.CharField(
        label=_("Governing body"),
        max_length=200,
        required=False,
        help_text=_("Agencies without a tax code: the body they belong to"),
    )
    address = forms.CharField(label=_("Address"), max_length=300)
    contact_name = forms.CharField(label=_("Contact person"), max_length=150)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    contact_email = forms.CharField(label=_("Contact e-mail"), max_length=200, required=False)
    seen = forms.DateTimeField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, business_linked: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if business_linked:  # the business's own tax code, not typed again
            self.fields["tax_code"].disabled = True


def group_choices(resident: bool = False) -> list[tuple[str, str]]:
    codes = rules.RESIDENT_GROUPS if resident else rules.ORGANISATION_GROUPS
    return [(str(code), f"{code}. {rules.GROUPS[code].name_vi}") for code in codes]


class EntryForm(DomainErrorForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    cccd = forms.CharField(label=_("Citizen ID (CCCD)"), max_length=20, help_text=_("12 digits"))
    birth_year = forms.CharField(label=_("Birth year"), max_length=4)
    job = forms.CharField(label=_("Job or role"), max_length=120, required=False)
    group = forms.ChoiceField(label=_("Group"))
    purpose = forms.CharField(label=_("Purpose"), max_length=120)
    zones = forms.CharField(
        label=_("Zones"), max_length=200, required=False, help_text=_("Unit codes, e.g. 00139 004")
    )
    route = forms.CharField(
        label=_("Route"), max_length=120, required=False, help_text=_("e.g. QL5 – Cầu Chương Dương")
    )
    plate = forms.CharField(
        label=_("Vehicle plate"), max_length=16, required=False, help_text=_("Drivers only")
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE, input_formats=DATE_FORMATS)
    valid_to = forms.DateField(label=_("Valid to"), widget=DATE, input_formats=DATE_FORMATS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_field: Any = self.fields["group"]
        group_field.choices = group_choices()


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Staff list (CSV or Excel .xlsx)"))


class ApplicationForm(DomainErrorForm):
    cccd = forms.CharField(label=_("Resident's citizen ID (CCCD)"), max_length=20)
    purpose = forms.ChoiceField(label=_("Purpose"))
    supporting_paper = forms.CharField(
        label=_("Supporting paper"),
        max_length=200,
        required=False,
        help_text=_("e.g. hospital appointment, air ticket; not needed for food or medicine"),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE, input_formats=DATE_FORMATS)
    valid_to = forms.DateField(label=_("Valid to"), widget=DATE, input_formats=DATE_FORMATS)
    zones = forms.CharField(
        label=_("Zones"), max_length=200, required=False, help_text=_("Empty: the resident's ward")
    )
    route = forms.CharField(label=_("Route"), max_length=120, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        purpose_field: Any = self.fields["purpose"]
        purpose_field.choices = [(p.value, names[0]) for p, names in rules.PURPOSE_NAMES.items()]


class DecisionForm(DomainErrorForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RevokeForm(DomainErrorForm):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=500)
