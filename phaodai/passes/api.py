"""What a checkpoint device downloads: the signed bundle of a scope, the signers to pin, the trust list.

Public (no sign-in): rules are public policy, revoked pass ids are opaque, and a device checks the
bundle's signature itself. Bundles answer with their exact signed text, `Cache-Control: no-cache`
and an ETag naming scope and version, so a device revalidates cheaply (304 when it holds the latest).
"""

import json

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from phaodai.core.clock import now
from phaodai.passes import selectors
from phaodai.passes.trust import iso

router = Router(tags=["passes"], auth=None)

_JSON = "application/json"


def _json(body: object, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")), content_type=_JSON, status=status
    )
    response["Cache-Control"] = "no-cache"
    return response


@router.get(
    "/bundles/{scope}",
    url_name="passes_bundle",
    summary="The current signed rule bundle of a scope: {bundle, kid, sig}",
    response={200: dict, 304: None, 404: dict},
)
def bundle(request: HttpRequest, scope: str) -> HttpResponse:
    found = selectors.current_bundle(scope[:40])
    if found is None:
        return _json(
            {"code": "no_bundle", "message": _("No bundle is published for this scope.")}, status=404
        )
    etag = f'"{found.scope}-{found.version}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(found.document, content_type=_JSON)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


@router.get(
    "/anchors",
    url_name="passes_anchors",
    summary="The bundle signers a verifier pins when it installs (a trust list of bundle keys)",
    response=dict,
)
def anchors(request: HttpRequest) -> HttpResponse:
    at = now()
    return _json({"issued_at": iso(at), "entries": selectors.bundle_anchors(at).to_json()})


@router.get("/trust-list", url_name="passes_trust_list", summary="Every signer trusted now", response=dict)
def trust_list(request: HttpRequest) -> HttpResponse:
    return _json(selectors.published_trust_list())
