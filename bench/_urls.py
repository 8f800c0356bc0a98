"""The project's URLs plus `/bench/ping`, the trivial JSON endpoint load benches compare against.

It goes through the same server, middleware and database connection handling as every other view, and
does nothing else: the cost every request pays whatever it asks for.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path

from config.urls import urlpatterns as project_urls


def ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns: list[URLPattern | URLResolver] = [path("bench/ping", ping), *project_urls]
