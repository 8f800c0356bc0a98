"""The notifications API: the user's inbox (newest first, bounded), marking one or all as read."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from phaodai.core.clock import to_local
from phaodai.notifications import selectors, services
from phaodai.notifications.models import Notification

router = Router(tags=["notifications"])
INBOX_LIMIT = 200


class NotificationOut(Schema):
    id: int
    kind: str
    severity: str
    subject: str
    body: str
    url: str
    unit: str
    created_at: datetime
    read: bool


class InboxOut(Schema):
    unread_count: int
    items: list[NotificationOut]


class MarkedOut(Schema):
    marked: int


def _notification(notification: Notification, read: bool | None = None) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "severity": notification.severity,
        "subject": notification.subject,
        "body": notification.body,
        "url": notification.url,
        "unit": notification.unit.code,
        "created_at": to_local(notification.created_at),
        "read": bool(getattr(notification, "is_read", False)) if read is None else read,
    }


@router.get(
    "",
    url_name="notifications_inbox",
    response=InboxOut,
    summary="Notifications to the user's units, newest first (only unread ones with unread=true)",
)
def inbox(
    request: HttpRequest, unread: bool = False, limit: int = Query(50, ge=1, le=INBOX_LIMIT)
) -> dict[str, Any]:
    notifications = selectors.inbox(request.user)
    if unread:
        notifications = notifications.exclude(readings__user=request.user.pk)
    return {
        "unread_count": selectors.unread_count(request.user),
        "items": [_notification(n) for n in notifications[:limit]],
    }


@router.post(
    "/{pk}/read",
    url_name="notifications_read",
    response=NotificationOut,
    summary="Mark one notification read (reading twice keeps the first time)",
)
def read(request: HttpRequest, pk: int) -> dict[str, Any]:
    notification = selectors.notification_for(request.user, pk)
    services.mark_read(notification, request.user)
    return _notification(notification, read=True)


@router.post(
    "/read-all",
    url_name="notifications_read_all",
    response=MarkedOut,
    summary="Mark every notification of the inbox read",
)
def read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": services.mark_all_read(selectors.inbox(request.user), request.user)}
