"""Pages of cases (F0): the tracing home (the day's cases of my area), a new case, a case with its
outcome and contacts. Thin over cases.services and cases.selectors; never a CCCD in a URL."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm, require_perm
from phaodai.cases import pages_support, selectors, services
from phaodai.cases.errors import CaseChanged, DuplicateCase
from phaodai.cases.forms_tracing import DATETIME_FORMAT, CaseForm, HomeFilterForm, OutcomeForm, new_token
from phaodai.cases.models import Case
from phaodai.cases.views_contacts import ContactsForm, blank_contacts_form, post_contacts
from phaodai.core.clock import local_date, now, to_local
from phaodai.core.errors import DomainError, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import covers, log_out_of_scope
from phaodai.people import selectors as people

# Home -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Today's (or a chosen day's) new cases of my area by where they were found, unknown sources
    flagged, F1/F2 now traced, and the active clusters; filters by day and ward."""
    user = request.user
    selectors.require_tracer(user)
    wards = pages_support.tracer_wards(user)
    form = HomeFilterForm(request.GET or None, wards=wards)
    day, ward = local_date(now()), None
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["day"] or day
        ward = form.chosen_ward()
    cases = pages_support.case_rows(pages_support.day_cases(user, day, ward))
    page = pages_support.newest_first(
        cases, "confirmed_at", pages_support.cursor(request.GET.get("after")), pages_support.CASES_PER_PAGE
    )
    filters = {"day": f"{day:%d/%m/%Y}", **({"ward": ward.code} if ward else {})}
    context = {
        "form": form,
        "day": day,
        "ward": ward,
        "summary": pages_support.day_summary(user, day, ward),
        "page": page,
        "next_query": urlencode({**filters, "after": page.next_after}) if page.next_after else "",
        "clusters": pages_support.home_clusters(user, ward),
        "clusters_query": urlencode(filters),
        "can_record": has_perm(user, Perm.TRACE),
    }
    return render(request, "cases/home.html", context)


# New case ---------------------------------------------------------------------------------------------

NOT_REGISTERED_HERE = gettext_lazy(
    "No person in your area is registered with this CCCD. Register them first; or, if they live elsewhere"
    " and the case was found in one of your wards, choose that ward below."
)


def _found_person(user: Any, raw_cccd: str) -> dict[str, Any]:
    """The "find" step: who the typed CCCD belongs to (name and ward, to check before recording).

    Only someone the officer may trace is shown; anyone else answers exactly as a CCCD nobody holds,
    so the page is no directory of who lives where (the attempt is logged)."""
    try:
        person = people.person_for_tracing(raw_cccd)
    except DomainError as error:
        return {"error": str(error.detail)}
    if person is None:
        return {"missing": True}
    if not selectors.may_trace(user, person):
        log_out_of_scope(user, "people.person", person.pk, person.unit_path)
        return {"missing": True}
    profile = people.profile_of(person)
    return {"person": person, "cccd_masked": profile.cccd_masked}


def _idempotency_key(user: Any, token: str) -> str | None:
    return f"web:{user.pk}:{token}" if token else None


