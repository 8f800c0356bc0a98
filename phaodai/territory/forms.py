"""Forms for areas and area imports; checks beyond field types live in the services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import DomainError
from phaodai.territory.models import Area
from phaodai.territory.rules import LOCAL_CODE_MAX, NAME_MAX


class AreaEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    kind = forms.ChoiceField(label=_("Kind"), choices=Area.Kind.choices)
    population = forms.IntegerField(label=_("Population"), min_value=0, initial=0)
    households = forms.IntegerField(label=_("Households"), min_value=0, initial=0)
    shared_sanitation = forms.BooleanField(
        label=_("Dense housing with shared toilets and washrooms"),
        required=False,
        help_text=_("Boarding houses, old apartment blocks: a risk factor when areas are classified (S36)."),
    )

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's refusal beside the field it names, or above the form."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.detail))


class AreaCreateForm(AreaEditForm):
    local_code = forms.CharField(
        label=_("Local code"),
        max_length=LOCAL_CODE_MAX,
        help_text=_(
            "Letters without diacritics, digits, “-”, “_” or “.”, e.g. TDP01. It cannot be changed later."
        ),
    )
    field_order = ["local_code", "name", "kind", "population", "households", "shared_sanitation"]


class AreaImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel (.xlsx) file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages["required"] = _("Choose a CSV or Excel (.xlsx) file to upload.")
