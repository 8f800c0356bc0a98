"""The offline checkpoint verifier (issue #7, 8a): the page, its service worker and its web app manifest.

The page (`/checkpoints/<pk>/verify/`) is for those who verify passes at that checkpoint
(checkpoints.verify at its focal unit or other side): 403 without the permission anywhere, 404
(logged) for a checkpoint out of reach. It carries everything the JavaScript needs to work with no
network: the checkpoint's facts for the rules (kind, code, units), the bundle signers to pin on
first use, the API addresses, and every string it shows, translated here (vi first, en second).
Decisions are made in the browser (static/phaodai/verifier/app.js); see
docs/decisions/0024-offline-checkpoint-verifier.md.

The service worker and the manifest are public and hold nothing personal: a browser fetches a
worker's script without asking, and must be able to update it after the session ends. The worker
is served from /checkpoints/verifier/sw.js with `Service-Worker-Allowed: /checkpoints/`, so it can
be registered with the page's own path as its scope (one registration per checkpoint page).
"""

import json
from typing import Any, Final

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.checkpoints import selectors
from phaodai.checkpoints.models import Checkpoint
from phaodai.core import offline
from phaodai.core.clock import now
from phaodai.core.jurisdiction import log_out_of_scope
from phaodai.passes import selectors as passes
from phaodai.passes.codes import MESSAGES as CODE_MESSAGES
from phaodai.passes.messages import describe

# What the worker keeps for offline use (besides the page and the bundle): every script and style
# the page loads. The cache's name carries a hash of their content, so a deploy replaces it.
ASSETS: Final = (
    "phaodai/site.css",
    "django_htmx/htmx-2.min.js",
    "phaodai/verifier/app.js",
    "phaodai/verifier/store.js",
    "phaodai/verifier/rules.js",
    "phaodai/verifier/camera.js",
    "phaodai/verifier/bundle.js",
    "phaodai/verifier/codec.js",
    "phaodai/verifier/cose.js",
    "phaodai/verifier/codes.js",
    "phaodai/verifier/cbor.js",
    "phaodai/verifier/base45.js",
    "phaodai/verifier/inflate.js",
    "phaodai/verifier/certlogic.js",
    "phaodai/verifier/icon.svg",
    "phaodai/vendor/jsqr/jsQR.js",
)
SCOPE_ROOT: Final = "/checkpoints/"


def _checkpoint(user: Any, pk: int) -> Checkpoint:
    require_perm(user, Perm.VERIFY_PASSES)
    checkpoint = selectors.checkpoint_for(user, pk)
    if not selectors.may_record(user, checkpoint):  # a reader who does not verify here
        log_out_of_scope(user, selectors.CHECKPOINT_TYPE, checkpoint.pk, checkpoint.unit_path)
        raise Http404
    return checkpoint


def _strings() -> dict[str, str]:
    """Every text the page's script shows, in the page's language."""
    return {
        "allowed": _("Allowed through"),
        "denied": _("Not allowed through"),
        "cannot_decide": _("Cannot decide"),
        "name": _("Name"),
        "birth_year": _("Birth year"),
        "cccd": _("CCCD"),
        "plate": _("Plate"),
        "pass_type": _("Pass"),
        "declaration_refused": _("The health declaration was not accepted:"),
        "no_bundle": _("No rule bundle on this device yet: connect to the network once to download it."),
        "bundle": _("Rule bundle"),
        "bundle_version": _("version %(version)s, signed %(age)s ago"),
        "minutes": _("%(n)s min"),
        "hours": _("%(n)s h"),
        "days": _("%(n)s days"),
        "bundle_updated": _("A newer rule bundle was taken."),
        "bundle_refused": _("The downloaded rule bundle was refused:"),
        "online": _("Online"),
        "offline": _("Offline: decisions are made on this device and synced later."),
        "sync_pending": _("%(n)s checks waiting to sync"),
        "sync_done": _("All checks synced"),
        "sync_rejected": _("%(n)s checks refused by the server"),
        "sync_failed": _("Syncing failed; it will be tried again."),
        "sync_signed_out": _("Sign in again to sync the checks."),
        "camera_start": _("Scan with the camera"),
        "camera_stop": _("Stop the camera"),
        "camera_unavailable": _("The camera cannot be used here: paste or type the code."),
        "empty_code": _("Scan or paste a code first."),
        "not_logged": _("Not logged: the code names no pass."),
        "logged": _("Logged on this device."),
        "type_permit": _("Travel permit"),
        "type_declaration": _("Health declaration"),
        "type_vehicle": _("Green-lane vehicle"),
        "type_transit": _("Transit vehicle"),
        "type_shipper": _("Shipper"),
        "type_market": _("Market pass"),
    }


def _messages() -> dict[str, str]:
    """The codec's and bundles' refusals by code, translated."""
    return {code: str(describe(code)) for code in CODE_MESSAGES}


@login_required
@require_GET
def verifier(request: HttpRequest, pk: int) -> HttpResponse:
    """The page officers install on a phone at the checkpoint; it checks passes with no network."""
    checkpoint = _checkpoint(request.user, pk)
    language = (get_language() or "vi").split("-")[0]
    config = {
        "checkpoint": {
            "id": checkpoint.pk,
            "code": checkpoint.code,
            "name": checkpoint.name,
            "kind": checkpoint.kind,
            "facts": passes.checkpoint_facts(
                checkpoint.kind, checkpoint.code, (checkpoint.unit_path, checkpoint.other_side_path)
            ),
        },
        "language": language,
        "anchors": passes.bundle_anchors(now()).to_json(),
        "urls": {
            "bundle": reverse("api-v1:passes_bundle", kwargs={"scope": passes.CHECKPOINTS}),
            "anchors": reverse("api-v1:passes_anchors"),
            "sync": reverse("api-v1:checkpoints_sync"),
            "worker": reverse("checkpoints:verifier_worker"),
            "page": request.path,
        },
        "strings": _strings(),
        "messages": _messages(),
    }
    context = {
        "checkpoint": checkpoint,
        "config": config,
        "manifest_url": reverse("checkpoints:verifier_manifest") + f"?checkpoint={checkpoint.pk}",
    }
    return render(request, "checkpoints/verifier.html", context)


@require_GET
@never_cache
def worker(request: HttpRequest) -> HttpResponse:
    """The service worker: caches the page, its assets and the bundle; public and without personal data."""
    return offline.service_worker(
        request,
        prefix="phaodai-verifier-",
        assets=ASSETS,
        shared=[
            reverse("api-v1:passes_bundle", kwargs={"scope": passes.CHECKPOINTS}),
            reverse("api-v1:passes_anchors"),
        ],
        scope_root=SCOPE_ROOT,
    )


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest; `?checkpoint=<id>` makes the installed app open that checkpoint's page."""
    raw = request.GET.get("checkpoint", "")[:12]
    known = raw.isascii() and raw.isdigit()  # isascii: "²" is a digit to isdigit() but not to int()
    start = reverse("checkpoints:verifier", args=[int(raw)]) if known else SCOPE_ROOT
    document = {
        "name": _("phaodai — checkpoint verifier"),
        "short_name": _("Checkpoint"),
        "description": _("Checks travel permits, health declarations and vehicle passes, also offline."),
        "lang": (get_language() or "vi").split("-")[0],
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#9b1c1c",
        "icons": [
            {"src": static("phaodai/verifier/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False), content_type="application/manifest+json; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response
