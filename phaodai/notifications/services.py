"""Sending notifications to a unit's officials and marking them read."""

from typing import Any

from django.db import IntegrityError, transaction

from phaodai.accounts.selectors import officials_of
from phaodai.core.clock import Clock, now
from phaodai.notifications.backends import notifier
from phaodai.notifications.models import Notification, Reading


def notify(
    unit: Any,
    *,
    kind: str,
    subject: str,
    body: str = "",
    url: str = "",
    perm: str = "",
    severity: str = Notification.Severity.INFO,
    dedupe_key: str | None = None,
    email: bool = True,
    recipient: Any = None,
    clock: Clock = now,
) -> Notification:
    """Store a notification for `unit`'s officials and e-mail them once the caller's transaction commits.

    With `recipient`, only that user sees it (and is e-mailed); `unit` then says what it is about.
    With `dedupe_key`, a second call with the same key returns the first notification and sends nothing.
    """
    if dedupe_key is not None:
        existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    notification = Notification(
        unit=unit,
        unit_path=unit.path,
        perm=perm,
        kind=kind,
        severity=severity,
        subject=subject[:200],
        body=body,
        url=url,
        dedupe_key=dedupe_key,
        recipient=recipient,
        created_at=clock(),
    )
    try:
        with transaction.atomic():
            notification.save(force_insert=True)
    except IntegrityError:
        # Another worker sent the same keyed notification a moment ago.
        return Notification.objects.get(dedupe_key=dedupe_key)
    if email:
        people = [recipient] if recipient is not None else officials_of(unit, perm or None)
        recipients = [user.email for user in people if user.email]
        if recipients:
            transaction.on_commit(
                lambda: notifier().deliver(
                    subject=notification.subject, body=_mail_body(notification), recipients=recipients
                )
            )
    return notification


def _mail_body(notification: Notification) -> str:
    return f"{notification.body}\n\n{notification.url}".strip() if notification.url else notification.body


def mark_read(notification: Notification, user: Any, *, clock: Clock = now) -> None:
    """Idempotent: reading twice keeps the first time."""
    Reading.objects.get_or_create(notification=notification, user=user, defaults={"read_at": clock()})


def mark_all_read(notifications: Any, user: Any, *, clock: Clock = now) -> int:
    unread = notifications.exclude(readings__user=user)
    moment = clock()
    readings = [Reading(notification=n, user=user, read_at=moment) for n in unread]
    Reading.objects.bulk_create(readings, ignore_conflicts=True)
    return len(readings)
