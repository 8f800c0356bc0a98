"""The person registry, keyed by the citizen ID (CCCD), which is stored only encrypted."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from phaodai.core.models import TimeStampedModel


class Person(TimeStampedModel):
    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    # Opaque id: safe in URLs and API answers, unlike the CCCD.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cccd_ciphertext = models.BinaryField()
    # HMAC-SHA256 blind index of the CCCD: lookup and uniqueness without the plaintext.
    cccd_index = models.CharField(max_length=64, unique=True)
    full_name = models.CharField(max_length=150)
    name_key = models.CharField(max_length=150, db_index=True)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    phone = models.CharField(max_length=10, blank=True)
    residence_area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("territory.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The residence ward's path, for jurisdiction scoping without joins.
    unit_path = models.CharField(max_length=32, db_index=True)
    chronic_illness = models.BooleanField(default=False)
    disability_immobile = models.BooleanField(default=False)
    pregnant = models.BooleanField(default=False)

    class Meta:
        ordering = ["name_key", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [models.Index(fields=["unit_path", "name_key"], name="person_scope_name")]

    def __str__(self) -> str:
        return self.full_name
