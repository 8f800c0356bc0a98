"""Refusals about isolation orders and their follow-ups, each with a stable code (pages and the API render
them)."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.core.clock import to_local
from phaodai.core.errors import Conflict, Duplicate, InvalidInput, NotPermitted


class OpenOrderExists(Duplicate):
    """A second open order for the same person; the first is named (and its id sent) so it can be read."""

    code = "isolation_order_open"
    message = gettext_lazy("This person is already under an open isolation order.")

    def __init__(self, existing: Any, *, field: str = "person") -> None:
        super().__init__(
            _(
                "This person is already under isolation order #%(pk)s (%(subject)s, %(setting)s, since "
                "%(since)s); release or cancel it first."
            )
            % {
                "pk": existing.pk,
                "subject": existing.subject,
                "setting": existing.get_setting_display().lower(),
                "since": f"{to_local(existing.starts_at):%H:%M %d/%m/%Y}",
            },
            field=field,
        )
        self.existing = existing.pk

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["existing_order"] = self.existing
        return body


class KeyReused(Conflict):
    code = "idempotency_key_reused"
    message = gettext_lazy(
        "This Idempotency-Key was already used for another person's order; send a new key."
    )


class NoRuleInForce(InvalidInput):
    code = "no_isolation_rule"
    message = gettext_lazy("No isolation rule is in force for this kind of person on that day.")


class CaseRequired(InvalidInput):
    code = "case_required"
    message = gettext_lazy("An F0 is isolated under their case: record the case first.")


class FacilityNeedsAdmitter(NotPermitted):
    code = "facility_needs_admitter"
    message = gettext_lazy(
        "An order to a concentrated facility admits the person there, and your role does not admit; "
        "ask the health station or the district."
    )


class OrderChanged(Conflict):
    code = "isolation_order_changed"
    message = gettext_lazy("The order was changed meanwhile; read it again before changing it.")


class OrderClosed(Conflict):
    code = "isolation_order_closed"
    message = gettext_lazy("This order was already released or cancelled.")


class IsolationNotOver(InvalidInput):
    code = "isolation_not_over"
    message = gettext_lazy("The isolation itself is not over yet.")


class ReleaseBeforeStart(InvalidInput):
    code = "release_before_start"
    message = gettext_lazy("A release cannot come before the order starts.")


class EarlyReleaseNeedsReason(InvalidInput):
    code = "early_release_needs_reason"
    message = gettext_lazy("The isolation is not over yet: say why the person is released early.")


class StillAdmitted(Conflict):
    code = "still_admitted"
    message = gettext_lazy(
        "The person is still admitted to the facility; the facility (or someone who admits there) "
        "discharges them first."
    )


class FollowUpDayOutside(InvalidInput):
    code = "follow_up_day_outside"
    message = gettext_lazy("A check can only be recorded for a day of the order, up to today.")


class FollowUpRecorded(Conflict):
    """A different check was already recorded for the order and day; it is named, never overwritten."""

    code = "follow_up_recorded"
    message = gettext_lazy("Another check was already recorded for this day.")

    def __init__(self, existing: Any) -> None:
        super().__init__(
            _("A check was already recorded for %(day)s by %(who)s (%(result)s); it is kept as it is.")
            % {
                "day": f"{existing.day:%d/%m/%Y}",
                "who": existing.checked_by.username,
                "result": existing.get_result_display().lower(),
            },
            field="day",
        )
        self.existing = existing.pk

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["existing_follow_up"] = self.existing
        return body


class UnknownPerson(InvalidInput):
    code = "unknown_person"
    message = gettext_lazy(
        "No person with this CCCD lives in your jurisdiction or has a case found there; register them first."
    )
