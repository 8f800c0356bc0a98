"""Notifiers: how a notification leaves the app. Chosen by the PHAODAI_NOTIFIER setting."""

import logging
from collections.abc import Sequence
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("phaodai.notifications")


class Notifier(Protocol):
    def deliver(self, *, subject: str, body: str, recipients: Sequence[str]) -> None: ...


class EmailNotifier:
    """One e-mail per recipient through Django's mail backend (console in the demo, SMTP in production)."""

    def deliver(self, *, subject: str, body: str, recipients: Sequence[str]) -> None:
        messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]
        try:
            send_mass_mail(messages, fail_silently=False)
        except OSError:
            # The in-app notification is already stored; a mail outage must not undo the report.
            logger.exception("could not send %d notification e-mails", len(messages))


class SilentNotifier:
    """Keeps notifications in the app only."""

    def deliver(self, *, subject: str, body: str, recipients: Sequence[str]) -> None:
        return None


def notifier() -> Notifier:
    notifier_class: type[Notifier] = import_string(settings.PHAODAI_NOTIFIER)
    return notifier_class()
