"""Pages of declarations: the public form and the person's pass (by unguessable link), and officials'
list, worklist and detail. Thin over services and selectors; a whole ID number only travels in a POST."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.core.clock import now, to_local
from phaodai.core.errors import DomainError, NotPermitted
from phaodai.core.pdf import Document
from phaodai.core.qr import qr_svg
from phaodai.core.ratelimit import client_of
from phaodai.declarations import selectors, services
from phaodai.declarations.forms import DeclarationForm, FindByNumberForm, FollowUpForm, SearchForm
from phaodai.declarations.models import Declaration
from phaodai.declarations.questions import LABELS
from phaodai.declarations.rules import EXPOSURES, SYMPTOMS


def _private(response: HttpResponse) -> HttpResponse:
    """The pass link is the key to it: never cached, indexed or sent on as a referrer."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# The person's side --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest) -> HttpResponse:
    """The declaration form; anyone may file, a signed-in official files on the person's behalf."""
    posted = request.method == "POST"
    form = DeclarationForm(request.POST if posted else None)
    status = 422 if posted else 200
    if posted and form.is_valid():
        try:
            declaration, created = services.submit_declaration(
                data=form.declaration_input(), by=request.user, client=client_of(request)
            )
        except DomainError as error:
            form.add_domain_error(error)
            status = error.status
        else:
            if not created:
                messages.info(request, _("This declaration was already received; here is its pass."))
            return redirect("declarations:pass", token=declaration.token)
    on_behalf = request.user.is_authenticated and services.is_filer(request.user)
    context = {"form": form, "on_behalf": on_behalf}
    return _private(render(request, "declarations/declare.html", context, status=status))


def _answers(declaration: Declaration) -> dict[str, list[tuple[Any, bool]]]:
    return {
        "symptoms": [(LABELS[code], bool(declaration.answers.get(code))) for code in SYMPTOMS],
        "exposures": [(LABELS[code], bool(declaration.answers.get(code))) for code in EXPOSURES],
    }


@require_GET
def pass_page(request: HttpRequest, token: str) -> HttpResponse:
    """The pass to keep open on a phone: its QR, the masked identity, and until when it is valid."""
    declaration = selectors.declaration_by_token(token)
    context = {
        "declaration": declaration,
        "qr": qr_svg(declaration.pass_code, scale=5, title=_("Health declaration QR")),
        "expired": declaration.valid_to <= now(),
    }
    return _private(render(request, "declarations/pass.html", context))


@require_GET
def pass_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """A printable copy of the pass (A4, the QR 60 mm wide)."""
    declaration = selectors.declaration_by_token(token)
    document = Document(title=_("Health declaration"))
    document.add_page()
    document.heading(_("Health declaration — QR pass"))
    document.line_of(_("Full name"), declaration.full_name)
    document.line_of(_("Year of birth"), str(declaration.birth_year))
    document.line_of(_("Identity document"), f"{declaration.get_id_kind_display()} {declaration.id_masked}")
    document.line_of(_("Symptoms declared"), _("Yes") if declaration.has_symptoms else _("No"))
    document.line_of(_("Exposure declared"), _("Yes") if declaration.has_exposure else _("No"))
    document.line_of(_("Valid from"), _local(declaration.valid_from))
    document.line_of(_("Valid until"), _local(declaration.valid_to))
    document.ln(4)
    document.qr(declaration.pass_code)
    response = HttpResponse(document.to_bytes(), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="khai-bao-y-te.pdf"'
    return _private(response)


def _local(moment: Any) -> str:
    return to_local(moment).strftime("%H:%M %d/%m/%Y")


# Officials' side ----------------------------------------------------------------------------------


def _require_reader(user: Any) -> None:
    if not selectors.can_read(user):
        raise NotPermitted()


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """Declarations of the official's units; GET filters, POST finds a whole ID number (never in a URL)."""
    _require_reader(request.user)
    search = SearchForm(request.GET or None)
    find = FindByNumberForm(request.POST if request.method == "POST" else None)
    filters = selectors.Filters()
    status = 200
    if search.is_valid():
        filters = selectors.Filters(
            q=search.cleaned_data["q"],
            day=search.day_value(),
            flagged=search.flag(),
            before=search.cleaned_data.get("before"),
        )
    if request.method == "POST":
        if find.is_valid():
            filters = selectors.Filters(
                id_kind=find.cleaned_data["id_kind"], id_number=find.cleaned_data["id_number"]
            )
        else:
            status = 422
    try:
        page = selectors.search(request.user, filters)
    except DomainError as error:
        find.add_error("id_number", str(error.detail))
        page, status = selectors.Page(rows=[], next_before=None), 422
    query = request.GET.copy()
    query.pop("before", None)
    context = {"search": search, "find": find, "page": page, "query": query.urlencode()}
    return render(request, "declarations/index.html", context, status=status)


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """Flagged declarations of the official's units still to follow up, with the follow-up form."""
    _require_reader(request.user)
    before = request.GET.get("before", "")
    # isascii: "²" is a digit to isdigit() but not to int(); the length keeps it a database integer
    valid = before.isascii() and before.isdigit() and len(before) < 12
    page = selectors.worklist(request.user, before=int(before) if valid else None)
    return render(request, "declarations/worklist.html", {"page": page, "form": FollowUpForm()})


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = selectors.declaration_for(request.user, pk)
    context = {
        "declaration": declaration,
        "answers": _answers(declaration),
        "form": FollowUpForm(),
        "now": now(),
    }
    return render(request, "declarations/detail.html", context)


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = selectors.declaration_for(request.user, pk)
    form = FollowUpForm(request.POST)
    form.is_valid()
    try:
        services.follow_up(declaration=declaration, by=request.user, note=form.cleaned_data.get("note", ""))
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_error("note" if error.field == "note" else None, str(error.detail))
        context = {"declaration": declaration, "answers": _answers(declaration), "form": form, "now": now()}
        return render(request, "declarations/detail.html", context, status=error.status)
    messages.success(request, _("Follow-up recorded."))
    if request.POST.get("next") == "worklist":
        return redirect("declarations:worklist")
    return redirect("declarations:detail", pk=pk)
