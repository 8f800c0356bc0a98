"""The form a ward (or its district) uses to start keeping its cases in phaodai."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.core.clock import FIRST_YEAR, LAST_YEAR
from phaodai.core.errors import DomainError

ISO_DATE = "%Y-%m-%d"


class StartRecordingForm(forms.Form):
    since = forms.DateField(
        label=_("First day whose cases are all entered here"),
        input_formats=[ISO_DATE, "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        help_text=_(
            "From this day, zoning's case figures and the daily report of the ward come from the cases "
            "entered here, no longer from figures typed in by hand."
        ),
    )

    def clean_since(self) -> date:
        since: date = self.cleaned_data["since"]
        if not FIRST_YEAR <= since.year <= LAST_YEAR:
            raise forms.ValidationError(_("Give the first day as dd/mm/yyyy."))
        return since

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.detail))
