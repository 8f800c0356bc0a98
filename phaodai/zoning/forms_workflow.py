"""Forms of the zoning workflow: opening a round, a ward's level for an area, returning and deciding.

Forms check shapes and what a reader needs beside each field; the rules themselves live in the services.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.core.clock import DEFAULT_SWITCH_TIME, at_local, to_local
from phaodai.core.errors import DomainError
from phaodai.zoning.models import Level, ProposalItem
from phaodai.zoning.selectors import localized
from phaodai.zoning.services import Change

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
ISO_DATE = "%Y-%m-%d"
HOUR_MINUTE = "%H:%M"
TEXT_MAX = 2000
# A service's field name -> the form field that shows it.
FIELD_ALIASES = {"effective_at": "effective_date", "wards": "wards", "justification": "justification"}


class DomainErrorsMixin:
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        form: Any = self
        name = FIELD_ALIASES.get(error.field or "", error.field)
        field = name if name in form.fields else None
        form.add_error(field, str(error.detail))


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format=HOUR_MINUTE)


def level_choices(levels: Iterable[Level]) -> list[tuple[str, str]]:
    return [(level.code, f"{level.code} — {localized(level, 'name')}") for level in levels]


class RoundForm(DomainErrorsMixin, forms.Form):
    """A district asks its wards to classify their areas under a published table."""

    district = forms.CharField(widget=forms.HiddenInput)
    table = forms.ChoiceField(label=_("Criteria table"))
    wards = forms.MultipleChoiceField(
        label=_("Wards asked to classify"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one ward.")},
    )
    deadline = forms.DateTimeField(
        label=_("Submission deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Hà Nội time. Late submissions are accepted and marked late."),
    )
    effective_date = forms.DateField(label=_("Takes effect on"), widget=_date_input())
    effective_time = forms.TimeField(
        label=_("at"),
        initial=DEFAULT_SWITCH_TIME,
        widget=_time_input(),
        help_text=_("06:00 unless decided otherwise."),
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("Leave empty for the table and district."),
    )

    def __init__(
        self,
        *args: Any,
        tables: Sequence[tuple[str, str]],
        wards: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field_table: Any = self.fields["table"]
        field_wards: Any = self.fields["wards"]
        field_table.choices = list(tables)
        field_wards.choices = list(wards)

    @property
    def effective_at(self) -> datetime:
        return at_local(self.cleaned_data["effective_date"], self.cleaned_data["effective_time"])


class ItemLevelForm(DomainErrorsMixin, forms.Form):
    """A ward's level for one area; a level other than the suggestion needs a written reason."""

    level = forms.ChoiceField(label=_("Proposed level"))
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the level differs from the suggestion."),
    )

    def __init__(self, *args: Any, levels: Sequence[Level], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["level"]
        field.choices = level_choices(levels)


class VersionForm(DomainErrorsMixin, forms.Form):
    """The version of the proposal the page showed (compare-and-set); absent for a bare retry."""

    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class ReturnForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for returning it to the ward"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


DECIDE_FORM_ID = "decide-form"


class DecisionForm(VersionForm):
    """The district's decision: a level per area (the ward's, or changed with a reason), number, signatory."""

    number = forms.CharField(label=_("Decision number"), max_length=60, help_text=_("e.g. 2451/QĐ-UBND"))
    signatory = forms.CharField(label=_("Signatory"), max_length=120)
    # Left empty, the decision takes effect when the round planned (an area left out keeps the ward's level).
    effective_date = forms.DateField(label=_("Takes effect on"), required=False, widget=_date_input())
    effective_time = forms.TimeField(label=_("at"), required=False, widget=_time_input())

    def __init__(
        self,
        *args: Any,
        items: Sequence[ProposalItem],
        levels: Sequence[Level],
        effective_at: datetime,
        **kwargs: Any,
    ) -> None:
        self.planned = to_local(effective_at)
        kwargs.setdefault("initial", {}).update(
            effective_date=self.planned.date(), effective_time=self.planned.time()
        )
        super().__init__(*args, **kwargs)
        self.items = list(items)
        choices = level_choices(levels)
        for item in self.items:
            code = item.area.code
            self.fields[self.level_name(code)] = forms.ChoiceField(
                label=_("Decided level"),
                required=False,
                choices=choices,
                initial=item.proposed_level.code,
                widget=forms.Select(attrs={"form": DECIDE_FORM_ID}),
            )
            self.fields[self.reason_name(code)] = forms.CharField(
                label=_("Reason for the change"),
                required=False,
                max_length=TEXT_MAX,
                widget=forms.TextInput(attrs={"form": DECIDE_FORM_ID}),
            )

    @staticmethod
    def level_name(area_code: str) -> str:
        return f"level__{area_code}"

    @staticmethod
    def reason_name(area_code: str) -> str:
        return f"reason__{area_code}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for item in self.items:
            code = item.area.code
            level = data.get(self.level_name(code))
            if (
                level
                and level != item.proposed_level.code
                and not data.get(self.reason_name(code), "").strip()
            ):
                self.add_error(self.reason_name(code), _("Give the reason for changing the ward's level."))
        return data

    def changes(self) -> list[Change]:
        """The areas whose level the district changed, with its reasons."""
        data = self.cleaned_data
        chosen = {
            item.area.code: (item, data[self.level_name(item.area.code)] or item.proposed_level.code)
            for item in self.items
        }
        return [
            Change(code, level, data[self.reason_name(code)])
            for code, (item, level) in chosen.items()
            if level != item.proposed_level.code
        ]

    @property
    def effective_at(self) -> datetime:
        """The effective instant typed, each part defaulting to the round's plan."""
        day = self.cleaned_data["effective_date"] or self.planned.date()
        hour = self.cleaned_data["effective_time"] or self.planned.time()
        return at_local(day, hour)
