"""Forms of the team pages: the team's decision and area of work, and its members as rows."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.inspections.forms import DATE_SHOWN, DomainErrorsMixin, moment_field
from phaodai.inspections.models import InspectionTeam, TeamMember

MAX_MEMBERS = 60


class TeamForm(DomainErrorsMixin, forms.Form):
    """A team as its decision sets it up; the area of work is chosen within the unit that sets it up."""

    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=200, help_text=gettext_lazy("e.g. Tổ công tác số 3")
    )
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=InspectionTeam.Level.choices)
    home_unit = forms.ChoiceField(label=gettext_lazy("Set up by"))
    decision_number = forms.CharField(
        label=gettext_lazy("Decision number"), max_length=60, help_text=gettext_lazy("e.g. 1103-QĐ/TU")
    )
    decision_date = forms.DateField(
        label=gettext_lazy("Decision date"),
        widget=forms.DateInput(
            format=DATE_SHOWN, attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
        ),
        error_messages={"invalid": gettext_lazy("Give the date as dd/mm/yyyy.")},
    )
    area_units = forms.MultipleChoiceField(
        label=gettext_lazy("Area of work"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Name at least one unit of the team's area of work.")},
    )
    active_from = moment_field(gettext_lazy("Active from"), required=True)
    active_until = moment_field(
        gettext_lazy("Active until"), required=False, help_text=gettext_lazy("Empty: until further notice")
    )
    # The team as the editor saw it: a change made meanwhile by someone else is not overwritten.
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(
        self,
        *args: Any,
        home_units: Sequence[tuple[str, str]],
        area_units: Sequence[tuple[str, str]],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["home_unit"].choices = list(home_units)  # type: ignore[attr-defined]
        self.fields["area_units"].choices = list(area_units)  # type: ignore[attr-defined]
        if editing:
            # The level and the unit that set the team up are its identity: a new decision makes a new team.
            for name in ("level", "home_unit"):
                self.fields[name].disabled = True
                self.fields[name].required = False

    def clean_seen(self) -> datetime | None:
        """When editing: the team's updated_at as the page read it (the service compares and sets on it)."""
        if not self.editing:
            return None
        try:
            seen = datetime.fromisoformat(self.cleaned_data.get("seen") or "")
        except ValueError:
            seen = None
        if seen is None or timezone.is_naive(seen):
            raise forms.ValidationError(
                _("The form lacks the team's version; reload the page and try again.")
            )
        return seen


class MemberForm(forms.Form):
    """One member as the decision names them; linked to a user when they record inspections."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False)
    title = forms.CharField(label=gettext_lazy("Position and agency"), max_length=200, required=False)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=TeamMember.Role.choices, initial=TeamMember.Role.MEMBER
    )
    username = forms.CharField(
        label=gettext_lazy("User name"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("Optional: the member's account, to record inspections"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("name") or "").strip() and (
            (data.get("title") or "").strip() or data.get("username")
        ):
            self.add_error("name", _("Give the member's name, or clear the row."))
        return data


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            username = (form.cleaned_data.get("username") or "").strip()
            if username and username in seen:
                form.add_error("username", _("This user is already a member of the team."))
            seen.add(username)

    def filled(self) -> list[tuple[forms.Form, dict[str, Any]]]:
        """The rows with a name (a cleared row removes its member)."""
        return [
            (form, form.cleaned_data)
            for form in self.forms
            if form.cleaned_data and (form.cleaned_data.get("name") or "").strip()
        ]


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=3, max_num=MAX_MEMBERS, validate_max=True
)
