"""Users act through role assignments, each bound to one administrative unit."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import PERMISSIONS, Role
from phaodai.core.models import TimeStampedModel


class User(AbstractUser):
    """A person who signs in; what they may see and do comes only from their assignments."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @cached_property
    def assignment_list(self) -> list["RoleAssignment"]:
        return list(self.role_assignments.filter(active=True).select_related("unit"))

    def jurisdiction_paths(self, perm: str | None = None) -> tuple[str, ...]:
        """Paths of the units this user acts in; with `perm`, only where a role grants it."""
        return tuple(
            sorted({a.unit.path for a in self.assignment_list if perm is None or perm in PERMISSIONS[a.role]})
        )

    def roles(self) -> frozenset[str]:
        return frozenset(a.role for a in self.assignment_list)


class RoleAssignment(TimeStampedModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    unit = models.ForeignKey("territory.Unit", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="one_assignment_per_role_and_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.role} @ {self.unit_id}"


class ApiToken(TimeStampedModel):
    """A bearer token for integrations; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text=_("First characters, to recognise a token in lists."))
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"
