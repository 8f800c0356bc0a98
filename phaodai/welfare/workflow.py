"""Shared steps of the welfare writes: permission checks, cleaning, compare-and-set moves, audit states."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.core.errors import Conflict, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of, require_within
from phaodai.core.locks import key_of, serialise
from phaodai.core.text import nfc
from phaodai.welfare import rules, selectors
from phaodai.welfare.models import Application, Programme

APPLICATION_TYPE = "welfare.application"
LIST_TYPE = "welfare.support_list"
DECISION_TYPE = "welfare.decision"
PAYMENT_TYPE = "welfare.payment"
OBJECTION_TYPE = "welfare.objection"
NOTE_LIMIT = 500
NAMED_LINES = 10  # lines named in a refusal; the rest are counted
# pg_advisory_xact_lock's first key: filing and paying support for one person (the second: the person).
_PERSON_SUPPORT_LOCK = 5_209_001


class ApplicationChanged(Conflict):
    code = "application_changed"
    message = gettext_lazy("Someone moved this application first; reload it and try again.")


class ListChanged(Conflict):
    code = "list_changed"
    message = gettext_lazy("Someone moved this list first; reload it and try again.")


class OtherSupport(Conflict):
    code = "other_support"
    message = gettext_lazy("The person already has another social-protection payment on record.")


def require(by: Any, perm: str, path: str, object_type: str, object_id: Any) -> None:
    """403 without `perm`, 404 (logged) outside its units; call before the transaction."""
    require_within(by, perm, path=path, object_type=object_type, object_id=object_id)


def require_any(by: Any, perms: Iterable[str], path: str, object_type: str, object_id: Any) -> None:
    """Like `require`, for any of several permissions."""
    perms = tuple(perms)
    if not any(paths_of(by, perm) for perm in perms):
        raise NotPermitted()
    if not any(covers(by, path, perm) for perm in perms):
        log_out_of_scope(by, object_type, object_id, path)
        raise OutOfScope()


def text(value: Any, field: str, *, limit: int = NOTE_LIMIT, required: bool = True) -> str:
    cleaned = " ".join(nfc(str(value or "")).split())
    if required and not cleaned:
        raise InvalidInput(_("This field is required."), field=field)
    if len(cleaned) > limit:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": limit}, field=field)
    if not cleaned.isprintable():
        raise InvalidInput(_("Remove the control characters from this field."), field=field)
    return cleaned


def original_name(upload: UploadedFile) -> str:
    return nfc(PurePath(upload.name or "").name)[-200:] or "document"


def move(application: Application, target: str, version: int | None, **changes: Any) -> Application:
    """Compare-and-set the application from its current status to `target`; Conflict if it moved."""
    current = application.status
    if not rules.may_move(current, target):
        raise ApplicationChanged(
            _("This application is %(status)s: it cannot be moved that way.")
            % {"status": application.get_status_display()}
        )
    expected = application.version if version is None else version
    updated = Application.objects.filter(pk=application.pk, status=current, version=expected).update(
        status=target, version=F("version") + 1, **changes
    )
    if not updated:
        raise ApplicationChanged()
    application.refresh_from_db()
    return application


def application_state(application: Application) -> dict[str, Any]:
    return {
        "reference": application.reference,
        "programme": application.programme_code,
        "person": str(application.person_id),
        "period": application.period_key,
        "amount": application.amount,
        "status": application.status,
        "list": application.support_list_id,
        "decision": application.decision_id,
        "line": application.line_no,
    }


def other_support_text(others: Sequence[Application]) -> str:
    return ", ".join(f"{o.programme_code} {o.reference} ({o.get_status_display()})" for o in others)


# What a held line is named and judged by (pages and lists show these).
HELD_FIELDS = ("pk", "person_id", "programme_id", "reference", "line_no", "amount", "unit_path", "facts")


@dataclass(frozen=True)
class HeldLine:
    """A line whose programme excludes other support, held while the person has another live support."""

    line: Application
    others: list[Application]
    rule: str  # the criterion that refuses it

    @property
    def others_text(self) -> str:
        return other_support_text(self.others)


def held_for_other_support(lines: QuerySet[Application]) -> list[HeldLine]:
    """The lines among `lines` that a live NQ 68 income support of their person excludes (their programme's
    criteria say so, as data), in id order."""
    # Programmes are a few dozen rows: reading them all is cheaper than a pass over the lines for theirs.
    excluding = {
        programme.pk: criteria
        for programme in Programme.objects.only("pk", "criteria")
        if rules.excludes_other_support(criteria := rules.criteria_of(programme.criteria))
    }
    if not excluding:
        return []
    # The few lines whose person has live income support first, then that support by person (the line
    # itself is not its own other support: checked below).
    candidates = list(
        lines.filter(person_id__in=selectors.income_support_persons(), programme_id__in=list(excluding))
        .only(*HELD_FIELDS)
        .order_by("pk")
    )
    if not candidates:
        return []
    others = selectors.income_support_of_persons({line.person_id for line in candidates})
    held: list[HeldLine] = []
    for line in candidates:
        theirs = [other for other in others.get(line.person_id, []) if other.pk != line.pk]
        if not theirs:
            continue
        refusal = rules.refused_for_other_support(excluding[line.programme_id], line.facts)
        if refusal is not None:
            held.append(HeldLine(line, theirs, refusal.key))
    return held


def held_text(held: HeldLine) -> str:
    return _("%(reference)s: the person also has %(others)s (rule %(rule)s)") % {
        "reference": held.line.reference,
        "others": held.others_text,
        "rule": held.rule,
    }


def serialise_support_of(person_id: Any) -> None:
    """Filings and payments for one person one at a time, until the transaction ends: a payment's check
    for other support then sees an income support filed at the same moment (the payment waits for the
    filing and is refused), or the filing waits and comes after the payment, as it would a minute later.
    """
    serialise(_PERSON_SUPPORT_LOCK, key_of(person_id))


def refuse_other_support(lines: QuerySet[Application], advice: str) -> None:
    """OtherSupport naming each line whose programme excludes other support (its criteria, as data) while
    the person has a live NQ 68 income support: that may be filed after this line was, so the later steps
    (review, appraisal, payment) check it again, not only the filing. `advice` says what to do."""
    held = held_for_other_support(lines)
    if not held:
        return
    named = [held_text(item) for item in held[:NAMED_LINES]]
    more = len(held) - len(named)
    if more:
        named.append(_("and %(count)s more") % {"count": more})
    blocked = [item.line.pk for item in held]
    raise OtherSupport(f"{'; '.join(named)}. {advice}", field="other_support", lines=blocked)
