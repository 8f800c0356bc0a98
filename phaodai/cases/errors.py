"""The cases app's refusals, each with a stable code (pages and the API render them)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.core.errors import Conflict, Duplicate, InvalidInput


class DuplicateCase(Duplicate):
    code = "duplicate_case"
    message = gettext_lazy("This person already has a case for this episode.")

    def __init__(self, message: Any = None, *, existing: int | None = None, **params: Any) -> None:
        super().__init__(message, field="cccd", **params)
        self.existing = existing

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        if self.existing is not None:
            body["existing_case"] = self.existing
        return body


class CaseChanged(Conflict):
    code = "case_changed"
    message = gettext_lazy("The case was changed meanwhile; read it again before changing it.")


class NoRuleInForce(InvalidInput):
    code = "no_tracing_rule"
    message = gettext_lazy("No tracing rule was in force on that day.")

    def __init__(self, day: date) -> None:
        super().__init__(
            _(
                "No tracing rule was in force on %(day)s: cases and contacts are traced only from the "
                "first rule's start."
            )
            % {"day": f"{day:%d/%m/%Y}"},
            field="confirmed_at",
        )


class NoTestNorReason(InvalidInput):
    code = "test_or_reason_required"
    message = gettext_lazy(
        "Give the sample code of the positive test, or why the case is entered without one."
    )


@dataclass(frozen=True)
class ContactProblem:
    index: int  # the contact's position in the list sent (0-based)
    field: str
    message: str


class InvalidContacts(InvalidInput):
    """Every problem of a list of contacts, each with its position and field; nothing was written."""

    code = "invalid_contacts"
    message = gettext_lazy("Some contacts are not valid; none was added.")

    def __init__(self, problems: Sequence[ContactProblem]) -> None:
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(
            _("Contact %(n)s, %(field)s: %(message)s")
            % {"n": first.index + 1, "field": first.field, "message": first.message},
            field=f"contacts.{first.index}.{first.field}",
        )

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["errors"] = [{"index": p.index, "field": p.field, "message": p.message} for p in self.problems]
        return body


class KeyUsedForAnotherCase(Conflict):
    code = "idempotency_key_reused"
    message = gettext_lazy("This idempotency key was already used for another person's case.")
