"""Kernel models: the timestamped base, the append-only audit log, bulk import jobs."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Every table carries when its row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One write to personal, health, decision or payment data; hash-chained, never changed."""

    at = models.DateTimeField(db_index=True)
    # Plain values rather than foreign keys: the log outlives users and objects it mentions.
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    unit_path = models.CharField(max_length=64, blank=True, db_index=True)
    before_digest = models.CharField(max_length=64, blank=True)
    after_digest = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: the database triggers enforce this on PostgreSQL; the model guards SQLite.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit entries cannot be deleted")


class ImportJob(TimeStampedModel):
    """A bulk import of a file (lab results, dose records): its progress, counts and resume point.

    Rows are committed in batches; `committed_rows` is the last data row whose batch committed, so a
    job killed mid-way (or a database restart) resumes after it and the final counts stay exact.
    """

    class Kind(models.TextChoices):
        LAB_RESULTS = "lab_results", _("Laboratory results")
        DOSES = "doses", _("Vaccine doses")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # Stored under the var directory with a random name; the original name is only shown.
    stored_name = models.CharField(max_length=100)
    original_name = models.CharField(max_length=255)
    size_bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The uploader's unit: who else may read the job and its report.
    unit_path = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    corrected = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    committed_rows = models.PositiveIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["unit_path", "kind", "-created_at"], name="importjob_scope")]

    def __str__(self) -> str:
        return self.original_name


class ImportRejection(models.Model):
    """One bad cell or row of an import: where and why, never the value (it may be personal data)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField(help_text=_("The row in the file, the header being row 1"))
    column = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=40)
    message = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "row_number", "column"], name="importrejection_once")
        ]
        ordering = ["job", "row_number", "column"]

    def __str__(self) -> str:
        return f"{self.row_number}:{self.column}:{self.reason}"
