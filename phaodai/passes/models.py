"""Signing keys, foreign signer certificates, pass rules and published rule bundles.

A key's private half is stored sealed with the field keys (AES-256-GCM, keys from the environment,
docs/decisions/0004), so a database dump signs nothing. Bundles keep the exact signed text.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class SigningKey(TimeStampedModel):
    """One of our ES256 keys: it signs passes or rule bundles, and stays trusted while its signatures live."""

    class Purpose(models.TextChoices):
        PASSES = "passes", _("Signs passes (PD1)")
        BUNDLES = "bundles", _("Signs rule bundles")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active: signs now")
        RETIRED = "retired", _("Retired: trusted until what it signed has expired")
        REVOKED = "revoked", _("Revoked: trusted no longer")

    kid = models.CharField(max_length=16, unique=True, help_text=_("Key id, base64 of 8 bytes"))
    label = models.CharField(max_length=100)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    certificate = models.BinaryField(help_text=_("Self-signed X.509 certificate, DER"))
    sealed_private_key = models.BinaryField(help_text=_("PKCS#8 PEM sealed with the field keys"))
    pass_types = models.JSONField(default=list, blank=True, help_text=_("Pass types it may sign"))
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(help_text=_("The certificate's end: nothing it signed lives longer"))
    retired_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["purpose", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose"], condition=Q(status="active"), name="passes_one_active_key_per_purpose"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gt=models.F("valid_from")), name="passes_key_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.kid}, {self.status})"


class ForeignSigner(TimeStampedModel):
    """An imported signer certificate of EU DCCs (HC1), so certificates from abroad can be checked."""

    kid = models.CharField(max_length=16, unique=True)
    label = models.CharField(max_length=100)
    country = models.CharField(max_length=2, blank=True)
    certificate = models.BinaryField()
    kinds = models.JSONField(default=list, help_text=_("t, v, r: what its key usage allows"))
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField()
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["country", "label"]

    def __str__(self) -> str:
        return f"{self.label} ({self.kid})"


class PassRule(TimeStampedModel):
    """A CertLogic rule for passes, with the EU rule fields; a new version is a new row."""

    class Type(models.TextChoices):
        ACCEPTANCE = "Acceptance", _("Acceptance")
        INVALIDATION = "Invalidation", _("Invalidation")

    scope = models.CharField(max_length=40, help_text=_("The bundle it ships in, e.g. checkpoints"))
    identifier = models.CharField(max_length=64)
    rule_type = models.CharField(max_length=12, choices=Type.choices, default=Type.ACCEPTANCE)
    version = models.CharField(max_length=14, help_text=_("Semantic version, e.g. 1.0.0"))
    certificate_type = models.CharField(max_length=20, help_text=_("A pass type, or General"))
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField()
    affected_fields = models.JSONField(default=list, blank=True)
    description_vi = models.CharField(max_length=300)
    description_en = models.CharField(max_length=300)
    logic = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["scope", "identifier", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "identifier", "version"], name="passes_one_rule_version"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gt=models.F("valid_from")), name="passes_rule_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.version}"


class Bundle(TimeStampedModel):
    """A published, signed rule bundle; versions rise by one per scope and are never changed."""

    scope = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    not_after = models.DateTimeField()
    document = models.TextField(help_text=_("The signed document, JSON"))
    kid = models.CharField(max_length=16)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["scope", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "version"], name="passes_one_bundle_version"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} v{self.version}"


class RevokedPass(TimeStampedModel):
    """A signed pass withdrawn before it expired: devices learn it from the bundles' "revoked-passes".

    Permits and vehicle registrations record their revocations here (through services.revoke_pass),
    so the bundle knows nothing of those apps; rows past `expires_at` leave the list (the pass fails
    on its own validity then).
    """

    pass_id = models.CharField(max_length=64, unique=True)
    pass_type = models.CharField(max_length=16)
    expires_at = models.DateTimeField(help_text=_("When the pass would have expired"))
    revoked_at = models.DateTimeField()

    class Meta:
        ordering = ["pass_id"]
        indexes = [models.Index(fields=["expires_at"], name="passes_revoked_expiry")]

    def __str__(self) -> str:
        return f"{self.pass_type} {self.pass_id} (revoked)"
