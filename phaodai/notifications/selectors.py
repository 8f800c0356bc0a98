"""A user's inbox: notifications sent to the units their roles are bound to."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from phaodai.accounts.roles import PERMISSIONS
from phaodai.accounts.selectors import assignments_of
from phaodai.core.jurisdiction import log_out_of_scope
from phaodai.notifications.models import Notification, Reading


def _addressed_to(user: Any) -> Q:
    """Notifications for the exact units the user is bound to, needing a capability their role there has;
    and those addressed to the user by name."""
    for_units = Q(pk__in=[])
    for assignment in assignments_of(user):
        granted = PERMISSIONS[assignment.role]
        for_units |= Q(unit_path=assignment.unit.path) & (Q(perm="") | Q(perm__in=sorted(granted)))
    return (Q(recipient__isnull=True) & for_units) | Q(recipient=user.pk)


def inbox(user: Any) -> QuerySet[Notification]:
    read = Reading.objects.filter(notification=OuterRef("pk"), user=user.pk)
    return (
        Notification.objects.filter(_addressed_to(user))
        .annotate(is_read=Exists(read))
        .select_related("unit")
        .order_by("-created_at", "-id")
    )


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    read = Reading.objects.filter(notification=OuterRef("pk"), user=user.pk)
    return Notification.objects.filter(_addressed_to(user)).filter(~Exists(read)).count()


def notification_for(user: Any, pk: int) -> Notification:
    """One notification addressed to the user; any other answers 404 (and the attempt is logged)."""
    found = inbox(user).filter(pk=pk).first()
    if found is None:
        other = Notification.objects.filter(pk=pk).values_list("unit_path", flat=True).first()
        if other is not None:
            log_out_of_scope(user, "notifications.notification", pk, other)
        raise Http404
    return found


def already_sent(dedupe_keys: list[str]) -> set[str]:
    """Which of these keys a notification has already been sent under."""
    if not dedupe_keys:
        return set()
    found = Notification.objects.filter(dedupe_key__in=dedupe_keys).values_list("dedupe_key", flat=True)
    return {key for key in found if key is not None}
