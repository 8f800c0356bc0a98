"""Pages of isolation orders: the list by status, the order form, an order with its schedule, and its
transitions (monitoring, release, cancel). Thin over isolation.py; refusals show beside their field.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm
from phaodai.cases import isolation
from phaodai.cases import isolation_selectors as selectors
from phaodai.cases.forms_isolation import (
    CancelForm,
    FollowUpForm,
    MonitoringForm,
    OrderForm,
    OrdersFilterForm,
    ReleaseForm,
)
from phaodai.cases.isolation_errors import FacilityNeedsAdmitter, OpenOrderExists, UnknownPerson
from phaodai.cases.models import IsolationOrder, IsolationRule
from phaodai.cases.pages_support import parse_id
from phaodai.cases.selectors import case_for, isolation_rule_for
from phaodai.core.clock import local_date, now
from phaodai.core.errors import DomainError, InvalidInput
from phaodai.quarantine import selectors as quarantine
from phaodai.territory import selectors as territory

Status = IsolationOrder.Status
ORDER_PAGE = "cases/isolation/order.html"
ADMITTING = ("ready", "active", "full")  # quarantine's readiness of facilities that take people


def _isolator(request: HttpRequest) -> Any:
    selectors.require_isolator(request.user)
    return request.user


def _refused_in_form(error: DomainError) -> bool:
    """Refusals shown beside a field; 403/404 answer as such (a facility order by a non-admitter aside)."""
    return error.status not in (403, 404) or isinstance(error, FacilityNeedsAdmitter)


# The list --------------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Orders by status, latest first, with today's counts per kind of isolation."""
    user = _isolator(request)
    form = OrdersFilterForm(request.GET)
    status, after = (Status.ACTIVE.value, None)
    if form.is_valid():
        status = form.cleaned_data["status"] or Status.ACTIVE
        after = form.cleaned_data["after"]
    page = selectors.orders_page(user, status, after)
    context = {
        "page": page,
        "status": status,
        "statuses": Status.choices,
        "counts": selectors.isolation_counts_for(user, local_date(now())),
    }
    return render(request, "cases/isolation/home.html", context)


# Ordering --------------------------------------------------------------------------------------------


def _picked(user: Any, source: QueryDict) -> tuple[Any, Any]:
    """The person (and case) picked on a case or tracing page, if any; 404 outside the user's reach."""
    case_id, person_id = source.get("case") or "", source.get("person") or ""
    if case_id:
        pk = parse_id(case_id)  # ASCII digits only: "²" passes str.isdigit() but not int()
        if pk is None:
            raise Http404
        case = case_for(user, pk)
        return case.person, case
    if person_id:
        return selectors.person_to_isolate(user, person_id), None
    return None, None


def _suggested(person: Any, case: Any) -> dict[str, Any]:
    """The subject by the person's derived level, and the setting the rule in force names for it."""
    if person is None:
        return {}
    subject = IsolationRule.Subject.F0.value if case is not None else selectors.traced_subject(person)
    rule = isolation_rule_for(subject, local_date(now()))
    return {"subject": subject, "setting": rule.setting if rule else IsolationOrder.Setting.HOME}


def _rules_in_force() -> list[IsolationRule]:
    today = local_date(now())
    found = (isolation_rule_for(subject, today) for subject in IsolationRule.Subject.values)
    return [rule for rule in found if rule is not None]


def _facilities(user: Any) -> list[Any]:
    """Facilities the officer admits to that take people (full ones too: the refusal names free beds)."""
    if not has_perm(user, Perm.ADMIT):
        return []
    found = quarantine.search_facilities(user)
    return [f for f in found if f.readiness in ADMITTING and quarantine.reaches(user, f)]


def _area(code: str) -> Any:
    if not code:
        return None
    area = territory.area_by_code(code.strip())
    if area is None:
        raise InvalidInput(_("There is no residential area with this code."), field="area")
    return area


