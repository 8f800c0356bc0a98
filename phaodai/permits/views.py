"""Pages of the permits desk: the decision queue, organisations, their staff lists, residents' applications.

Officers with ISSUE_PERMITS act within their units; a business representative registers and fills in
the lists of their own business's organisation. Everyone else gets 403, an object out of reach 404.
"""

from dataclasses import asdict, fields
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.core.clock import now
from phaodai.core.errors import DomainError, NotPermitted
from phaodai.permits import organisation_changes, selectors, services, staff_import
from phaodai.permits.forms import (
    ApplicationForm,
    DecisionForm,
    EntryForm,
    OrganisationChangeForm,
    OrganisationForm,
    UploadForm,
)
from phaodai.permits.models import Entry, Organisation
from phaodai.territory import selectors as territory


def require_reader(user: Any) -> None:
    if not selectors.is_reader(user):
        raise NotPermitted()


def require_officer(user: Any) -> None:
    if not selectors.is_officer(user):
        raise NotPermitted()


def _refusal(form: Any, error: DomainError) -> None:
    if error.status in (403, 404):
        raise error
    form.add_domain_error(error)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The desk: entries awaiting a decision, registrations to confirm, residents' applications."""
    user = request.user
    require_reader(user)
    officer = selectors.is_officer(user)
    context = {
        "officer": officer,
        "awaiting": selectors.entries_awaiting(user) if officer else [],
        "to_confirm": selectors.search_organisations(user, status=Organisation.Status.PENDING)
        if officer
        else [],
        "applications": selectors.recent_applications(user) if officer else [],
        "groups": selectors.groups(),
    }
    return render(request, "permits/home.html", context)


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_reader(user)
    query = request.GET.get("q", "")[:100]
    status = request.GET.get("status", "")[:10]
    context = {
        "rows": selectors.search_organisations(user, query, status),
        "q": query,
        "status": status,
        "statuses": Organisation.Status.choices,
    }
    if getattr(request, "htmx", False):
        return render(request, "permits/_organisation_rows.html", context)
    return render(request, "permits/organisations.html", context)


