"""Placeholder pages: replaced by the territory browser."""

from django.http import HttpRequest, HttpResponse


def browse(request: HttpRequest) -> HttpResponse:
    return HttpResponse("territory")


def unit(request: HttpRequest, code: str) -> HttpResponse:
    return HttpResponse(code)
