"""Token authentication for integrations: POST /api/v1/auth/token."""

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.security import HttpBearer

from phaodai.accounts import selectors, services
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
    return {"token": services.issue_token(user=user)}


class AssignmentOut(Schema):
    role: str
    unit_code: str
    unit_name: str


class MeOut(Schema):
    username: str
    assignments: list[AssignmentOut]


@router.get("/me", response=MeOut, summary="Who the token or session belongs to, with roles and units")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "username": user.get_username(),
        "assignments": [
            {"role": a.role, "unit_code": a.unit.code, "unit_name": a.unit.full_name}
            for a in selectors.assignments_of(user)
        ],
    }


@router.post("/token/revoke", response={204: None}, summary="Revoke the bearer token used for this call")
def revoke(request: HttpRequest) -> tuple[int, None]:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.revoke_token(raw=header[7:].strip())
    return 204, None
