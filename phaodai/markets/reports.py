"""Reports of temporary markets and street vending (S27) and their handling until cleared.

An officer who manages markets records a spot in their ward; a resident reports one on the public
page (anonymous, limited per device, a name and phone only if they want a call back). The ward then
handles it: reported -> handling -> cleared | unfounded (a report may also be closed straight from
"reported" when the officer finds the spot on the first visit). Each change is a compare-and-set on
`version`: of two officers acting at once, one wins and the other gets 409.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, now, plausible
from phaodai.core.errors import Conflict, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.identity import InvalidPhone, normalize_phone
from phaodai.core.jurisdiction import covers, get_in_scope_or_404, log_out_of_scope, paths_of, scope_q
from phaodai.core.ratelimit import Budget
from phaodai.core.text import nfc
from phaodai.markets.models import VendingReport
from phaodai.territory import selectors as territory

OBJECT_TYPE: Final = "markets.vendingreport"
Status = VendingReport.Status
OPEN: Final = (Status.REPORTED, Status.HANDLING)
CLOSED: Final = (Status.CLEARED, Status.UNFOUNDED)
# Where each status may go next; closing straight from "reported" is allowed (found and cleared at once).
NEXT: Final[dict[str, tuple[str, ...]]] = {
    Status.REPORTED: (Status.HANDLING, Status.CLEARED, Status.UNFOUNDED),
    Status.HANDLING: (Status.CLEARED, Status.UNFOUNDED),
}
LIMITS: Final = {"place": 255, "description": 500, "reporter_name": 150, "note": 500}
# A spot seen more than a month ago is no longer there to clear; a few minutes ahead is clock skew.
OLDEST_SIGHTING: Final = timedelta(days=30)
CLOCK_SKEW: Final = timedelta(minutes=10)
OPEN_LIST_LIMIT: Final = 500


class ReportInvalid(InvalidInput):
    """Every problem of a report at once, each beside its field (nothing typed is lost)."""

    code = "invalid_report"
    message = _("The report has mistakes; see the messages beside the fields.")

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        first_field, first_message = next(iter(self.errors.items()))
        super().__init__(first_message, field=first_field)

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["errors"] = [{"field": name, "message": text} for name, text in self.errors.items()]
        return body


class ReportChanged(Conflict):
    code = "report_changed"
    message = _("Someone else changed this report first; reload it and try again.")


class ReportClosed(Conflict):
    code = "report_closed"
    message = _("This report is already closed.")


@dataclass(frozen=True)
class VendingInput:
    """A report as typed: `clean_report` checks it, nothing before."""

    kind: Any
    place: Any
    seen_at: Any
    description: Any = ""
    area: Any = ""  # an area code of the ward (optional)


@dataclass(frozen=True)
class Cleaned:
    kind: str
    place: str
    seen_at: datetime
    description: str
    area: Any


def _text(errors: dict[str, str], name: str, raw: Any, *, required: bool) -> str:
    value = nfc(raw) if isinstance(raw, str) else ""
    if raw not in (None, "") and not isinstance(raw, str):
        errors[name] = gettext("Enter text.")
    elif required and not value:
        errors[name] = gettext("This field is required.")
    elif len(value) > LIMITS[name]:
        errors[name] = gettext("At most %(limit)d characters (this has %(n)d).") % {
            "limit": LIMITS[name],
            "n": len(value),
        }
    elif not value.isprintable():
        errors[name] = gettext("Remove the control characters from this field.")
    return value


def _seen_at(errors: dict[str, str], raw: Any, at: datetime) -> datetime:
    if not isinstance(raw, datetime) or raw.tzinfo is None or not plausible(raw):
        errors["seen_at"] = gettext("Give the date and time it was seen, in Hà Nội time.")
        return at
    if raw > at + CLOCK_SKEW:
        errors["seen_at"] = gettext("The time seen cannot be in the future.")
    elif raw < at - OLDEST_SIGHTING:
        errors["seen_at"] = gettext("Report what was seen in the last %(days)d days.") % {
            "days": OLDEST_SIGHTING.days
        }
    return raw


def clean_report(
    data: VendingInput, ward: Any, at: datetime, errors: dict[str, str] | None = None
) -> Cleaned:
    """The cleaned report, or ReportInvalid with every bad field (and any `errors` found before)."""
    errors = dict(errors or {})
    if data.kind not in VendingReport.Kind.values:
        errors["kind"] = gettext("Choose a temporary market or street vending.")
    place = _text(errors, "place", data.place, required=True)
    description = _text(errors, "description", data.description, required=False)
    seen_at = _seen_at(errors, data.seen_at, at)
    area = None
    code = data.area.strip() if isinstance(data.area, str) else ""
    if code and ward is not None:
        area = territory.area_by_code(code)
        if area is None or area.ward_id != ward.pk:
            errors["area"] = gettext("This residential area is not in %(ward)s.") % {"ward": ward.full_name}
    if errors:
        raise ReportInvalid(errors)
    return Cleaned(str(data.kind), place, seen_at, description, area)


def state(report: VendingReport) -> dict[str, Any]:
    """What the audit digests: never the reporter's name or phone."""
    return {
        "kind": report.kind,
        "place": report.place,
        "seen_at": report.seen_at,
        "unit": report.unit_path,
        "area": report.area_id,
        "status": report.status,
        "note": report.handling_note,
    }


