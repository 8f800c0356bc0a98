"""Organisations, the entries of their staff lists (and residents' applications), and issued permits."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class Organisation(TimeStampedModel):
    """A body whose staff need permits, registered at the ward it sits in (through the area police)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")

    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, db_index=True)
    tax_code = models.CharField(max_length=14, blank=True, help_text=_("Businesses: the tax code"))
    governing_body = models.CharField(
        max_length=200, blank=True, help_text=_("Agencies without a tax code: the body they belong to")
    )
    address = models.CharField(max_length=300)
    ward = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=32, help_text=_("The ward's path (jurisdiction)"))
    contact_name = models.CharField(max_length=150)
    contact_phone = models.CharField(max_length=10, blank=True)
    contact_email = models.EmailField(max_length=200, blank=True)
    business = models.ForeignKey(
        "business.Business", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name_key", "id"]
        constraints = [
            # One registration per tax code, and per name within a ward: a retry finds the first.
            models.UniqueConstraint(
                fields=["tax_code"], condition=~Q(tax_code=""), name="permits_org_one_per_tax_code"
            ),
            models.UniqueConstraint(fields=["ward", "name_key"], name="permits_org_one_per_name_in_ward"),
        ]

    def __str__(self) -> str:
        return self.name


class Entry(TimeStampedModel):
    """One person asking for a permit: a row of an organisation's staff list, or a resident's application."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    # A group-5 resident's registry record (None for staff, who need not live in the ward).
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ward = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=32, help_text=_("The deciding ward's path (jurisdiction)"))
    full_name = models.CharField(max_length=150)
    name_key = models.CharField(max_length=150)
    cccd_ciphertext = models.BinaryField()
    cccd_index = models.CharField(max_length=64)
    cccd_masked = models.CharField(max_length=12)
    birth_year = models.PositiveSmallIntegerField()
    job = models.CharField(max_length=120, blank=True)
    group = models.PositiveSmallIntegerField()
    purpose = models.CharField(max_length=120)
    supporting_paper = models.CharField(max_length=200, blank=True)
    zones = models.JSONField(default=list, blank=True)
    route = models.CharField(max_length=120, blank=True)
    plate = models.CharField(max_length=16, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    version = models.PositiveIntegerField(default=1)
    reason = models.CharField(max_length=500, blank=True, help_text=_("Why it was rejected"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "entries"
        constraints = [
            # Submissions are idempotent: the same person for the same days is one entry per list.
            models.UniqueConstraint(
                fields=["organisation", "cccd_index", "valid_from", "valid_to"],
                condition=Q(organisation__isnull=False),
                name="permits_entry_once_per_list",
            ),
            models.UniqueConstraint(
                fields=["ward", "cccd_index", "valid_from", "valid_to"],
                condition=Q(organisation__isnull=True),
                name="permits_application_once",
            ),
            models.CheckConstraint(condition=Q(group__gte=1, group__lte=6), name="permits_entry_group_1_6"),
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="permits_entry_window"
            ),
        ]
        indexes = [models.Index(fields=["path", "status"], name="permits_entry_path_status")]


class Permit(TimeStampedModel):
    """A signed permit issued for an approved entry; revoking it and issuing again gives a new pass id."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Valid")
        REVOKED = "revoked", _("Revoked")

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="permits")
    path = models.CharField(max_length=32)
    issuing_unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    pass_id = models.CharField(max_length=40, unique=True)
    # The holder's link to the phone page: unguessable, so the page needs no sign-in.
    token = models.CharField(max_length=40, unique=True)
    code = models.TextField(help_text=_("The signed PD1: text the QR holds"))
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_reason = models.CharField(max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Issuing is compare-and-set: two officers issuing at once, one active permit.
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status="active"), name="permits_one_active_per_entry"
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_to"], name="permits_permit_status_to")]
