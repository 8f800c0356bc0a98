"""The notification inbox: unread first, each linking to what it is about; marking read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from phaodai.notifications import selectors, services

INBOX_LIMIT = 200


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = list(
        selectors.inbox(request.user).order_by("is_read", "-created_at", "-id")[:INBOX_LIMIT]
    )
    unread = selectors.unread_count(request.user)
    return render(request, "notifications/inbox.html", {"notifications": notifications, "unread": unread})


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to what it is about (only a link within this site is followed)."""
    notification = selectors.notification_for(request.user, pk)
    services.mark_read(notification, request.user)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(selectors.inbox(request.user), request.user)
    messages.success(request, _("%(n)s notifications marked read.") % {"n": count})
    return redirect("notifications:inbox")
