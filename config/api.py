"""The versioned API: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from phaodai.accounts.api import BearerTokenAuth
from phaodai.accounts.api import router as accounts_router
from phaodai.business.api import router as business_router
from phaodai.cases.api import router as cases_router
from phaodai.cases.api_clusters import router as clusters_router
from phaodai.cases.api_isolation import router as isolation_router
from phaodai.cases.api_lockdowns import router as lockdowns_router
from phaodai.cases.api_people import router as tracing_people_router
from phaodai.checkpoints.api import router as checkpoints_router
from phaodai.command.api import router as command_router
from phaodai.community.api import router as community_router
from phaodai.core.errors import DomainError
from phaodai.declarations.api import router as declarations_router
from phaodai.diagnostics.api import router as diagnostics_router
from phaodai.diagnostics.api_imports import router as diagnostics_imports_router
from phaodai.inspections.api import router as inspections_router
from phaodai.markets.api import router as markets_router
from phaodai.notifications.api import router as notifications_router
from phaodai.passes.api import router as passes_router
from phaodai.people.api import router as people_router
from phaodai.permits.api import router as permits_router
from phaodai.portal.api import router as public_router
from phaodai.quarantine.api import router as quarantine_router
from phaodai.relief.api import router as relief_router
from phaodai.sitreps.api import router as sitreps_router
from phaodai.territory.api import router as territory_router
from phaodai.vaccination.api import router as vaccination_router
from phaodai.vaccination.api_imports import router as vaccination_imports_router
from phaodai.vehicles.api import router as vehicles_router
from phaodai.welfare.api import router as welfare_router
from phaodai.zoning.api import router as zoning_router

api = NinjaAPI(
    title="phaodai",
    version="1",
    description='Epidemic-response operations platform. Errors are {"code": ..., "message": ...}.',
    urls_namespace="api-v1",
    auth=[BearerTokenAuth(), django_auth],
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"code": "not_found", "message": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {
        "code": "unauthenticated",
        "message": _("Sign in, or send a valid 'Authorization: Bearer' token."),
    }
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja raises this for a body it cannot parse; keep the {"code", "message"} contract.
    if exc.status_code == 400:
        body = {"code": "bad_request", "message": _("The request body is not valid JSON.")}
    else:
        body = {"code": "http_error", "message": str(exc)}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: list[dict[str, Any]] = []
    for error in exc.errors:
        location = [
            str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")
        ]
        errors.append({"field": ".".join(location), "message": error.get("msg", "")})
    first = errors[0] if errors else {"field": "", "message": ""}
    message = _("%(field)s: %(message)s") % first if first["field"] else first["message"]
    body = {"code": "invalid_input", "message": message, "errors": errors}
    return api.create_response(request, body, status=422)


api.add_router("/auth", accounts_router)
api.add_router("/territory", territory_router)
# A second router under /people: tracing's status and contacts sit beside the registry's endpoints.
# Mounted first: the registry's "/{person_id}" would otherwise take "status" and "contacts" for ids.
api.add_router("/people", tracing_people_router)
api.add_router("/people", people_router)
api.add_router("/zoning", zoning_router)
api.add_router("/public", public_router)
api.add_router("/sitreps", sitreps_router)
api.add_router("/command", command_router)
api.add_router("/notifications", notifications_router)
api.add_router("/business", business_router)
api.add_router("/quarantine", quarantine_router)
api.add_router("/cases", cases_router)
api.add_router("/clusters", clusters_router)
api.add_router("/diagnostics", diagnostics_imports_router)
api.add_router("/diagnostics", diagnostics_router)
api.add_router("/vaccination", vaccination_router)
api.add_router("/vaccination", vaccination_imports_router)
api.add_router("/isolation", isolation_router)
api.add_router("/lockdowns", lockdowns_router)
api.add_router("/inspections", inspections_router)
api.add_router("/checkpoints", checkpoints_router)
api.add_router("/permits", permits_router)
api.add_router("/declarations", declarations_router)
api.add_router("/vehicles", vehicles_router)
api.add_router("/markets", markets_router)
api.add_router("/welfare", welfare_router)
api.add_router("/relief", relief_router)
api.add_router("/community", community_router)
api.add_router("/passes", passes_router)
