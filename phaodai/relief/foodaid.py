"""Food aid (S34): any household asks its ward for food — foreigners too, no CCCD needed; the ward
assigns a team, delivers (the goods used are booked out of its stock), closes. A request still not
delivered 24 hours after it was made is escalated: marked, and the district notified once.

The public request is limited per device (`phaodai.core.ratelimit`) and idempotent on the form's
token; every move is a compare-and-set on `version` under a row lock, so of two officers one wins.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from phaodai.core import audit
from phaodai.core.clock import Clock, now, to_local
from phaodai.core.errors import NotPermitted, OutOfScope
from phaodai.core.identity import InvalidPhone, normalize_phone
from phaodai.core.jurisdiction import covers, get_in_scope_or_404, log_out_of_scope, paths_of, scope_q
from phaodai.core.ratelimit import Budget
from phaodai.notifications import services as notifications
from phaodai.relief import rules
from phaodai.relief.errors import ReliefInvalid, StaleVersion, WrongStep
from phaodai.relief.ledger import book, locked_stocks
from phaodai.relief.models import FoodRequest, Movement
from phaodai.relief.services import PERM, item_of, quantity_of, text
from phaodai.territory import selectors as territory

OBJECT_TYPE: Final = "relief.foodrequest"
Status = FoodRequest.Status
OPEN: Final = (Status.NEW, Status.ASSIGNED)
WORKLIST_LIMIT: Final = 500
MAX_PEOPLE: Final = 50


def public_budget() -> Budget:
    per_hour = int(getattr(settings, "PHAODAI_FOOD_REQUESTS_PER_HOUR", 5))
    return Budget("food-requests", per_hour, timedelta(hours=1))


def state(row: FoodRequest) -> dict[str, Any]:
    """What the audit digests (name, phone and address only inside the keyed digest)."""
    return {
        "unit": row.unit_path, "name": row.name, "phone": row.phone, "address": row.address,
        "nationality": row.nationality, "people": row.people, "status": row.status, "team": row.team,
    }  # fmt: skip


def _people(value: Any) -> int:
    count = rules.positive_whole(value, MAX_PEOPLE)
    if count is None:
        raise ReliefInvalid(
            gettext("Give how many people live in the household (1 to %(max)d).") % {"max": MAX_PEOPLE},
            field="people",
        )
    return count


def _cleaned(
    *, ward: Any, name: Any, phone: Any, address: Any, nationality: Any, people: Any, needs: Any
) -> dict[str, Any]:
    if ward is None or ward.level != "ward":
        raise ReliefInvalid(gettext("Choose the ward (phường, xã) where you live."), field="ward")
    try:
        number = normalize_phone(phone)
    except InvalidPhone as error:
        raise ReliefInvalid(str(error.detail), field="phone") from None
    return {
        "unit": ward, "unit_path": ward.path, "name": text(name, "name", 150, required=True),
        "phone": number, "address": text(address, "address", 255, required=True),
        "nationality": text(nationality, "nationality", 60) or "Việt Nam", "people": _people(people),
        "needs": text(needs, "needs", 500),
    }  # fmt: skip


def _insert(row: FoodRequest, by: Any, clock: Clock) -> tuple[FoodRequest, bool]:
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            audit.record(
                actor=by, action="relief.food_requested", object_type=OBJECT_TYPE, object_id=row.pk,
                unit_path=row.unit_path, after=state(row), clock=clock,
            )  # fmt: skip
    except IntegrityError:
        earlier = FoodRequest.objects.filter(idempotency_key=row.idempotency_key).first()
        if earlier is None or not row.idempotency_key:
            raise
        return earlier, False
    return row, True


def request_food_publicly(
    *,
    ward_code: Any,
    name: Any,
    phone: Any,
    address: Any,
    people: Any,
    nationality: Any = "",
    needs: Any = "",
    token: str = "",
    client: str = "",
    clock: Clock = now,
) -> tuple[FoodRequest, bool]:
    """A household asks for food; a retry with the same form token answers with the first request.

    `client` (the sender's address) limits requests per device per hour: a flood gets 429 first.
    """
    key = f"p:{token}"[:80] if token else ""
    if key:
        earlier = FoodRequest.objects.filter(idempotency_key=key).first()
        if earlier is not None:
            return earlier, False
    ward = (
        territory.unit_by_code(ward_code.strip())
        if isinstance(ward_code, str) and ward_code.strip()
        else None
    )
    data = _cleaned(ward=ward, name=name, phone=phone, address=address, nationality=nationality,
                    people=people, needs=needs)  # fmt: skip
    if client:
        public_budget().check(client, clock)
    row, created = _insert(FoodRequest(**data, requested_at=clock(), idempotency_key=key), None, clock)
    if created and client:
        public_budget().spend(client, clock)
    return row, created


def record_request(
    *, by: Any, ward: Any, name: Any, phone: Any, address: Any, people: Any, nationality: Any = "",
    needs: Any = "", idempotency_key: str = "", clock: Clock = now,
) -> tuple[FoodRequest, bool]:  # fmt: skip
    """An officer records a request taken by phone or at the door."""
    if not paths_of(by, PERM):
        raise NotPermitted()
    if ward is not None and not covers(by, ward.path, PERM):
        log_out_of_scope(by, "territory.unit", ward.code, ward.path)
        raise OutOfScope()
    key = f"u{by.pk}:{idempotency_key}"[:80] if idempotency_key else ""
    if key:
        earlier = FoodRequest.objects.filter(idempotency_key=key).first()
        if earlier is not None:
            return earlier, False
    data = _cleaned(ward=ward, name=name, phone=phone, address=address, nationality=nationality,
                    people=people, needs=needs)  # fmt: skip
    return _insert(FoodRequest(**data, requested_at=clock(), recorded_by=by, idempotency_key=key), by, clock)


def _require_handler(by: Any, row: FoodRequest) -> None:
    if not paths_of(by, PERM):
        raise NotPermitted()
    if not covers(by, row.unit_path, PERM):
        log_out_of_scope(by, OBJECT_TYPE, row.pk, row.unit_path)
        raise OutOfScope()


def _locked(row: FoodRequest, version: Any, to: str) -> FoodRequest:
    current = FoodRequest.objects.select_for_update().select_related("unit").get(pk=row.pk)
    if version not in (None, "") and rules.version_number(version) != current.version:
        raise StaleVersion(field="version")
    if not rules.can_move(rules.FOOD_NEXT, current.status, to):
        raise WrongStep(
            gettext("This request is %(status)s: it cannot be done now.")
            % {"status": current.get_status_display()},
            field="status",
        )
    return current


def _save(current: FoodRequest, by: Any, action: str, before: dict[str, Any], clock: Clock) -> None:
    current.version += 1
    current.save()
    audit.record(
        actor=by, action=action, object_type=OBJECT_TYPE, object_id=current.pk,
        unit_path=current.unit_path, before=before, after=state(current), clock=clock,
    )  # fmt: skip


def assign_team(
    *, by: Any, request: FoodRequest, team: Any, version: Any = None, clock: Clock = now
) -> FoodRequest:
    """Name the team that brings the food (again to change it, until delivered)."""
    _require_handler(by, request)
    who = text(team, "team", 150, required=True)
    with transaction.atomic():
        current = _locked(request, version, Status.ASSIGNED)
        before = state(current)
        current.status, current.team = Status.ASSIGNED, who
        current.assigned_by, current.assigned_at = by, clock()
        _save(current, by, "relief.food_assigned", before, clock)
    return current


def deliver(
    *, by: Any, request: FoodRequest, goods: Mapping[str, Any], version: Any = None, note: Any = "",
    clock: Clock = now,
) -> FoodRequest:  # fmt: skip
    """Delivered: each item used is booked out of the ward's stock (all or nothing; never below zero)."""
    _require_handler(by, request)
    if not goods:
        raise ReliefInvalid(gettext("Say what was delivered."), field="goods")
    used = {
        item_of(code, f"goods.{code}"): quantity_of(count, f"goods.{code}") for code, count in goods.items()
    }
    remark = text(note, "note", 500)
    at = clock()
    with transaction.atomic():
        current = _locked(request, version, Status.DELIVERED)
        before = state(current)
        stocks = locked_stocks([(current.unit, item) for item in used])
        for item, count in used.items():
            book(stocks[(current.unit_id, item.pk)], kind=Movement.Kind.FOOD_AID_OUT, quantity=-count,
                 by=by, at=at, food_request=current, field=f"goods.{item.code}")  # fmt: skip
        current.status, current.delivered_at = Status.DELIVERED, at
        current.note = remark or current.note
        _save(current, by, "relief.food_delivered", before, clock)
    return current


def close(
    *, by: Any, request: FoodRequest, note: Any = "", version: Any = None, clock: Clock = now
) -> FoodRequest:
    """Close a delivered request; closing one never delivered needs a note saying why."""
    _require_handler(by, request)
    remark = text(note, "note", 500, required=request.status != Status.DELIVERED)
    with transaction.atomic():
        current = _locked(request, version, Status.CLOSED)
        if current.status != Status.DELIVERED and not remark:
            raise ReliefInvalid(gettext("Say why it is closed without a delivery."), field="note")
        before = state(current)
        current.status, current.closed_at = Status.CLOSED, clock()
        current.note = remark or current.note
        _save(current, by, "relief.food_closed", before, clock)
    return current


# Escalation ---------------------------------------------------------------------------------------


def overdue(clock: Clock = now) -> QuerySet[FoodRequest]:
    """Open requests made more than 24 hours ago and not yet escalated."""
    limit = clock() - timedelta(hours=rules.ESCALATE_AFTER_HOURS)
    return FoodRequest.objects.filter(status__in=OPEN, requested_at__lte=limit, escalated_at__isnull=True)


def escalate_overdue(*, clock: Clock = now) -> int:
    """Mark the overdue requests and notify each one's district once; how many were escalated."""
    count = 0
    for pk in list(overdue(clock).values_list("pk", flat=True)[:WORKLIST_LIMIT]):
        with transaction.atomic():
            row = (
                FoodRequest.objects.select_for_update(of=("self",)).select_related("unit__parent").get(pk=pk)
            )
            if row.escalated_at is not None or row.status not in OPEN:
                continue
            row.escalated_at = clock()
            row.save(update_fields=["escalated_at", "updated_at"])
            district = row.unit.parent or row.unit
            notifications.notify(
                district,
                kind="relief.food_overdue",
                subject=gettext("Food-aid request #%(pk)s in %(ward)s waits for over 24 hours")
                % {"pk": row.pk, "ward": row.unit.full_name},
                body=gettext("Requested %(at)s, %(people)s people; status: %(status)s.")
                % {
                    "at": to_local(row.requested_at).strftime("%d/%m/%Y %H:%M"),
                    "people": row.people,
                    "status": row.get_status_display(),
                },
                url=f"/relief/food-aid/{row.pk}/",
                perm=PERM,
                severity="warning",
                dedupe_key=f"relief.food_overdue:{row.pk}",
                clock=clock,
            )
            audit.record(
                actor=None, action="relief.food_escalated", object_type=OBJECT_TYPE, object_id=row.pk,
                unit_path=row.unit_path, clock=clock,
            )  # fmt: skip
            count += 1
    return count


# Reads --------------------------------------------------------------------------------------------


def is_handler(user: Any) -> bool:
    return bool(paths_of(user, PERM))


def requests_visible_to(user: Any) -> QuerySet[FoodRequest]:
    return FoodRequest.objects.filter(scope_q(user, "unit_path", PERM)).select_related("unit")


def request_for(user: Any, pk: int) -> FoodRequest:
    """One request in the user's units; 403 without the permission, 404 (logged) outside them."""
    if not is_handler(user):
        raise NotPermitted()
    queryset = FoodRequest.objects.select_related("unit", "assigned_by")
    return get_in_scope_or_404(queryset, user, path_field="unit_path", perm=PERM, pk=pk)


@dataclass(frozen=True)
class OpenRequest:
    row: FoodRequest
    overdue: bool


def worklist(user: Any, *, unit_path: str = "", clock: Clock = now) -> list[OpenRequest]:
    """Open requests of the user's units (or of one of them), over 24 hours first, then oldest first."""
    if not is_handler(user):
        raise NotPermitted()
    queryset = requests_visible_to(user).filter(status__in=OPEN)
    if unit_path:
        queryset = queryset.filter(unit_path__startswith=unit_path)
    limit = clock() - timedelta(hours=rules.ESCALATE_AFTER_HOURS)
    rows = [
        OpenRequest(row, row.requested_at <= limit)
        for row in queryset.order_by("requested_at", "pk")[:WORKLIST_LIMIT]
    ]
    rows.sort(key=lambda item: (not item.overdue, item.row.requested_at, item.row.pk))
    return rows


def delivered_goods(row: FoodRequest) -> QuerySet[Movement]:
    return Movement.objects.filter(food_request=row).select_related("item")
