"""The unread-notification count for the header badge."""

from typing import Any

from django.http import HttpRequest

from phaodai.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    """{"unread_notifications": n}; 0 without a query for anonymous visitors."""
    return {"unread_notifications": unread_count(getattr(request, "user", None))}