def _insert(report: VendingReport, key: str, by: Any, clock: Clock) -> tuple[VendingReport, bool]:
    try:
        with transaction.atomic():
            report.save(force_insert=True)
            audit.record(
                actor=by,
                action="markets.vending_reported",
                object_type=OBJECT_TYPE,
                object_id=report.pk,
                unit_path=report.unit_path,
                after=state(report),
                clock=clock,
            )
    except IntegrityError:
        # A double tap raced us with the same key: the first one stands.
        earlier = VendingReport.objects.filter(idempotency_key=key).first() if key else None
        if earlier is None:
            raise
        return earlier, False
    return report, True


def _ward(code: Any, errors: dict[str, str]) -> Any:
    ward = territory.unit_by_code(code.strip()) if isinstance(code, str) and code.strip() else None
    if ward is None or ward.level != "ward":
        errors["ward"] = gettext("Choose the ward (phường, xã) where it was seen.")
        return None
    return ward


def record_vending(
    *, by: Any, ward: Any, data: VendingInput, idempotency_key: str = "", clock: Clock = now
) -> tuple[VendingReport, bool]:
    """An officer records a spot in a ward they manage; (report, False) for a retry with the same key."""
    if not paths_of(by, Perm.MANAGE_MARKETS):
        raise NotPermitted()
    if ward is None or ward.level != "ward":
        raise ReportInvalid({"ward": gettext("Choose the ward (phường, xã) where it was seen.")})
    if not covers(by, ward.path, Perm.MANAGE_MARKETS):
        log_out_of_scope(by, "territory.unit", ward.code, ward.path)
        raise OutOfScope()
    key = f"u{by.pk}:{idempotency_key}" if idempotency_key else ""
    if key:
        earlier = VendingReport.objects.filter(idempotency_key=key).first()
        if earlier is not None:
            return earlier, False
    cleaned = clean_report(data, ward, clock())
    report = VendingReport(
        unit=ward, unit_path=ward.path, area=cleaned.area, kind=cleaned.kind, place=cleaned.place,
        description=cleaned.description, seen_at=cleaned.seen_at, reported_by=by, idempotency_key=key,
    )  # fmt: skip
    return _insert(report, key, by, clock)


def public_budget() -> Budget:
    per_hour = int(getattr(settings, "PHAODAI_VENDING_REPORTS_PER_HOUR", 10))
    return Budget("vending-reports", per_hour, timedelta(hours=1))


def report_vending_publicly(
    *,
    ward_code: Any,
    data: VendingInput,
    reporter_name: Any = "",
    reporter_phone: Any = "",
    token: str = "",
    client: str = "",
    clock: Clock = now,
) -> tuple[VendingReport, bool]:
    """A resident's report; a retry with the same form token answers with the first, whatever the budget.

    `client` (the sender's address) limits how many reports one device files per hour: a flood gets
    429 before anything is written.
    """
    key = f"p:{token}" if token else ""
    if key:
        earlier = VendingReport.objects.filter(idempotency_key=key).first()
        if earlier is not None:
            return earlier, False
    errors: dict[str, str] = {}
    ward = _ward(ward_code, errors)
    name = _text(errors, "reporter_name", reporter_name, required=False)
    phone = ""
    if isinstance(reporter_phone, str) and reporter_phone.strip():
        try:
            phone = normalize_phone(reporter_phone)
        except InvalidPhone as error:
            errors["reporter_phone"] = str(error.detail)
    cleaned = clean_report(data, ward, clock(), errors)
    if client:
        public_budget().check(client, clock)
    report = VendingReport(
        unit=ward, unit_path=ward.path, area=cleaned.area, kind=cleaned.kind, place=cleaned.place,
        description=cleaned.description, seen_at=cleaned.seen_at, reporter_name=name,
        reporter_phone=phone, idempotency_key=key,
    )  # fmt: skip
    report, created = _insert(report, key, None, clock)
    if created and client:
        public_budget().spend(client, clock)
    return report, created


