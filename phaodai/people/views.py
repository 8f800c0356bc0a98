"""Placeholder pages: replaced by the person search."""

from django.http import HttpRequest, HttpResponse


def search(request: HttpRequest) -> HttpResponse:
    return HttpResponse("people")
