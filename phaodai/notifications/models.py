"""Messages addressed to a unit's officials: in the app, and by e-mail through the notifier."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to the officials of one unit (those whose role there grants `perm`, if set)."""

    class Severity(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        URGENT = "urgent", _("Urgent")

    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=32)
    perm = models.CharField(
        max_length=64, blank=True, help_text=_("Only officials with this capability see it.")
    )
    # A message about one person's own affairs (their business) goes to them alone, not to the unit.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.INFO)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    # Senders that may fire twice (a reminder job run again) pass a key; the second send is a no-op.
    dedupe_key = models.CharField(max_length=160, null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["unit_path", "-created_at"], name="notification_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=Q(dedupe_key__isnull=False), name="notification_sent_once"
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class Reading(models.Model):
    """That one official has read one notification."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="readings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notification", "user"], name="read_once")]

    def __str__(self) -> str:
        return f"{self.notification_id} read by {self.user_id}"
