"""Applications (S33): the list, filing one for a resident, its page with its history and the ward's
actions (review, withdraw, documents, objections).

Filing: find the person by name (GET, no digits: a CCCD never lands in a URL) or by CCCD (POST), choose
the programme, give the facts its rules read and the documents it requires. A refusal names the rule that
failed, the missing documents or the earlier record; what was typed is kept.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.core.clock import local_date, now, read_local_date, to_local
from phaodai.core.errors import DomainError, InvalidInput
from phaodai.core.jurisdiction import require_within
from phaodai.core.uploads import download as send_file
from phaodai.people import selectors as people
from phaodai.territory import selectors as territory
from phaodai.welfare import listing, rules, selectors, services
from phaodai.welfare.forms import (
    CccdLookupForm,
    DocumentForm,
    FilingForm,
    ObjectionForm,
    ResolveForm,
    ReviewForm,
    WithdrawForm,
    label_of,
    new_token,
)
from phaodai.welfare.models import Application, Objection, Payment, Programme
from phaodai.welfare.views_common import may, require_perm, require_reader, reraise_scope, ward_choices

DIGITS_IN_NAME = gettext_lazy(
    "Search by name uses letters only. To find a person by citizen ID, use the look-up."
)
NOT_FOUND = gettext_lazy("No person with this citizen ID is registered in your area.")
CANDIDATE_LIMIT = 500


# The list ------------------------------------------------------------------------------------------


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_reader(user)
    status = request.GET.get("status", "")[:10]
    status = status if status in Application.Status.values else ""
    programme = request.GET.get("programme", "")[:32]
    ward = request.GET.get("ward", "")[:5]
    after_text = request.GET.get("after", "")
    after = int(after_text) if after_text.isdigit() else None
    found = selectors.applications_page(user, status=status, programme=programme, ward=ward, after=after)
    query = {
        key: value for key, value in (("status", status), ("programme", programme), ("ward", ward)) if value
    }
    context = {
        "page": found,
        "status": status,
        "programme": programme,
        "ward": ward,
        "statuses": Application.Status.choices,
        "programmes": selectors.programmes_in_force(),
        "query": urlencode(query),
        "can_file": selectors.can_file(user),
    }
    if getattr(request, "htmx", False):
        return render(request, "welfare/_application_rows.html", context)
    return render(request, "welfare/applications.html", context)


# Filing --------------------------------------------------------------------------------------------


def _person_ward(person: Any, wards: list[tuple[str, str]]) -> str:
    """The user's ward (code) where the person is registered, if any."""
    for code, _name in wards:
        if f"/{code}/" in person.unit_path:
            return code
    return ""


def _programme_of(code: str) -> Any:
    chosen = {p.code: p for p in selectors.programmes_in_force()}
    return chosen.get(code)