def _organisation_form(request: HttpRequest) -> OrganisationForm:
    user = request.user
    wards = [(w.code, f"{w.full_name} ({w.code})") for w in selectors.wards_of(user)]
    businesses = [
        (str(b.pk), f"{b.name} ({b.tax_code})") for b in services.business_selectors.represented_by(user)
    ]
    for business in services.business_selectors.represented_by(user):
        choice = (business.unit.code, f"{business.unit.full_name} ({business.unit.code})")
        if choice not in wards:
            wards.append(choice)
    return OrganisationForm(
        request.POST if request.method == "POST" else None, wards=wards, businesses=businesses
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    """Register an organisation: an officer enters it (confirmed), a representative submits it."""
    user = request.user
    require_reader(user)
    form = _organisation_form(request)
    posted = request.method == "POST"
    if posted and form.is_valid():
        data = form.cleaned_data
        business = None
        if data.get("business"):
            business = next(
                (
                    b
                    for b in services.business_selectors.represented_by(user)
                    if str(b.pk) == data["business"]
                ),
                None,
            )
        try:
            org, created = services.register_organisation(
                by=user,
                ward=territory.unit_by_code(data["ward"]),
                business=business,
                details=services.OrganisationDetails(
                    name=data["name"],
                    address=data["address"],
                    contact_name=data["contact_name"],
                    tax_code=data["tax_code"],
                    governing_body=data["governing_body"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                ),
            )
        except DomainError as error:
            _refusal(form, error)
        else:
            text = (
                _("Organisation registered.") if created else _("This organisation was registered already.")
            )
            messages.success(request, text)
            return redirect("permits:organisation", pk=org.pk)
    return render(request, "permits/organisation_form.html", {"form": form}, status=422 if posted else 200)


@login_required
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation, its staff list with each entry's status and permit."""
    user = request.user
    require_reader(user)
    org = selectors.organisation_for(user, pk)
    status = request.GET.get("status", "")[:10]
    entries = selectors.entries_of(org, status)
    context = {
        "org": org,
        "entries": entries,
        "status": status,
        "statuses": Entry.Status.choices,
        "officer": selectors.may_issue_at(user, org.path),
        "may_submit": services.may_submit(user, org) and org.status == Organisation.Status.CONFIRMED,
        "may_change": services.may_submit(user, org),
        "printable": any(getattr(e, "active_permit", None) for e in entries),
    }
    return render(request, "permits/organisation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an organisation's name, address or contacts (its officers or its representatives)."""
    user = request.user
    require_reader(user)
    org = selectors.organisation_for(user, pk)
    if not services.may_submit(user, org):
        raise NotPermitted()
    linked = org.business_id is not None
    posted = request.method == "POST"
    status = 422 if posted else 200
    if posted:
        form = OrganisationChangeForm(
            request.POST, business_linked=linked, initial={"tax_code": org.tax_code}
        )
    else:
        initial = {**asdict(organisation_changes.details_of(org)), "seen": org.updated_at.isoformat()}
        form = OrganisationChangeForm(initial=initial, business_linked=linked)
    if posted and form.is_valid():
        data = form.cleaned_data
        details = services.OrganisationDetails(
            **{field.name: data[field.name] or "" for field in fields(services.OrganisationDetails)}
        )
        try:
            organisation_changes.change_organisation(
                by=user, organisation=org, details=details, seen=data["seen"]
            )
        except DomainError as error:
            _refusal(form, error)
            status = error.status
        else:
            messages.success(request, _("Organisation changed."))
            return redirect("permits:organisation", pk=org.pk)
    return render(request, "permits/organisation_edit.html", {"form": form, "org": org}, status=status)


@login_required
@require_POST
def organisation_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_officer(user)
    org = selectors.organisation_for(user, pk)
    services.confirm_organisation(by=user, organisation=org)
    messages.success(request, _("Registration confirmed; the organisation may now send its staff list."))
    return redirect("permits:organisation", pk=org.pk)


@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add one person to the staff list."""
    user = request.user
    require_reader(user)
    org = selectors.organisation_for(user, pk)
    services.require_submitter(user, org)
    posted = request.method == "POST"
    form = EntryForm(request.POST if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            submitted = services.submit_entry(by=user, organisation=org, row=services.StaffRow(**data))
        except DomainError as error:
            _refusal(form, error)
        else:
            if submitted.created:
                messages.success(
                    request, _("%(name)s added to the list.") % {"name": submitted.entry.full_name}
                )
            else:
                messages.info(
                    request, _("%(name)s was on the list already.") % {"name": submitted.entry.full_name}
                )
            if "another" in request.POST:
                return redirect("permits:entry_create", pk=org.pk)
            return redirect("permits:organisation", pk=org.pk)
    return render(
        request, "permits/entry_form.html", {"form": form, "org": org}, status=422 if posted else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def entries_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the staff list as CSV: good rows are kept, each bad row is listed with its reason."""
    user = request.user
    require_reader(user)
    org = selectors.organisation_for(user, pk)
    services.require_submitter(user, org)
    if request.GET.get("template"):
        response = HttpResponse(staff_import.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="danh-sach-giay-di-duong.csv"'
        return response
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
    report = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(staff_import.MAX_BYTES + 1)
        report = staff_import.import_staff_list(by=user, organisation=org, data=data)
    status = 200 if not posted else (422 if (report is None or report.file_error) else 200)
    context = {"form": form, "org": org, "report": report, "columns": staff_import.COLUMNS}
    return render(request, "permits/upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest) -> HttpResponse:
    """A ward officer files a group-5 resident's application (looked up by CCCD in the registry)."""
    user = request.user
    require_officer(user)
    posted = request.method == "POST"
    form = ApplicationForm(request.POST if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.resident_by_cccd(by=user, cccd=data["cccd"])
            submitted = services.file_application(
                by=user,
                person=person,
                application=services.Application(
                    purpose=data["purpose"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                    supporting_paper=data["supporting_paper"],
                    zones=data["zones"],
                    route=data["route"],
                ),
            )
        except DomainError as error:
            _refusal(form, error)
        else:
            messages.success(
                request,
                _("Application filed.") if submitted.created else _("This application was filed already."),
            )
            return redirect("permits:entry", pk=submitted.entry.pk)
    return render(request, "permits/application_form.html", {"form": form}, status=422 if posted else 200)


def _entry_context(user: Any, entry: Entry, form: DecisionForm | None = None) -> dict[str, Any]:
    permits = selectors.permits_of_entry(entry)
    return {
        "entry": entry,
        "group": selectors.group_of(entry),
        "permits": permits,
        "active_permit": next((p for p in permits if p.status == "active"), None),
        "officer": selectors.may_issue_at(user, entry.path),
        "form": form or DecisionForm(initial={"version": entry.version}),
        "now": now(),
    }


@login_required
@require_GET
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_reader(user)
    entry = selectors.entry_for(user, pk)
    return render(request, "permits/entry.html", _entry_context(user, entry))


@login_required
@require_POST
def entry_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve (and issue) or reject; with htmx only the decision panel is swapped."""
    user = request.user
    require_officer(user)
    entry = selectors.entry_for(user, pk)
    form = DecisionForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decide_entry(
                by=user,
                entry=entry,
                approve=data["decision"] == "approve",
                reason=data["reason"],
                version=data["version"],
            )
        except DomainError as error:
            _refusal(form, error)
            status = error.status
        else:
            entry = decision.entry
            if decision.issue_error is not None:
                messages.warning(
                    request, _("Approved, but not issued: %(why)s") % {"why": decision.issue_error.detail}
                )
            elif decision.permit is not None:
                messages.success(
                    request, _("Approved; permit %(id)s issued.") % {"id": decision.permit.pass_id}
                )
            else:
                messages.success(request, _("Rejected."))
            if not getattr(request, "htmx", False):
                return redirect("permits:entry", pk=entry.pk)
    else:
        status = 422
    context = _entry_context(user, selectors.entry_for(user, pk), form if status != 200 else None)
    template = "permits/_decision.html" if getattr(request, "htmx", False) else "permits/entry.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def entry_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue (again, after a revocation) the permit of an approved entry."""
    user = request.user
    require_officer(user)
    entry = selectors.entry_for(user, pk)
    permit = services.issue_permit(by=user, entry=entry)
    messages.success(request, _("Permit %(id)s issued.") % {"id": permit.pass_id})
    return redirect("permits:permit", pk=permit.pk)
