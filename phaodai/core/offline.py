"""Pages that install on a phone and work without a network (the checkpoint verifier, the market gate).

Each is served with a service worker from one template (core/offline_sw.js): it caches the page, its
assets under a name carrying the assets' content hash (a deploy replaces the cache), and the shared
documents it reads offline (a rule bundle, its signers).
"""

import hashlib
import json
from collections.abc import Sequence
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static


@cache
def assets_version(assets: tuple[str, ...]) -> str:
    """A short hash of the assets' content (read once per process)."""
    digest = hashlib.sha256()
    for name in assets:
        found = finders.find(name)
        if isinstance(found, str):
            with open(found, "rb") as handle:
                digest.update(handle.read())
        digest.update(name.encode())
    return digest.hexdigest()[:12]


def service_worker(
    request: HttpRequest, *, prefix: str, assets: tuple[str, ...], shared: Sequence[str], scope_root: str
) -> HttpResponse:
    """The worker of an offline page: its caches are named `prefix` + the assets' version."""
    response = render(
        request,
        "core/offline_sw.js",
        {
            "prefix": prefix,
            "cache_name": f"{prefix}{assets_version(assets)}",
            "assets": json.dumps([static(name) for name in assets]),
            "shared": json.dumps(list(shared)),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = scope_root
    return response
