"""Pages of the market gate (issue #8, points 4–5): the offline gate page, its worker and manifest, tracing.

The gate page (`/markets/market/<code>/gate/`) is the checkpoint verifier in a market mode, for
those who check that market's gate (markets.gate over its ward: 403 without it anywhere, 404 logged
outside). It carries what the script needs offline: the market's facts for the rules, whether its
ward's passes are single-use, the bundle signers to pin, the API addresses and every string. The
script (static/phaodai/market-gate/app.js) verifies with the checkpoint verifier's modules, runs the
"markets" bundle, refuses a single-use pass already used on this device, and syncs its log.
The worker and the manifest are public and hold nothing personal (see decision 0024).

The tracing page (`/markets/tracing/`) is for officers who trace (cases.trace) or manage markets: a
case, its market visits, the households inside at the same hours, and a button that adds their
representatives as the case's contacts. See docs/decisions/0027-market-gate.md.
"""

import json
from datetime import date, time
from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from phaodai.cases import selectors as cases
from phaodai.core import offline
from phaodai.core.clock import local_date, now, read_local_date
from phaodai.core.errors import DomainError, InvalidInput
from phaodai.markets import gate, tracing
from phaodai.markets.models import Market
from phaodai.passes import selectors as passes
from phaodai.passes.messages import MESSAGES as CODEC_MESSAGES

