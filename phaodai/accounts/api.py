"""Token authentication for integrations: POST /api/v1/auth/token."""

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.security import HttpBearer

from phaodai.accounts import services
from phaodai.core.errors import DomainError

router = Router(tags=["auth"])


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.user_for_token(token)
        if user is not None:
            request.user = user
        return user


class BadCredentials(DomainError):
    code = "bad_credentials"
    message = _("Wrong username or password.")
    status = 401


class CredentialsIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post("/token", response=TokenOut, auth=None, summary="Exchange a username and password for a token")
def create_token(request: HttpRequest, payload: CredentialsIn) -> dict[str, str]:
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise BadCredentials()
    return {"token": services.issue_token(user=user)}  # type: ignore[arg-type]
