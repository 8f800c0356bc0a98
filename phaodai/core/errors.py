"""One error family with stable codes; pages and the API each render it (STYLE §6)."""

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal the user can understand and act on; never a crash."""

    code: ClassVar[str] = "domain_error"
    message: ClassVar[Any] = _("The request could not be completed.")
    status: ClassVar[int] = 422

    def __init__(self, message: Any = None, *, field: str | None = None, **params: Any) -> None:
        self.detail = message if message is not None else self.message
        self.field = field
        self.params = params
        super().__init__(str(self.detail))

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.detail)}
        if self.field:
            body["field"] = self.field
        return body


class InvalidInput(DomainError):
    code = "invalid_input"
    message = _("Some of the data is not valid.")
    status = 422


class NotPermitted(DomainError):
    code = "not_permitted"
    message = _("Your role does not allow this action.")
    status = 403


class OutOfScope(DomainError):
    """Rendered as 404 so an outsider cannot even learn the object exists."""

    code = "not_found"
    message = _("Not found.")
    status = 404


class Conflict(DomainError):
    code = "conflict"
    message = _("Someone else changed this first; reload and try again.")
    status = 409


class Duplicate(Conflict):
    code = "duplicate"
    message = _("This record already exists.")