def _require_handler(by: Any, report: VendingReport) -> None:
    if not paths_of(by, Perm.MANAGE_MARKETS):
        raise NotPermitted()
    if not covers(by, report.unit_path, Perm.MANAGE_MARKETS):
        log_out_of_scope(by, OBJECT_TYPE, report.pk, report.unit_path)
        raise OutOfScope()


def move_report(
    *, by: Any, report: VendingReport, to: str, version: Any = None, note: Any = "", clock: Clock = now
) -> VendingReport:
    """Move a report on (handling, cleared or unfounded), once: the loser of a race gets 409.

    Closing needs a note saying what was done or found; `version` is the one the officer saw.
    """
    _require_handler(by, report)
    errors: dict[str, str] = {}
    if to not in (Status.HANDLING, *CLOSED):
        errors["status"] = gettext("Choose: being handled, cleared or not found there.")
    text = _text(errors, "note", note, required=to in CLOSED)
    if version not in (None, "") and not str(version).isdigit():
        errors["version"] = gettext("Reload the page and try again.")
    if errors:
        raise ReportInvalid(errors)
    at = clock()
    with transaction.atomic():
        current = VendingReport.objects.select_for_update().get(pk=report.pk)
        if current.status in CLOSED:
            raise ReportClosed(field="status")
        if to not in NEXT[current.status]:
            raise ReportChanged(field="status")
        if version not in (None, "") and int(version) != current.version:
            raise ReportChanged(field="version")
        before = state(current)
        changed = VendingReport.objects.filter(
            pk=current.pk, version=current.version, status=current.status
        ).update(
            status=to, version=current.version + 1, handled_by=by, handled_at=at,
            handling_note=text or current.handling_note, updated_at=at,
        )  # fmt: skip
        if not changed:
            raise ReportChanged(field="version")
        current.refresh_from_db()
        audit.record(
            actor=by,
            action=f"markets.vending_{to}",
            object_type=OBJECT_TYPE,
            object_id=current.pk,
            unit_path=current.unit_path,
            before=before,
            after=state(current),
            clock=clock,
        )
    return current


# Reads --------------------------------------------------------------------------------------------


def is_handler(user: Any) -> bool:
    return bool(paths_of(user, Perm.MANAGE_MARKETS))


def reports_visible_to(user: Any) -> QuerySet[VendingReport]:
    return VendingReport.objects.filter(scope_q(user, "unit_path", Perm.MANAGE_MARKETS)).select_related(
        "unit", "area"
    )


def report_for(user: Any, pk: int) -> VendingReport:
    """One report in the user's units; 403 without the permission, 404 (logged) outside them."""
    if not is_handler(user):
        raise NotPermitted()
    queryset = VendingReport.objects.select_related("unit", "area", "handled_by", "reported_by")
    return get_in_scope_or_404(queryset, user, path_field="unit_path", perm=Perm.MANAGE_MARKETS, pk=pk)


def unit_in_reach(user: Any, code: str, perms: tuple[str, ...]) -> Any:
    """A ward or district the user acts in for one of `perms`; 422 unknown, 404 (logged) outside."""
    unit = territory.unit_by_code(code.strip()) if code.strip() else None
    if unit is None or unit.level not in ("ward", "district"):
        raise InvalidInput(gettext("Choose a ward or a district."), field="unit")
    if not any(covers(user, unit.path, perm) for perm in perms):
        log_out_of_scope(user, "territory.unit", unit.code, unit.path)
        raise OutOfScope()
    return unit


@dataclass(frozen=True)
class OpenReport:
    report: VendingReport
    age: timedelta

    @property
    def age_hours(self) -> int:
        return int(self.age.total_seconds() // 3600)


def open_reports(user: Any, *, unit_code: str = "", clock: Clock = now) -> list[OpenReport]:
    """Open reports of the user's units (or of one ward or district of them), oldest first, with age."""
    if not is_handler(user):
        raise NotPermitted()
    queryset = reports_visible_to(user).filter(status__in=OPEN)
    if unit_code:
        unit = unit_in_reach(user, unit_code, (Perm.MANAGE_MARKETS,))
        queryset = queryset.filter(unit_path__startswith=unit.path)
    at = clock()
    rows = queryset.order_by("seen_at", "pk")[:OPEN_LIST_LIMIT]
    return [OpenReport(row, max(at - row.seen_at, timedelta(0))) for row in rows]
