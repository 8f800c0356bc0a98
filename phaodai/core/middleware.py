"""Renders a DomainError that escapes a page view as a friendly page with its status code."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from phaodai.core.errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        template = "core/error_partial.html" if getattr(request, "htmx", False) else "core/error.html"
        response = TemplateResponse(request, template, {"error": exception}, status=exception.status)
        return response.render()
