"""The person registry, keyed by the citizen ID (CCCD), which is stored only encrypted."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class Person(TimeStampedModel):
    """A resident known by their CCCD; personal and health details are seen only within jurisdiction."""

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    # Opaque id: safe in URLs and API answers, unlike the CCCD.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cccd_ciphertext = models.BinaryField(null=True, blank=True)
    # HMAC-SHA256 blind index of the CCCD: lookup and uniqueness without the plaintext.
    cccd_index = models.CharField(max_length=64, null=True, blank=True)
    full_name = models.CharField(max_length=150)
    name_key = models.CharField(max_length=150)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(max_length=10, blank=True)
    residence_area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "territory.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The residence ward's path, for jurisdiction scoping without joins.
    unit_path = models.CharField(max_length=32)
    chronic_illness = models.BooleanField(default=False)
    disability_immobile = models.BooleanField(default=False)
    pregnant = models.BooleanField(default=False)
    # A contact named in tracing before their details are known (CCCD, or name and phone only); the
    # ward of residence completes the registration.
    provisional = models.BooleanField(db_default=False)

    # Not a column: set by register_person so callers can tell a new registration from a retry.
    registered_now: bool = False

    class Meta:
        ordering = ["name_key", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        # Named here rather than unique=/db_index= on the fields, which on PostgreSQL add a second
        # (varchar_pattern_ops) index to each: an HMAC never needs one, and bulk inserts pay for each.
        constraints = [
            models.UniqueConstraint(fields=["cccd_index"], name="person_cccd_index_unique"),
            models.CheckConstraint(
                condition=Q(provisional=True)
                | (Q(cccd_index__isnull=False) & Q(birth_date__isnull=False) & ~Q(sex="")),
                name="person_complete_unless_provisional",
            ),
        ]
        indexes = [
            models.Index(fields=["unit_path", "name_key"], name="person_scope_name"),
            # Jurisdiction filters are path prefixes (LIKE '/01/004/%') whatever the collation.
            models.Index(
                fields=["unit_path"], name="person_unit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["name_key", "id"], name="person_name_order"),
        ]

    def __str__(self) -> str:
        return self.full_name