# What the worker keeps for offline use besides the page, the bundle and the anchors.
ASSETS: Final = (
    "phaodai/site.css",
    "django_htmx/htmx-2.min.js",
    "phaodai/market-gate/app.js",
    "phaodai/market-gate/store.js",
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
SCOPE_ROOT: Final = "/markets/"
MAX_VISIT_ROWS: Final = 5


def _strings() -> dict[str, str]:
    return {
        "allowed": _("Come in"),
        "denied": _("Not allowed in"),
        "exit": _("Exit recorded"),
        "cannot_decide": _("Cannot decide"),
        "name": _("Name"),
        "birth_year": _("Birth year"),
        "cccd": _("CCCD"),
        "hours": _("Hours"),
        "first_use": _("First used at %(time)s"),
        "no_bundle": _("No rule bundle on this device yet: connect to the network once to download it."),
        "bundle": _("Rule bundle"),
        "bundle_version": _("version %(version)s, signed %(age)s ago"),
        "minutes": _("%(n)s min"),
        "hours_ago": _("%(n)s h"),
        "days": _("%(n)s days"),
        "bundle_updated": _("A newer rule bundle was taken."),
        "bundle_refused": _("The downloaded rule bundle was refused:"),
        "online": _("Online"),
        "offline": _("Offline: decisions are made on this device and synced later."),
        "sync_pending": _("%(n)s entries waiting to sync"),
        "sync_done": _("All entries synced"),
        "sync_rejected": _("%(n)s entries refused by the server"),
        "sync_flagged": _("%(n)s passes found used twice"),
        "sync_failed": _("Syncing failed; it will be tried again."),
        "sync_signed_out": _("Sign in again to sync the entries."),
        "inside": _("Inside now: %(n)s of %(capacity)s"),
        "camera_start": _("Scan with the camera"),
        "camera_stop": _("Stop the camera"),
        "camera_unavailable": _("The camera cannot be used here: paste or type the code."),
        "empty_code": _("Scan or paste a code first."),
        "logged": _("Logged on this device."),
    }


def _messages() -> dict[str, str]:
    """Refusals by code, translated: the codec's and the gate's own."""
    texts = {code: str(message) for code, message in CODEC_MESSAGES.items()}
    texts.update({code: str(message) for code, message in gate.GATE_MESSAGES.items()})
    return texts


@login_required
@require_GET
def gate_page(request: HttpRequest, code: str) -> HttpResponse:
    """The page a market keeper installs on a phone at the gate; it checks passes with no network."""
    market = gate.market_at_gate(request.user, code)
    config = {
        "market": {
            "code": market.code,
            "name": market.name,
            "capacity": market.capacity,
            "open": market.status == Market.Status.OPEN,
            "facts": gate.gate_facts(market),
            "single_use": gate.single_use_in_force(market, local_date(now())),
        },
        "language": (get_language() or "vi").split("-")[0],
        "anchors": passes.bundle_anchors(now()).to_json(),
        "urls": {
            "bundle": reverse("api-v1:passes_bundle", kwargs={"scope": passes.MARKETS}),
            "anchors": reverse("api-v1:passes_anchors"),
            "sync": reverse("api-v1:markets_gate_sync", kwargs={"code": market.code}),
            "inside": reverse("api-v1:markets_inside", kwargs={"code": market.code}),
            "worker": reverse("markets:gate_worker"),
            "page": request.path,
        },
        "strings": _strings(),
        "messages": _messages(),
    }
    context = {
        "market": market,
        "config": config,
        "manifest_url": reverse("markets:gate_manifest") + f"?market={market.code}",
    }
    return render(request, "markets/gate.html", context)


@require_GET
@never_cache
def gate_worker(request: HttpRequest) -> HttpResponse:
    """The gate page's service worker: public, without personal data, never cached by the browser."""
    return offline.service_worker(
        request,
        prefix="phaodai-market-gate-",
        assets=ASSETS,
        shared=[
            reverse("api-v1:passes_bundle", kwargs={"scope": passes.MARKETS}),
            reverse("api-v1:passes_anchors"),
        ],
        scope_root=SCOPE_ROOT,
    )


@require_GET
def gate_manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest; `?market=<code>` makes the installed app open that market's gate."""
    raw = request.GET.get("market", "")[:16]
    valid = bool(raw) and all(c.isalnum() or c == "-" for c in raw)
    start = reverse("markets:gate", args=[raw]) if valid else SCOPE_ROOT
    document = {
        "name": _("phaodai — market gate"),
        "short_name": _("Market gate"),
        "description": _("Checks market passes at the gate, also offline."),
        "lang": (get_language() or "vi").split("-")[0],
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#166534",
        "icons": [{"src": static("phaodai/verifier/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False), content_type="application/manifest+json; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response


# Tracing -----------------------------------------------------------------------------------------------


def _visit_rows(data: Any) -> list[dict[str, str]]:
    rows = []
    for index in range(MAX_VISIT_ROWS):
        row = {
            name: str(data.get(f"{name}_{index}", "")).strip() for name in ("market", "day", "start", "end")
        }
        rows.append(row)
    return rows


def _read_time(text: str, field: str) -> time | None:
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("Give a time as HH:MM."), field=field) from None


def _read_visits(user: Any, rows: list[dict[str, str]]) -> list[tracing.Visit]:
    visits = []
    for index, row in enumerate(rows):
        if not row["market"] and not row["day"]:
            continue
        day: date | None = read_local_date(row["day"]) if row["day"] else None
        if day is None:
            raise InvalidInput(_("Give the day of the visit (dd/mm/yyyy)."), field=f"day_{index}")
        market = tracing.market_for_tracing(user, row["market"])
        start, end = _read_time(row["start"], f"start_{index}"), _read_time(row["end"], f"end_{index}")
        # One end given: the other is the market's opening or closing time.
        hours = None if start is None and end is None else [start or market.opens_at, end or market.closes_at]
        visits.append(tracing.read_visit(market, day, hours))
    if not visits:
        raise InvalidInput(_("Give at least one market visit."), field="market_0")
    return visits


@login_required
@require_http_methods(["GET", "POST"])
def tracing_page(request: HttpRequest) -> HttpResponse:
    """A case and its market visits: the households inside at the same hours; add them as contacts."""
    user = request.user
    tracing.require_tracer(user)
    data = request.POST if request.method == "POST" else request.GET
    case_text = str(data.get("case", "")).strip()
    # A case number fits in a bigint (18 digits); a longer one is no case, not a crash.
    case = cases.case_for(user, int(case_text)) if case_text.isdigit() and len(case_text) <= 18 else None
    rows = _visit_rows(data)
    if case is not None and request.method == "GET" and not any(row["market"] for row in rows):
        rows = _prefilled(case, rows)
    found: list[tracing.ExposedHousehold] | None = None
    error: DomainError | None = None
    if request.method == "POST":
        try:
            found = tracing.households_exposed(
                by=user, visits=_read_visits(user, rows), f0=case.person if case else None
            )
            if data.get("action") == "add" and case is not None and found:
                outcome = tracing.add_as_contacts(by=user, case=case, households=found)
                messages.success(
                    request,
                    _("%(added)s contacts added to the case (%(known)s already recorded).")
                    % {"added": outcome.added, "known": outcome.already_known},
                )
        except DomainError as problem:
            error = problem
    context = {
        "case": case,
        "cases": cases.cases_visible_to(user).select_related("person").order_by("-confirmed_at")[:50],
        "rows": rows,
        "found": found,
        "error": error,
    }
    return render(request, "markets/tracing.html", context, status=422 if error is not None else 200)


def _prefilled(case: Any, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The F0's own market entries (as a representative) over the case's tracing window."""
    visits = tracing.visits_of(case.person, case.window_start, case.window_end)[:MAX_VISIT_ROWS]
    filled = [
        {"market": code, "day": f"{day:%d/%m/%Y}", "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
        for code, day, start, end in visits
    ]
    return filled + rows[len(filled) :]
