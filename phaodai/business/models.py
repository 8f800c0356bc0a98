"""Businesses, their representatives, sector conditions, and COVID-safety plans with their approval."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class Business(TimeStampedModel):
    """A firm, factory, construction site, shop or restaurant, by its tax code (mã số thuế)."""

    class Kind(models.TextChoices):
        FACTORY = "factory", _("Factory")
        INDUSTRIAL_PARK_TENANT = "industrial_park", _("Industrial-park tenant")
        CONSTRUCTION = "construction", _("Construction site")
        SHOP = "shop", _("Shop")
        RESTAURANT = "restaurant", _("Restaurant")
        OFFICE = "office", _("Office")
        OTHER = "other", _("Other")

    tax_code = models.CharField(max_length=14, unique=True)
    name = models.CharField(max_length=300)
    name_key = models.CharField(max_length=300, db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sector = models.CharField(max_length=40, help_text=_("A zoning activity code, e.g. dine_in, factory"))
    address = models.CharField(max_length=300)
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        "territory.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    path = models.CharField(max_length=64, help_text=_("The unit's path (jurisdiction)"))
    workforce = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        indexes = [models.Index(fields=["path"], name="business_path", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.tax_code})"


class Representative(models.Model):
    """A user who speaks for a business; they see and act for that business only."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="representatives")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["business", "user"], name="represent_once")]

    def __str__(self) -> str:
        return f"{self.user_id} for {self.business_id}"


class SectorCondition(TimeStampedModel):
    """A sector's published safety criteria (S29), versioned and valid over a period."""

    sector = models.CharField(max_length=40)
    version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    criteria = models.TextField()
    criteria_en = models.TextField(blank=True)
    # e.g. {"onsite_staff_pct": 50, "model": "3_tai_cho", "qr_checkin": true, "staff_test_days": 7}
    requirements = models.JSONField(default=dict, blank=True)
    plan_required = models.BooleanField(default=True)
    basis = models.CharField(max_length=300, blank=True)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sector", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["sector", "version"], name="sector_condition_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.sector} v{self.version}"


class SafetyPlan(TimeStampedModel):
    """A business's COVID-safety plan and where it stands in its approval (S28, S30)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    class Mode(models.TextChoices):
        THREE_ON_SITE = "3_tai_cho", _("“3 on site” (work, eat, rest on site)")
        ONE_ROUTE = "1_cung_duong", _("“1 route, 2 destinations”")
        NORMAL = "normal", _("Normal operation with measures")
        TAKEAWAY = "takeaway", _("Takeaway only")

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="plans")
    path = models.CharField(max_length=64)
    approving_unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    mode = models.CharField(max_length=14, choices=Mode.choices)
    people_on_site = models.PositiveIntegerField()
    shifts = models.PositiveSmallIntegerField(default=1)
    measures = models.TextField()
    responsible_person = models.CharField(max_length=120)
    responsible_phone = models.CharField(max_length=15, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    conditions = models.TextField(blank=True, help_text=_("Conditions the approval sets"))
    reason = models.TextField(blank=True, help_text=_("Why it was returned, rejected, suspended or revoked"))
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("COVID-safety plan")
        verbose_name_plural = _("COVID-safety plans")
        indexes = [models.Index(fields=["path", "status"], name="plan_path_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["business"],
                condition=Q(status__in=["draft", "submitted", "returned", "approved", "suspended"]),
                name="one_live_plan_per_business",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business_id} {self.status}"


class PlanAttachment(models.Model):
    """A document attached to a plan (site layout, staff list, shift roster…), stored under a random name."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="business/plans/%Y/")
    name = models.CharField(max_length=200, help_text=_("The file's name as uploaded, shown on downloads"))
    digest = models.CharField(
        max_length=64, help_text=_("SHA-256 of the content: the same file sent twice is kept once")
    )
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "digest"], name="plan_attachment_once")]

    def __str__(self) -> str:
        return self.name


class PlanEvent(models.Model):
    """Each step of a plan's approval (append-only): who, when, from which status to which, why."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.from_status} → {self.to_status}"
