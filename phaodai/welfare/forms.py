"""Forms of the welfare pages: shapes and messages beside each field; the rules live in the services.

The filing form is built for one programme: it asks only the facts that programme's eligibility rules
read (the person's own facts come from the registry), a file for each document it requires, the number
of days of a per-day allowance and the amount of a capped one.
"""

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from phaodai.core.clock import local_date
from phaodai.core.errors import DomainError
from phaodai.core.idempotency import new_token as new_token  # the pages import it from here
from phaodai.welfare.models import Application, Payment, Programme

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
TOKEN_MAX = 80

# The facts a programme's rules may read, with how the form asks them. Unknown facts are asked as text.
JOB_CATEGORIES = [
    ("", "—"),
    ("laid_off_no_benefit", _("Laid off, not eligible for unemployment benefit")),
    ("arts_performer", _("Arts performer")),
    ("tour_guide", _("Tour guide")),
]
SUBJECTS = [("", "—"), ("F0", _("F0 (in treatment)")), ("F1", _("F1 (in medical isolation)"))]
FACTS: dict[str, tuple[str, Any, Any]] = {
    "job.labour_contract": ("bool", _("Works under a labour contract"), None),
    "job.lost_work_on": ("date", _("Lost work on"), None),
    "job.other_support": ("bool", _("Already receives another social-protection payment"), None),
    "job.occupation": ("text", _("Occupation (e.g. street vendor, xe ôm driver)"), None),
    "job.social_insurance": ("bool", _("Was paying compulsory social insurance"), None),
    "job.suspended_days": ("int", _("Days of suspended contract or unpaid leave"), None),
    "job.stopped_days": ("int", _("Days the work stopped"), None),
    "job.category": ("choice", _("Category"), JOB_CATEGORIES),
    "job.household_business": ("bool", _("Runs a registered household business"), None),
    "job.stopped_by_order": ("bool", _("Stopped trading by order of the authorities"), None),
    "household.poor": ("bool", _("Poor household"), None),
    "household.near_poor": ("bool", _("Near-poor household"), None),
    "household.members": ("int", _("Members of the household"), None),
    "isolation.subject": ("choice", _("Isolated as"), SUBJECTS),
    "isolation.starts_on": ("date", _("Isolation started on"), None),
}
DECLARED_SECTIONS = ("household", "job", "isolation")


def vietnamese() -> bool:
    return (get_language() or "vi").startswith("vi")


def label_of(item: Mapping[str, Any]) -> str:
    """The Vietnamese or English label of a criterion or a required document."""
    return str(item.get("label_vi" if vietnamese() else "label_en") or item.get("kind") or item.get("key"))


def _vars_of(rule: Any) -> Iterator[str]:
    if isinstance(rule, dict):
        for operator, argument in rule.items():
            if operator == "var":
                name = argument[0] if isinstance(argument, list) and argument else argument
                if isinstance(name, str):
                    yield name
            else:
                yield from _vars_of(argument)
    elif isinstance(rule, list):
        for item in rule:
            yield from _vars_of(item)


def facts_asked(programme: Programme) -> list[str]:
    """The declared facts (household, job, isolation) the programme's criteria read, in rule order."""
    found: list[str] = []
    for criterion in programme.criteria or []:
        for name in _vars_of(criterion.get("rule")):
            if name.split(".", 1)[0] in DECLARED_SECTIONS and name not in found:
                found.append(name)
    if programme.period_kind == Programme.PeriodKind.EPISODE:
        # Paid per isolation: its facts come from the chosen isolation record, never typed in.
        found = [name for name in found if not name.startswith("isolation.")]
    return found


def isolation_label(order: Any) -> str:
    """ "F1 from 06/09/2021 (released 20/09/2021)": which isolation an allowance is for."""
    start = f"{local_date(order.starts_at):%d/%m/%Y}"
    if order.released_at:
        return _("%(subject)s from %(start)s (released %(end)s)") % {
            "subject": order.subject, "start": start, "end": f"{local_date(order.released_at):%d/%m/%Y}",
        }  # fmt: skip
    return _("%(subject)s from %(start)s (in isolation)") % {"subject": order.subject, "start": start}


def fact_field_name(fact: str) -> str:
    return "fact_" + fact.replace(".", "__")


def document_field_name(kind: str) -> str:
    return "doc_" + kind


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _fact_field(fact: str) -> forms.Field:
    kind, label, choices = FACTS.get(fact, ("text", fact, None))
    if kind == "bool":
        return forms.BooleanField(label=label, required=False)
    if kind == "date":
        return forms.DateField(label=label, required=False, input_formats=DATE_FORMATS, widget=_date())
    if kind == "int":
        return forms.IntegerField(label=label, required=False, min_value=0, max_value=100_000)
    if kind == "choice":
        return forms.ChoiceField(label=label, required=False, choices=choices)
    return forms.CharField(label=label, required=False, max_length=100)