def _filing_page(
    request: HttpRequest,
    *,
    person: Any,
    form: FilingForm | None,
    lookup: CccdLookupForm,
    earlier: Any = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = {
        "person": person,
        "form": form,
        "programme": form.chosen if form else None,
        "programmes": selectors.programmes_in_force(),
        "lookup_form": lookup,
        "earlier": earlier,
        "criteria": [
            (c.get("key"), label_of(c)) for c in (form.chosen.criteria if form and form.chosen else [])
        ],
        **extra,
    }
    return render(request, "welfare/file.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    """Step 1: find the person; step 2: choose the programme; step 3: the facts and documents."""
    user = request.user
    require_perm(user, Perm.FILE_SUPPORT)
    posted = request.method == "POST"
    source = request.POST if posted else request.GET
    person_id = source.get("person", "")
    if not person_id:
        return _search_page(request)
    person = people.person_for(user, person_id)  # 404 (logged) for someone outside the user's reach
    wards = ward_choices(user)
    home = territory.unit_by_path(person.unit_path)
    if home is not None and home.code not in dict(wards) and may(user, home.path, Perm.FILE_SUPPORT):
        wards.insert(0, (home.code, home.full_name))  # a city's wards are many: the person's comes first
    programmes = selectors.programmes_in_force()
    programme = _programme_of(source.get("programme", "")[:32])
    lookup = CccdLookupForm()
    if programme is None:
        return _filing_page(request, person=person, form=None, lookup=lookup, status=422 if posted else 200)
    initial = {
        "person": person.pk,
        "programme": programme.code,
        "ward": _person_ward(person, wards),
        "token": new_token(),
    }
    form = FilingForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial=initial,
        programme=programme,
        programmes=programmes,
        wards=wards,
        isolation_orders=selectors.isolation_orders_of(user, person)
        if programme.period_kind == Programme.PeriodKind.EPISODE
        else (),
    )
    earlier = None
    status = 422
    if not posted:
        return _filing_page(request, person=person, form=form, lookup=lookup)
    if form.is_valid():
        data = form.cleaned_data
        try:
            application, created = services.file_application(
                by=user,
                ward=territory.unit_by_code(data["ward"]),
                person_id=data["person"],
                programme_code=programme.code,
                facts=form.declared_facts(),
                channel=data["channel"],
                days=data.get("days"),
                amount=data.get("amount") or None,
                isolation_order=data.get("isolation_order"),
                documents=form.documents(),
                idempotency_key=data["token"],
            )
        except DomainError as error:
            reraise_scope(error)
            form.add_domain_error(error)
            earlier = error.params.get("earlier")
            status = error.status
        else:
            if created:
                messages.success(
                    request, _("Application %(reference)s filed.") % {"reference": application.reference}
                )
            else:
                messages.info(request, _("This application was already filed: nothing was filed twice."))
            return redirect("welfare:application", pk=application.pk)
    return _filing_page(request, person=person, form=form, lookup=lookup, earlier=earlier, status=status)


def _search_page(
    request: HttpRequest, lookup: CccdLookupForm | None = None, status: int = 200, **extra: Any
) -> HttpResponse:
    user = request.user
    q = request.GET.get("q", "").strip()[:100]
    rows: list[Any] = []
    if any(ch.isdigit() for ch in q):
        messages.error(request, DIGITS_IN_NAME)
        return redirect("welfare:application_new")
    if q:
        rows = people.search(user, q, limit=30).items
    context = {
        "q": q,
        "rows": rows,
        "searched": bool(q),
        "lookup_form": lookup or CccdLookupForm(),
        "programme": request.GET.get("programme", "")[:32],
        **extra,
    }
    return render(request, "welfare/find_person.html", context, status=status)


@login_required
@require_POST
def application_find(request: HttpRequest) -> HttpResponse:
    """Look up the person by CCCD (POST only), then go on to the programme with their id."""
    user = request.user
    require_perm(user, Perm.FILE_SUPPORT)
    lookup = CccdLookupForm(request.POST)
    if lookup.is_valid():
        try:
            person = people.lookup_by_cccd(user, lookup.cleaned_data["cccd"])
        except InvalidInput as error:
            lookup.add_error("cccd", str(error.detail))
        else:
            if person is not None:
                url = reverse("welfare:application_new")
                query = {"person": str(person.pk)}
                if request.POST.get("programme"):
                    query["programme"] = request.POST["programme"][:32]
                return redirect(f"{url}?{urlencode(query)}")
            lookup = CccdLookupForm()  # the number is not echoed back into the page
            return _search_page(request, lookup, status=404, not_found=NOT_FOUND)
    return _search_page(request, lookup, status=422)


# One application -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One line of an application's history."""

    at: Any
    label: str
    detail: str = ""
    by: str = ""


def _history(application: Application, payment: Payment | None, objections: list[Objection]) -> list[Step]:
    steps = [
        Step(application.filed_at, _("Filed"), application.get_channel_display(), str(application.filed_by))
    ]
    if application.reviewed_at:
        label = (
            _("Rejected by the ward") if application.status == rules.REJECTED else _("Reviewed by the ward")
        )
        steps.append(
            Step(application.reviewed_at, label, application.status_note, str(application.reviewed_by or ""))
        )
    support_list = application.support_list
    if support_list is not None:
        steps.append(
            Step(
                support_list.posted_at,
                _("Posted publicly on list %(number)s") % {"number": support_list.number},
                _("until %(day)s") % {"day": f"{to_local(support_list.posting_ends_at):%H:%M %d/%m/%Y}"},
            )
        )
    for objection in objections:
        steps.append(Step(objection.received_at, _("Objection recorded"), objection.text))
        if objection.resolved_at:
            steps.append(
                Step(objection.resolved_at, objection.get_status_display(), objection.resolution_note)
            )
    if support_list is not None and support_list.submitted_at:
        steps.append(Step(support_list.submitted_at, _("Sent to the district")))
    if support_list is not None and support_list.appraised_at:
        label = (
            _("Returned by the district")
            if application.status == rules.RETURNED
            else _("Appraised by the district")
        )
        note = application.status_note if application.status == rules.RETURNED else ""
        steps.append(Step(support_list.appraised_at, label, note))
    decision = application.decision
    if decision is not None:
        steps.append(
            Step(
                decision.created_at,
                _("Approved in decision %(number)s, line %(line)s")
                % {"number": decision.number, "line": application.line_no},
                _("signed on %(day)s") % {"day": f"{decision.signed_on:%d/%m/%Y}"},
            )
        )
    if payment is not None and payment.paid_at:
        reference = payment.receipt_number or payment.bank_reference
        steps.append(Step(payment.paid_at, _("Paid"), f"{payment.get_method_display()} · {reference}"))
    if application.status == rules.WITHDRAWN:
        steps.append(Step(application.updated_at, _("Withdrawn"), application.status_note))
    if application.status == rules.REVOKED:
        label = _("Revoked from the decision by %(number)s") % {"number": application.amended_by}
        steps.append(Step(application.updated_at, label, application.status_note))
    if application.status == rules.RECONCILED and payment is not None:
        steps.append(Step(payment.updated_at, _("Reconciled")))
    return sorted(steps, key=lambda step: step.at)


def _payment_of(application: Application) -> Payment | None:
    try:
        return application.payment
    except ObjectDoesNotExist:
        return None


def application_page(
    request: HttpRequest, application: Application, status: int = 200, **forms: Any
) -> HttpResponse:
    user = request.user
    files = may(user, application.unit_path, Perm.FILE_SUPPORT)
    payment = _payment_of(application)
    objections = selectors.objections_of(application)
    documents = selectors.documents_of(application)
    programme = application.programme
    kinds = [(str(item["kind"]), label_of(item)) for item in programme.required_documents or []]
    labels = dict(kinds)
    at_ward = application.status in services.EDITABLE
    context = {
        "application": application,
        "programme": programme,
        "person": application.person,
        "masked": rules.masked(
            application.person.full_name,
            application.person.birth_date.year if application.person.birth_date else None,
        ),
        "documents": [(doc, labels.get(doc.kind, doc.kind)) for doc in documents],
        "objections": objections,
        "payment": payment,
        "history": _history(application, payment, objections),
        "facts": application.facts,
        "files": files,
        "can_review": files and application.status == rules.FILED,
        "can_withdraw": files and at_ward,
        "can_attach": files and at_ward,
        "can_object": files and application.status == rules.POSTED,
        "can_pay": payment is None
        and application.status == rules.APPROVED
        and application.decision_id is not None
        and may(user, application.unit_path, Perm.PAY_SUPPORT),
        "can_revoke": payment is None
        and rules.may_move(application.status, rules.REVOKED)
        and may(user, application.unit_path, Perm.APPRAISE_SUPPORT),
        "review_form": forms.get("review_form")
        or ReviewForm(initial={"version": application.version, "decision": "accept"}),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(initial={"version": application.version}),
        "document_form": forms.get("document_form") or DocumentForm(kinds=kinds),
        "objection_form": forms.get("objection_form") or ObjectionForm(),
        "resolve_form": forms.get("resolve_form") or ResolveForm(),
        "resolve_error_for": forms.get("resolve_error_for"),
    }
    return render(request, "welfare/application.html", context, status=status)


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_reader(request.user)
    return application_page(request, selectors.application_for(request.user, pk))


def _application_action(
    request: HttpRequest,
    pk: int,
    form_name: str,
    make_form: Callable[[Application], Any],
    act: Callable[[Any, Application, dict[str, Any]], str],
) -> HttpResponse:
    """One posted action on an application: the form's errors or the service's refusal are shown on the
    application's page next to that form (valid input kept); done, back to the page with `act`'s message."""
    user = request.user
    require_perm(user, Perm.FILE_SUPPORT)
    application = selectors.application_for(user, pk, perm=Perm.FILE_SUPPORT)
    form = make_form(application)
    if not form.is_valid():
        return application_page(request, application, 422, **{form_name: form})
    try:
        message = act(user, application, form.cleaned_data)
    except DomainError as error:
        reraise_scope(error)
        form.add_domain_error(error)
        application.refresh_from_db()
        return application_page(request, application, error.status, **{form_name: form})
    messages.success(request, message)
    return redirect("welfare:application", pk=pk)


@login_required
@require_POST
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    def review(user: Any, application: Application, data: dict[str, Any]) -> str:
        accept = data["decision"] == "accept"
        services.review(
            by=user, application=application, accept=accept, note=data["note"], version=data["version"]
        )
        return _("Accepted for the ward's list.") if accept else _("Application rejected.")

    return _application_action(request, pk, "review_form", lambda _a: ReviewForm(request.POST), review)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    def withdraw(user: Any, application: Application, data: dict[str, Any]) -> str:
        services.withdraw(by=user, application=application, note=data["note"], version=data["version"])
        return _("Application withdrawn.")

    return _application_action(request, pk, "withdraw_form", lambda _a: WithdrawForm(request.POST), withdraw)


@login_required
@require_POST
def application_attach(request: HttpRequest, pk: int) -> HttpResponse:
    def form_for(application: Application) -> DocumentForm:
        required = application.programme.required_documents or []
        kinds = [(str(item["kind"]), label_of(item)) for item in required]
        return DocumentForm(request.POST, request.FILES, kinds=kinds)

    def attach(user: Any, application: Application, data: dict[str, Any]) -> str:
        services.attach_document(by=user, application=application, kind=data["kind"], upload=data["file"])
        return _("Document attached.")

    return _application_action(request, pk, "document_form", form_for, attach)


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    require_reader(request.user)
    document = selectors.document_for(request.user, pk)
    return send_file(document.file, document.name)


@login_required
@require_POST
def objection_new(request: HttpRequest, pk: int) -> HttpResponse:
    def record(user: Any, application: Application, data: dict[str, Any]) -> str:
        listing.record_objection(
            by=user, application=application, text=data["text"], objector=data["objector"]
        )
        return _("Objection recorded: resolve it before the list is sent.")

    return _application_action(request, pk, "objection_form", lambda _a: ObjectionForm(request.POST), record)


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_perm(user, Perm.FILE_SUPPORT)
    objection = selectors.objection_for(user, pk)
    application = objection.application
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            listing.resolve_objection(
                by=user, objection=objection, upheld=form.cleaned_data["outcome"] == "uphold",
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except DomainError as error:
            reraise_scope(error)
            form.add_domain_error(error)
            application.refresh_from_db()
            return application_page(
                request, application, error.status, resolve_form=form, resolve_error_for=objection.pk
            )
        messages.success(request, _("Objection resolved."))
        return redirect("welfare:application", pk=application.pk)
    return application_page(request, application, 422, resolve_form=form, resolve_error_for=objection.pk)


# Food-allowance candidates -------------------------------------------------------------------------


@login_required
@require_GET
def food_candidates(request: HttpRequest) -> HttpResponse:
    """F0/F1 residents of a ward isolated in a period with no food-allowance application yet (S33), from
    the ward's isolation records; each one is a link to file the allowance for them."""
    user = request.user
    require_perm(user, Perm.FILE_SUPPORT)
    wards = ward_choices(user)
    code = request.GET.get("ward", "")[:5] or (wards[0][0] if wards else "")
    ward = territory.unit_by_code(code) if code else None
    if ward is None or ward.level != "ward":
        raise Http404
    require_within(user, Perm.FILE_SUPPORT, path=ward.path, object_type="territory.unit", object_id=ward.code)
    today = local_date(now())
    since = read_local_date(request.GET.get("since", "")) or today.replace(day=1) - timedelta(days=31)
    until = read_local_date(request.GET.get("until", "")) or today
    found = selectors.food_candidates(user, ward, since=since, until=until) if since <= until else []
    context = {
        "ward": ward,
        "wards": wards,
        "since": since,
        "until": until,
        "candidates": found[:CANDIDATE_LIMIT],
        "more": len(found) > CANDIDATE_LIMIT,
    }
    return render(request, "welfare/food_candidates.html", context)
