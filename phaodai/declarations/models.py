"""Health declarations (khai báo y tế, POLICY.md §4) and how long one stays valid.

The identity number is never stored in plain: AES-GCM ciphertext bound to this column, a keyed blind
index for lookup (the same index as the person registry's for a CCCD), and the masked form shown.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class ValidityRule(TimeStampedModel):
    """How long a declaration is valid, from a date on (72 h in late 2021): data, not code."""

    code = models.CharField(max_length=40, unique=True)
    hours = models.PositiveSmallIntegerField()
    valid_from = models.DateField(help_text=_("Hà Nội date from which declarations use this duration"))
    basis = models.CharField(max_length=300, blank=True)
    basis_en = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["valid_from"], name="one_declaration_validity_per_day"),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="declaration_validity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.hours} h)"


class Declaration(TimeStampedModel):
    """One person's declaration: identity, address, 14-day answers, travel; valid for a window."""

    class IdKind(models.TextChoices):
        CCCD = "cccd", _("Citizen ID card (CCCD, 12 digits)")
        CMND = "cmnd", _("Old ID card (CMND, 9 digits)")
        PASSPORT = "passport", _("Passport")

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")
        OTHER = "O", _("Other")

    class Channel(models.TextChoices):
        PUBLIC = "public", _("By the person")
        OFFICIAL = "official", _("On their behalf, by an official")

    class Review(models.TextChoices):
        NONE = "none", _("Nothing to follow up")
        OPEN = "open", _("To follow up")
        DONE = "done", _("Followed up")

    # Unguessable: the only way to the person's own pass page (never the pk, never the CCCD).
    token = models.CharField(max_length=64, unique=True)
    full_name = models.CharField(max_length=100)
    name_key = models.CharField(max_length=100, db_index=True)
    id_kind = models.CharField(max_length=8, choices=IdKind.choices)
    id_ciphertext = models.BinaryField()
    id_index = models.CharField(max_length=64, db_index=True)
    id_masked = models.CharField(max_length=16)
    birth_year = models.PositiveSmallIntegerField()
    gender = models.CharField(max_length=1, choices=Gender.choices)
    nationality = models.CharField(max_length=60)
    # Address: a Hà Nội ward from the territory, or free text for other provinces.
    province_code = models.CharField(max_length=3, help_text=_("CCCD province code, 001 = Hà Nội"))
    ward = models.ForeignKey(
        "territory.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district_name = models.CharField(max_length=100, blank=True)
    ward_name = models.CharField(max_length=100, blank=True)
    house = models.CharField(max_length=200)
    # Who follows it up: the declared Hà Nội ward, the city for addresses elsewhere.
    unit_path = models.CharField(max_length=32, db_index=True)
    phone = models.CharField(max_length=10)
    email = models.CharField(max_length=254, blank=True)
    answers = models.JSONField(help_text=_("Every 14-day question's code with true or false"))
    has_symptoms = models.BooleanField()
    has_exposure = models.BooleanField()
    travel_from = models.CharField(max_length=120, blank=True)
    travel_to = models.CharField(max_length=120, blank=True)
    travel_details = models.CharField(max_length=1000, blank=True)
    acknowledged = models.BooleanField()
    submitted_at = models.DateTimeField(db_index=True)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField()
    validity_rule = models.ForeignKey(ValidityRule, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pass_code = models.TextField()
    # Double taps: a retry with the same key, or the same content within the window, is the same row.
    idempotency_key = models.CharField(max_length=80, blank=True)
    content_digest = models.CharField(max_length=64)
    dedupe_window = models.BigIntegerField()
    review = models.CharField(max_length=4, choices=Review.choices)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["id_index", "-valid_to"], name="declaration_valid_lookup"),
            models.Index(
                fields=["unit_path"], name="declaration_unit_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_index", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="declaration_one_per_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["id_index", "content_digest", "dedupe_window"], name="declaration_no_double_tap"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__gt=models.F("valid_from")), name="declaration_window"
            ),
            models.CheckConstraint(condition=models.Q(acknowledged=True), name="declaration_acknowledged"),
            models.CheckConstraint(
                condition=models.Q(review="none", has_symptoms=False, has_exposure=False)
                | (~models.Q(review="none") & (models.Q(has_symptoms=True) | models.Q(has_exposure=True))),
                name="declaration_review_only_when_flagged",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id_masked} {self.submitted_at:%Y-%m-%d %H:%M}"

    @property
    def flagged(self) -> bool:
        return self.has_symptoms or self.has_exposure