@login_required
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest) -> HttpResponse:
    """Order isolation for a person picked on a case or tracing page, or typed by CCCD."""
    user = _isolator(request)
    posted = request.method == "POST"
    person, case = _picked(user, request.POST if posted else request.GET)
    facilities = _facilities(user)
    initial = {
        "person": person.pk if person else None,
        "case": case.pk if case else None,
        **_suggested(person, case),
    }
    form = OrderForm(
        request.POST if posted else None,
        initial=initial,
        facilities=facilities,
        person_known=person is not None,
    )
    status, existing = (422 if posted else 200), None
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            target = person or selectors.person_by_cccd(user, data["cccd"])
            if target is None:
                raise UnknownPerson(field="cccd")
            order, created = isolation.order_isolation(
                by=user,
                person=target,
                subject=data["subject"],
                setting=data["setting"],
                starts_at=data["starts_at"],
                case=case,
                facility=selectors.facility_to_admit(user, data["facility"]) if data["facility"] else None,
                area=_area(data["area"]),
                room_kind=data["room_kind"] or None,
                idempotency_key=data["token"] or None,
            )
        except DomainError as error:
            if not _refused_in_form(error):
                raise
            form.add_domain_error(error)
            status = error.status
            existing = error.existing if isinstance(error, OpenOrderExists) else None
        else:
            if created:
                messages.success(request, _("Isolation order #%(pk)s issued.") % {"pk": order.pk})
            else:
                messages.info(request, _("This order was already issued; nothing changed."))
            return redirect("cases:isolation_order", pk=order.pk)
    context = {
        "form": form,
        "person": person,
        "case": case,
        "existing": existing,
        "rules": _rules_in_force(),
    }
    return render(request, "cases/isolation/order_new.html", context, status=status)


# An order --------------------------------------------------------------------------------------------


def order_page(
    request: HttpRequest, order: IsolationOrder, *, status: int = 200, **forms: Any
) -> HttpResponse:
    """The order, its schedule and checks; its actions for officers who may act on it."""
    user = request.user
    acts = order.status in selectors.OPEN and selectors.may_act_on(user, order)
    today = local_date(now())
    version = {"version": order.version}
    context = {
        "order": order,
        "tests_due": selectors.tests_due(order),
        "follow_ups": selectors.follow_ups_of(order),
        "acts": acts,
        "may_monitor": acts and order.status == Status.ACTIVE and order.rule.monitoring_days > 0,
        "today": today,
        "admitter": has_perm(user, Perm.ADMIT),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(initial={"day": today}),
        "monitoring_form": forms.get("monitoring_form") or MonitoringForm(initial=version),
        "release_form": forms.get("release_form") or ReleaseForm(initial=version),
        "cancel_form": forms.get("cancel_form") or CancelForm(initial=version, auto_id="id_cancel_%s"),
        # Once the order is closed its forms are gone: their refusals show above the order instead.
        "refusals": [] if acts else _refusals(forms.values()),
    }
    return render(request, ORDER_PAGE, context, status=status)


def _refusals(forms: Any) -> list[str]:
    return [
        str(message)
        for form in forms
        if form is not None
        for errors in form.errors.values()
        for message in errors
    ]


@login_required
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return order_page(request, selectors.order_for(_isolator(request), pk))


def _act(request: HttpRequest, pk: int, form: Any, form_name: str, act: Any, done: str) -> HttpResponse:
    """Run one transition from its form; a refusal shows beside its field (or above), with the order as
    it now is."""
    user = _isolator(request)
    order = selectors.order_for(user, pk)
    if not form.is_valid():
        return order_page(request, order, status=422, **{form_name: form})
    try:
        act(user, order, form.cleaned_data)
    except DomainError as error:
        if not _refused_in_form(error):
            raise
        form.add_domain_error(error)
        fresh = selectors.order_for(user, pk)
        return order_page(request, fresh, status=error.status, **{form_name: form})
    messages.success(request, done)
    return redirect("cases:isolation_order", pk=pk)


@login_required
@require_POST
def order_monitoring(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        MonitoringForm(request.POST),
        "monitoring_form",
        lambda user, order, data: isolation.move_to_monitoring(by=user, order=order, version=data["version"]),
        _("The isolation is over: the person is now monitored at home."),
    )


@login_required
@require_POST
def order_release(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReleaseForm(request.POST),
        "release_form",
        lambda user, order, data: isolation.release(by=user, order=order, **data),
        _("The person was released."),
    )


@login_required
@require_POST
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        CancelForm(request.POST, auto_id="id_cancel_%s"),
        "cancel_form",
        lambda user, order, data: isolation.cancel(by=user, order=order, **data),
        _("The order was cancelled."),
    )
