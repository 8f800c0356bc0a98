"""Forms of the document register and tasks: shapes and messages beside each field; rules live in services."""

from collections.abc import Sequence
from typing import Any
from uuid import uuid4

from django import forms
from django.utils.translation import gettext_lazy as _

from phaodai.command.models import Document, Task
from phaodai.core.errors import DomainError

TEXT_MAX = 4000
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
ISO_DATE = "%Y-%m-%d"
# A service's field name -> the form field that shows its refusal.
FIELD_ALIASES = {"due_at": "due_at", "unit": "unit", "assigned_by": "assigned_by"}


class DomainErrorsMixin:
    """Show a service's refusal beside the field it names, or above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        form: Any = self
        name = FIELD_ALIASES.get(error.field or "", error.field)
        form.add_error(name if name in form.fields else None, str(error.detail))


def _choices(field: Any, choices: Sequence[tuple[str, Any]]) -> None:
    field.choices = list(choices)


class DocumentForm(DomainErrorsMixin, forms.Form):
    """A directive entered in the unit's register, with its scan."""

    unit = forms.ChoiceField(label=_("Registered by"))
    number = forms.CharField(label=_("Number"), max_length=40, help_text=_("As printed, e.g. 06-CT/TU"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices)
    issuer = forms.CharField(label=_("Issued by"), max_length=200, help_text=_("e.g. Ban Thường vụ Thành ủy"))
    issued_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        help_text=_("dd/mm/yyyy"),
    )
    title = forms.CharField(label=_("Title"), max_length=500)
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, PNG, JPEG or DOCX; only officials who may read it can download it."),
    )
    public = forms.BooleanField(label=_("Share with every official of the city"), required=False)

    def __init__(self, *args: Any, units: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["unit"], units)


class TaskForm(DomainErrorsMixin, forms.Form):
    """A task given by one of our units to a lead unit (or office) and cooperating ones."""

    assigned_by = forms.ChoiceField(label=_("Assigned by"))
    document = forms.ChoiceField(label=_("Drawn from"), required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Task"), max_length=500)
    description = forms.CharField(
        label=_("Details"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead = forms.ChoiceField(label=_("Lead unit"))
    cooperating = forms.MultipleChoiceField(
        label=_("Cooperating units"), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    responsible_person = forms.CharField(
        label=_("Responsible person"),
        required=False,
        max_length=200,
        help_text=_("e.g. đ/c Chử Xuân Dũng, Phó Chủ tịch UBND TP"),
    )
    due_at = forms.DateTimeField(
        label=_("Due"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Hà Nội time, dd/mm/yyyy HH:MM"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Task.Priority.choices, initial=Task.Priority.NORMAL
    )
    recurrence = forms.ChoiceField(label=_("Repeats"), choices=Task.Recurrence.choices, required=False)

    def __init__(
        self,
        *args: Any,
        units: Sequence[tuple[str, str]],
        assignees: Sequence[tuple[str, str]],
        documents: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["assigned_by"], units)
        _choices(self.fields["lead"], [("", "—"), *assignees])
        _choices(self.fields["cooperating"], assignees)
        _choices(self.fields["document"], [("", _("— no document —")), *documents])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("lead") and data["lead"] in (data.get("cooperating") or []):
            self.add_error("cooperating", _("The lead unit is not also a cooperating one."))
        return data


def split_assignee(value: str) -> tuple[str, str | None]:
    """ "01:SYT" -> ("01", "SYT"); "004" -> ("004", None)."""
    unit, _sep, office = value.partition(":")
    return unit, office or None


class ProgressForm(DomainErrorsMixin, forms.Form):
    """An assignee's report: how far, done or not, a note and an attachment."""

    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": _("Progress is a percentage from 0 to 100."),
            "max_value": _("Progress is a percentage from 0 to 100."),
        },
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Task.Status.IN_PROGRESS, Task.Status.IN_PROGRESS.label),
            (Task.Status.DONE, Task.Status.DONE.label),
        ],
        initial=Task.Status.IN_PROGRESS,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = forms.FileField(label=_("Attachment"), required=False, help_text=_("PDF, PNG, JPEG or DOCX"))
    # A token per rendered form: submitting the same form twice records one report.
    token = forms.CharField(widget=forms.HiddenInput, max_length=80)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    @staticmethod
    def fresh_token() -> str:
        return uuid4().hex


class ReasonForm(DomainErrorsMixin, forms.Form):
    """Cancel or reopen: the assigning unit says why."""

    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class TaskFilterForm(forms.Form):
    """The filters of the task lists (GET); anything unknown is ignored rather than refused."""

    tab = forms.ChoiceField(
        choices=[("ours", _("Our tasks")), ("assigned", _("Tasks we assigned"))], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("active", _("Not finished")), *Task.Status.choices],
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("All")), *Task.Priority.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    below = forms.BooleanField(label=_("Include the units under ours"), required=False)
    document = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    cursor = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)
