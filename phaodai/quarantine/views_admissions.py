"""Pages that admit, discharge and transfer people; the CCCD is typed in a POST form, never in a URL."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.errors import DomainError
from phaodai.people import selectors as people
from phaodai.quarantine import selectors, services
from phaodai.quarantine.errors import UnknownPerson
from phaodai.quarantine.forms import AdmitForm, DischargeForm, TransferForm
from phaodai.quarantine.models import Admission


def _admitter(request: HttpRequest) -> Any:
    require_perm(request.user, Perm.ADMIT)
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def admit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admitter(request)
    facility = selectors.facility_for(user, pk)
    services.require_reach(user, facility)
    posted = request.method == "POST"
    form = AdmitForm(request.POST if posted else None)
    status = 422 if posted else 200
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            person = people.lookup_by_cccd(user, data["cccd"])
            if person is None:
                raise UnknownPerson(field="cccd")
            stay, created = services.admit(
                by=user,
                facility=facility,
                person=person,
                room_kind=data["room_kind"] or None,
                admitted_at=data["admitted_at"],
                planned_release=data["planned_release"],
                order_ref=data["order_ref"],
                idempotency_key=data["token"] or None,
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            form.add_domain_error(error)
            status = error.status
        else:
            label = selectors.person_label(stay)
            if created:
                messages.success(request, _("%(person)s admitted.") % {"person": label})
            else:
                messages.info(
                    request, _("%(person)s was already admitted; nothing changed.") % {"person": label}
                )
            return redirect("quarantine:facility", pk=facility.pk)
    context = {"facility": facility, "occupancy": selectors.occupancy(facility), "form": form}
    return render(request, "quarantine/admit.html", context, status=status)


def admission_page(
    request: HttpRequest,
    stay: Admission,
    *,
    discharge_form: DischargeForm | None = None,
    transfer_form: TransferForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    acts = stay.is_open and selectors.reaches(user, stay.facility)
    choices = selectors.admitting_facilities(user) if acts else []
    context = {
        "stay": stay,
        "person": selectors.person_label(stay),
        "acts": acts,
        "discharge_form": discharge_form or DischargeForm(),
        "transfer_form": transfer_form or TransferForm(facilities=choices),
    }
    return render(request, "quarantine/admission.html", context, status=status)


@login_required
@require_GET
def admission(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admitter(request)
    return admission_page(request, selectors.admission_for(user, pk))


@login_required
@require_POST
def discharge(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admitter(request)
    stay = selectors.admission_for(user, pk)
    form = DischargeForm(request.POST)
    if not form.is_valid():
        return admission_page(request, stay, discharge_form=form, status=422)
    try:
        services.discharge(
            by=user,
            admission=stay,
            discharged_at=form.cleaned_data["discharged_at"],
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        return admission_page(
            request, selectors.admission_for(user, pk), discharge_form=form, status=error.status
        )
    messages.success(request, _("%(person)s discharged.") % {"person": selectors.person_label(stay)})
    return redirect("quarantine:facility", pk=stay.facility_id)


@login_required
@require_POST
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admitter(request)
    stay = selectors.admission_for(user, pk)
    choices = selectors.admitting_facilities(user)
    form = TransferForm(request.POST, facilities=choices)
    if not form.is_valid():
        return admission_page(request, stay, transfer_form=form, status=422)
    data = form.cleaned_data
    try:
        moved = services.transfer(
            by=user,
            admission=stay,
            to_facility=selectors.facility_for(user, data["facility"]) if data["facility"] else stay.facility,
            room_kind=data["room_kind"] or None,
            at=data["at"],
            note=data["note"],
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.add_domain_error(error)
        fresh = selectors.admission_for(user, pk)
        return admission_page(request, fresh, transfer_form=form, status=error.status)
    messages.success(
        request,
        _("%(person)s transferred to %(facility)s.")
        % {"person": selectors.person_label(moved), "facility": moved.facility.name},
    )
    return redirect("quarantine:facility", pk=moved.facility_id)