def _record(request: HttpRequest, form: CaseForm) -> tuple[Case | None, dict[str, Any], int]:
    """Record the case of a valid form: (case, extra context, status); errors land beside fields."""
    user, data = request.user, form.cleaned_data
    try:  # the case's own facts first: a refusal must not depend on whose CCCD it is
        services.check_case_facts(
            confirmed_at=data["confirmed_at"],
            detected_in=data["detected_in"],
            severity=data["severity"],
            care=data["care"],
            test_ref=data["test_ref"],
            manual_reason=data["manual_reason"],
            source_note=data["source_note"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        return None, {}, error.status
    person = people.person_for_tracing(data["cccd"])
    detected_unit = form.chosen_ward()  # one of the officer's wards (the form offers no other)
    if person is not None and detected_unit is None and not selectors.may_trace(user, person):
        # Living elsewhere, and not said to be found here: answer as for a CCCD nobody holds, so that
        # the page does not tell "registered elsewhere" from "not registered" (the attempt is logged).
        log_out_of_scope(user, "people.person", person.pk, person.unit_path)
        person = None
    if person is None:
        form.add_error("cccd", NOT_REGISTERED_HERE)
        return None, {"not_registered": True}, 422
    try:
        case, created = services.record_case(
            by=user,
            person=person,
            confirmed_at=data["confirmed_at"],
            detected_in=data["detected_in"],
            source_known=data["source_known"],
            detected_unit=detected_unit,
            test_ref=data["test_ref"],
            manual_reason=data["manual_reason"],
            source_note=data["source_note"],
            severity=data["severity"],
            care=data["care"],
            idempotency_key=_idempotency_key(user, data["token"]),
        )
    except DuplicateCase as error:
        form.add_domain_error(error)
        visible = (
            error.existing is not None and selectors.cases_visible_to(user).filter(pk=error.existing).exists()
        )
        return None, {"duplicate_of": error.existing if visible else None}, error.status
    except OutOfScope:
        # The officer typed the CCCD of someone living elsewhere without saying where it was found.
        form.add_error(
            "detected_unit",
            _("This person lives outside your area: choose the ward of yours where the case was found."),
        )
        return None, {}, 422
    except NotPermitted:
        raise
    except DomainError as error:
        form.add_domain_error(error)
        return None, {}, error.status
    if created:
        messages.success(
            request, _("Case #%(pk)s recorded; its contacts' levels are updated.") % {"pk": case.pk}
        )
    else:
        messages.info(request, _("This case was already recorded (case #%(pk)s).") % {"pk": case.pk})
    return case, {}, 302


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """Record a new F0: the person is found by the CCCD typed here (POST only)."""
    user = request.user
    require_perm(user, Perm.TRACE)
    wards = pages_support.tracer_wards(user)
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "GET":
        initial = {"token": new_token(), "confirmed_at": to_local(now()).strftime(DATETIME_FORMAT)}
        # Coming from a positive result to confirm: its sample code (not personal data) is filled in.
        initial["test_ref"] = request.GET.get("test_ref", "")[:64]
        form = CaseForm(initial=initial, wards=wards)
    elif "find" in request.POST:
        # Only look the person up: show the form again as typed, unchecked.
        form = CaseForm(initial=request.POST.dict(), wards=wards)
        extra["found"] = _found_person(user, request.POST.get("cccd", ""))
    else:
        form = CaseForm(request.POST, wards=wards)
        status = 422
        if form.is_valid():
            case, extra, status = _record(request, form)
            if case is not None:
                return redirect("cases:case_detail", pk=case.pk)
    context = {"form": form, "can_register": has_perm(user, Perm.ADD_PERSON), **extra}
    return render(request, "cases/case_new.html", context, status=status)


# A case -----------------------------------------------------------------------------------------------


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    outcome_form: OutcomeForm | None = None,
    contacts_form: ContactsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user, person = request.user, case.person
    may_close = case.outcome == Case.Outcome.ACTIVE and covers(user, case.path, Perm.TRACE)
    if outcome_form is None and may_close:
        initial = {"version": case.version, "at": to_local(now()).strftime(DATETIME_FORMAT)}
        outcome_form = OutcomeForm(initial=initial)
    contacts, cut = pages_support.contact_rows(user, person)
    context = {
        **pages_support.person_facts(user, person),
        "case": case,
        "may_close": may_close,
        "outcome_form": outcome_form,
        "contacts": contacts,
        "contacts_cut": cut,
        "contacts_form": contacts_form or blank_contacts_form(user, person),
        "contacts_action": "cases:case_contacts",
        "contacts_target": case.pk,
    }
    return render(request, "cases/case_detail.html", context, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_tracer(request.user)
    return _case_page(request, selectors.case_for(request.user, pk))


@login_required
@require_POST
def case_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """Recovered or died, compare-and-set on the version the officer saw."""
    user = request.user
    selectors.require_tracer(user)
    case = selectors.case_for(user, pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, outcome_form=form, status=422)
    data = form.cleaned_data
    try:
        services.record_outcome(
            by=user, case=case, outcome=data["outcome"], at=data["at"], version=data["version"]
        )
    except CaseChanged as error:
        messages.error(request, str(error.detail))
        return _case_page(request, selectors.case_for(user, pk), status=error.status)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return _case_page(request, case, outcome_form=form, status=error.status)
    messages.success(request, _("The outcome has been recorded."))
    return redirect("cases:case_detail", pk=case.pk)


@login_required
@require_POST
def case_contacts(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the case's contacts (several rows at once); all or nothing."""
    user = request.user
    selectors.require_tracer(user)
    case = selectors.case_for(user, pk)
    form, status = post_contacts(request, case.person)
    if status == 302:
        return redirect("cases:case_detail", pk=case.pk)
    return _case_page(request, case, contacts_form=form, status=status)
