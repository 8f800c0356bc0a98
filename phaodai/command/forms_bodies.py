"""Forms for committees, members, duty shifts, hotlines and commendations.

Forms check shapes; the rules (one standing body per kind, valid phones, no overlapping shifts)
live in the services, whose refusals the forms show beside the field they name.
"""

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.command.models import Commendation, Committee, Member
from phaodai.command.rules import POSITIONS_OF
from phaodai.command.services_bodies import HotlineChanges, MemberChanges
from phaodai.core.errors import DomainError

ISO_DATE = "%Y-%m-%d"
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
TEXT_MAX = 2000


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)


def _datetime() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


class DomainErrorForm(forms.Form):
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.detail))


class CommitteeForm(DomainErrorForm):
    kind = forms.ChoiceField(label=_("Body"), choices=Committee.Kind.choices)
    decision_number = forms.CharField(
        label=_("Founding decision no."), max_length=40, required=False, help_text=_("e.g. 125-QĐ/ĐU")
    )
    decision_date = forms.DateField(label=_("Decision date"), required=False, widget=_date())
    decision = forms.ChoiceField(
        label=_("Registered decision"),
        required=False,
        help_text=_("Optional: a decision in the directives register (its number and date are used)."),
    )
    established_on = forms.DateField(label=_("Established on"), widget=_date())
    name = forms.CharField(
        label=_("Name"), max_length=300, required=False, help_text=_("Leave empty for the usual name.")
    )

    def __init__(self, *args: Any, documents: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents = {str(d.pk): d for d in documents}
        choices = [
            (pk, f"{d.number} ({d.issued_on:%d/%m/%Y}) — {d.title}") for pk, d in self.documents.items()
        ]
        cast(forms.ChoiceField, self.fields["decision"]).choices = [("", "—"), *choices]

    def document(self) -> Any:
        return self.documents.get(self.cleaned_data.get("decision") or "")


class MemberForm(DomainErrorForm):
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    title = forms.CharField(label=_("Office"), max_length=200, help_text=_("e.g. Bí thư Đảng ủy phường"))
    position = forms.ChoiceField(label=_("Position"))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    username = forms.CharField(
        label=_("Linked user"),
        max_length=150,
        required=False,
        help_text=_("Optional: their phaodai user name."),
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=10000, required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = POSITIONS_OF[kind]
        cast(forms.ChoiceField, self.fields["position"]).choices = [
            (v, label) for v, label in Member.Position.choices if v in allowed
        ]

    def changes(self, user: Any) -> MemberChanges:
        data = self.cleaned_data
        return MemberChanges(
            full_name=data["full_name"],
            title=data["title"],
            position=data["position"],
            phone=data["phone"],
            user=user,
            order=data["order"],
        )


class DutyShiftForm(DomainErrorForm):
    member = forms.ChoiceField(label=_("Member of the unit's bodies"), required=False)
    full_name = forms.CharField(
        label=_("Full name"), max_length=120, required=False, help_text=_("Leave empty to use the member's.")
    )
    phone = forms.CharField(
        label=_("Duty phone"),
        max_length=20,
        required=False,
        help_text=_("The duty desk's number, or the member's mobile when empty."),
    )
    starts_at = forms.DateTimeField(label=_("From"), widget=_datetime(), help_text=_("Hà Nội time."))
    ends_at = forms.DateTimeField(label=_("To"), widget=_datetime())

    def __init__(self, *args: Any, members: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        choices = [(pk, f"{m.full_name} — {m.get_position_display()}") for pk, m in self.members.items()]
        cast(forms.ChoiceField, self.fields["member"]).choices = [("", "—"), *choices]

    def chosen_member(self) -> Any:
        return self.members.get(self.cleaned_data.get("member") or "")


class HotlineForm(DomainErrorForm):
    label = forms.CharField(label=_("Label (Vietnamese)"), max_length=150)
    label_en = forms.CharField(label=_("Label (English)"), max_length=150, required=False)
    number = forms.CharField(label=_("Number"), max_length=20, help_text=_("e.g. 024 3825 2222 or 1022"))
    always_open = forms.BooleanField(label=_("Staffed 24/7"), required=False, initial=True)
    hours = forms.CharField(label=_("Hours"), max_length=100, required=False, help_text=_("When not 24/7."))
    published = forms.BooleanField(label=_("Published on the public pages"), required=False, initial=True)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=10000, required=False)

    def changes(self) -> HotlineChanges:
        data = self.cleaned_data
        return HotlineChanges(
            label=data["label"],
            label_en=data["label_en"],
            number=data["number"],
            always_open=data["always_open"],
            hours=data["hours"],
            published=data["published"],
            order=data["order"],
        )


class CommendationForm(DomainErrorForm):
    recipient_kind = forms.ChoiceField(label=_("Commended"), choices=Commendation.RecipientKind.choices)
    recipient = forms.CharField(label=_("Name"), max_length=300)
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    decision_number = forms.CharField(label=_("Decision no."), max_length=40)
    decision_date = forms.DateField(label=_("Decision date"), widget=_date())
    award = forms.CharField(
        label=_("Award"), max_length=200, required=False, help_text=_("e.g. Giấy khen của Chủ tịch UBND quận")
    )
    published = forms.BooleanField(label=_("Publish now"), required=False)


class PublishForm(forms.Form):
    published = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")],
        coerce=lambda v: v == "1",
        error_messages={"required": _("Say publish or not.")},
    )