class DomainErrorForm(forms.Form):
    """Show a service's refusal beside the field it names, or in the section it names, or above the form."""

    sections: tuple[str, ...] = ()
    aliases: Mapping[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section_errors: dict[str, list[str]] = {}

    def add_domain_error(self, error: DomainError) -> None:
        field = self.aliases.get(error.field or "", error.field or "")
        if field in self.sections:
            self.section_errors.setdefault(field, []).append(str(error.detail))
            return
        self.add_error(field if field in self.fields else None, str(error.detail))


class FilingForm(DomainErrorForm):
    """File an application for a person: the programme's facts, documents, days or amount."""

    sections = ("eligibility", "documents", "period", "person")
    aliases = {"facts": "eligibility", "kind": "documents"}

    person = forms.UUIDField(widget=forms.HiddenInput)
    ward = forms.ChoiceField(label=_("Ward"))
    programme = forms.ChoiceField(label=_("Support programme"), widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label=_("Who applies"), choices=Application.Channel.choices, initial=Application.Channel.WARD
    )
    days = forms.IntegerField(
        label=_("Days"), required=False, min_value=1, max_value=366,
        help_text=_("Left empty: counted from the isolation record."),
    )  # fmt: skip
    amount = forms.CharField(
        label=_("Amount (VND)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=TOKEN_MAX)

    def __init__(
        self,
        *args: Any,
        programme: Programme | None,
        programmes: Sequence[Programme],
        wards: Sequence[tuple[str, str]],
        isolation_orders: Sequence[Any] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.chosen = programme
        self.fields["programme"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (p.code, f"{p.name} ({p.code})") for p in programmes
        ]
        self.fields["ward"].choices = list(wards)  # type: ignore[attr-defined]
        self.fact_names: list[str] = []
        self.document_kinds: list[tuple[str, str]] = []
        if programme is None:
            del self.fields["days"], self.fields["amount"]
            return
        for fact in facts_asked(programme):
            name = fact_field_name(fact)
            self.fields[name] = _fact_field(fact)
            self.fact_names.append(name)
        for item in programme.required_documents or []:
            kind = str(item["kind"])
            self.fields[document_field_name(kind)] = forms.FileField(label=label_of(item), required=False)
            self.document_kinds.append((kind, document_field_name(kind)))
        if programme.period_kind == Programme.PeriodKind.EPISODE:
            self.fields["isolation_order"] = forms.TypedChoiceField(
                label=_("For the isolation"),
                coerce=int,
                choices=[(order.pk, isolation_label(order)) for order in isolation_orders],
                help_text=_("The allowance is paid once per isolation, from its record."),
            )
        if programme.amount_kind != Programme.AmountKind.PER_DAY:
            del self.fields["days"]
        if programme.amount_kind not in (Programme.AmountKind.CAPPED, Programme.AmountKind.TIERED):
            del self.fields["amount"]

    # Parts of the page.
    def fact_fields(self) -> list[Any]:
        return [self[name] for name in self.fact_names]

    def document_fields(self) -> list[Any]:
        return [self[name] for _kind, name in self.document_kinds]

    def declared_facts(self) -> dict[str, dict[str, Any]]:
        """The facts typed in, as the service takes them (dates as ISO text; empty ones left out)."""
        facts: dict[str, dict[str, Any]] = {}
        for fact in facts_asked(self.chosen) if self.chosen else []:
            value = self.cleaned_data.get(fact_field_name(fact))
            if value is None or value == "":
                continue
            if isinstance(value, date):
                value = value.isoformat()
            section, _dot, key = fact.partition(".")
            facts.setdefault(section, {})[key] = value
        return facts

    def documents(self) -> list[tuple[str, Any]]:
        return [
            (kind, self.cleaned_data[name])
            for kind, name in self.document_kinds
            if self.cleaned_data.get(name)
        ]


class CccdLookupForm(forms.Form):
    """Find the person by CCCD: always POSTed so the number never lands in a URL."""

    cccd = forms.CharField(
        label=_("Citizen ID (CCCD)"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ReviewForm(DomainErrorForm):
    decision = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("accept", _("Accept for the ward's list")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, help_text=_("Required when rejecting: say why.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class WithdrawForm(DomainErrorForm):
    note = forms.CharField(label=_("Why it is withdrawn"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DocumentForm(DomainErrorForm):
    kind = forms.ChoiceField(label=_("Document"))
    file = forms.FileField(label=_("File (PDF, PNG, JPEG or DOCX)"))

    def __init__(self, *args: Any, kinds: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [*kinds, ("other", _("Other document"))]  # type: ignore[attr-defined]


class ObjectionForm(DomainErrorForm):
    text = forms.CharField(label=_("Objection"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    objector = forms.CharField(
        label=_("Who objects (optional, never published)"), max_length=150, required=False
    )


class ResolveForm(DomainErrorForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("dismiss", _("Dismiss the objection")), ("uphold", _("Uphold it: reject the application"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Reason"), max_length=500, required=False)


class PostListForm(DomainErrorForm):
    ward = forms.CharField(max_length=5)
    programme = forms.CharField(max_length=32)


class VersionForm(DomainErrorForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ApproveForm(DomainErrorForm):
    lists = forms.TypedMultipleChoiceField(
        label=_("Appraised lists"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    number = forms.CharField(label=_("Decision number"), max_length=40, help_text=_("e.g. 125/QĐ-UBND"))
    signed_on = forms.DateField(label=_("Signed on"), input_formats=DATE_FORMATS, widget=_date())

    def __init__(self, *args: Any, choices: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lists"].choices = list(choices)  # type: ignore[attr-defined]


class RevokeForm(DomainErrorForm):
    """Take an approved, unpaid line out of its decision by an amending decision."""

    sections = ("payment",)

    number = forms.CharField(
        label=_("Amending decision number"), max_length=40, help_text=_("e.g. 131/QĐ-UBND")
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. the person receives NQ 68 income support; the person has died"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PayForm(DomainErrorForm):
    sections = ("payment",)
    aliases = {"Idempotency-Key": "payment"}

    method = forms.ChoiceField(label=_("Paid"), choices=Payment.Method.choices, widget=forms.RadioSelect)
    receipt_number = forms.CharField(
        label=_("Receipt number"),
        max_length=40,
        required=False,
        help_text=_("Cash: the signed receipt's number"),
    )
    receipt = forms.FileField(label=_("Signed receipt (scan, optional)"), required=False)
    bank_reference = forms.CharField(
        label=_("Bank transfer reference"),
        max_length=60,
        required=False,
        help_text=_("Bank transfer: the reference"),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=TOKEN_MAX)
