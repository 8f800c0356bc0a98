"""Person pages: search by name or CCCD, register, read and correct; thin over services and selectors."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm, require_perm
from phaodai.core.clock import local_date, now
from phaodai.core.errors import DomainError
from phaodai.people import selectors, services
from phaodai.people.forms import LookupForm, PersonEditForm, PersonForm
from phaodai.people.rules import priority_groups

DIGITS_IN_NAME = gettext_lazy(
    "Search by name uses letters only. To find a person by citizen ID (CCCD), use the look-up form."
)
NO_CCCD_YET = gettext_lazy("No citizen ID is registered yet: enter it to complete the registration.")
FORM_FIELDS = ("cccd", "full_name", "birth_date", "sex", "phone", "residence_area", "pregnant")


def _show_error(form: Any, error: DomainError) -> None:
    field = error.field if error.field in FORM_FIELDS else None
    form.add_error(field, str(error.detail))


def _details(data: dict[str, Any]) -> dict[str, Any]:
    """The service arguments a person form carries, shared by registration and correction."""
    return {
        "full_name": data["full_name"],
        "birth_date": data["birth_date"],
        "sex": data["sex"],
        "phone": data["phone"],
        "residence_area": selectors.area_by_code(data["residence_area"]),
        "chronic_illness": data["chronic_illness"],
        "disability_immobile": data["disability_immobile"],
        "pregnant": data["pregnant"],
    }


def _groups(person: Any, today: Any) -> list[str]:
    """The person's priority groups, as their page shows them (profile_of, without decrypting the CCCD
    the list left in the database). A provisional contact may have no birth date yet: no groups."""
    if person.birth_date is None:
        return []
    found = priority_groups(
        birth_date=person.birth_date,
        today=today,
        chronic_illness=person.chronic_illness,
        disability_immobile=person.disability_immobile,
        pregnant=person.pregnant,
    )
    return [str(selectors.PRIORITY_LABELS[group]) for group in found]


def _rows(persons: list[Any]) -> list[dict[str, Any]]:
    today = local_date(now())
    return [{"person": p, "groups": _groups(p, today)} for p in persons]


@login_required
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Search by name (GET, no diacritics needed) or look up an exact CCCD (POST only)."""
    require_perm(request.user, Perm.VIEW_PERSON)
    lookup_form = LookupForm(request.POST or None)
    not_found = False
    if request.method == "POST" and lookup_form.is_valid():
        person = selectors.lookup_by_cccd(request.user, lookup_form.cleaned_data["cccd"])
        if person is not None:
            return redirect("people:detail", person_id=person.pk)
        not_found = True
        lookup_form = LookupForm()  # do not echo the number back into the page
    q = request.GET.get("q", "").strip()[:100]
    # A CCCD typed into the name box sits in the URL (and access logs): refuse it, and redirect so
    # that neither the address bar nor this page (base.html echoes the path) keeps the number.
    digits_in_q = any(ch.isdigit() for ch in q)
    if digits_in_q and not getattr(request, "htmx", False):
        messages.error(request, DIGITS_IN_NAME)
        return redirect("people:search")
    page = None
    if q and not digits_in_q:
        page = selectors.search(request.user, q, after=request.GET.get("after") or None)
    context = {
        "q": "" if digits_in_q else q,
        "digits_in_q": digits_in_q,
        "page": page,
        "rows": _rows(page.items) if page else [],
        "lookup_form": lookup_form,
        "not_found": not_found,
        "can_register": has_perm(request.user, Perm.ADD_PERSON),
    }
    if getattr(request, "htmx", False) and request.method == "GET":
        return render(request, "people/_results.html", context)
    return render(request, "people/search.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, Perm.ADD_PERSON)
    form = PersonForm(request.POST or None, areas=selectors.areas_for_registration(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.register_person(by=request.user, cccd=data["cccd"], **_details(data))
        except DomainError as error:
            if error.status == 404:
                raise
            _show_error(form, error)
        else:
            if person.registered_now:
                messages.success(request, _("The person has been registered."))
            else:
                messages.success(request, _("This person was already registered with the same details."))
            return redirect("people:detail", person_id=person.pk)
    return render(request, "people/register.html", {"form": form})


@login_required
def detail(request: HttpRequest, person_id: Any) -> HttpResponse:
    require_perm(request.user, Perm.VIEW_PERSON)
    person = selectors.person_for(request.user, person_id)
    context = {
        "profile": selectors.profile_of(person),
        "can_edit": has_perm(request.user, Perm.CHANGE_PERSON, within=person.unit_path),
    }
    return render(request, "people/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, person_id: Any) -> HttpResponse:
    require_perm(request.user, Perm.VIEW_PERSON)
    person = selectors.person_for(request.user, person_id)
    require_perm(request.user, Perm.CHANGE_PERSON, within=person.unit_path)
    areas = selectors.areas_for_registration(request.user, perm=Perm.CHANGE_PERSON)
    initial = {
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "phone": person.phone,
        "residence_area": person.residence_area.code,
        "chronic_illness": person.chronic_illness,
        "disability_immobile": person.disability_immobile,
        "pregnant": person.pregnant,
        "version": person.updated_at.isoformat(),
    }
    form = PersonEditForm(request.POST or None, initial=initial, areas=areas)
    cccd_masked = selectors.profile_of(person).cccd_masked
    if not cccd_masked:
        # A provisional contact named by name and phone: completing the registration needs the CCCD.
        form.fields["cccd"].required = True
        form.fields["cccd"].help_text = NO_CCCD_YET
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = data["residence_area"] != person.residence_area.code
            services.update_person(
                by=request.user,
                person=person,
                cccd=data["cccd"] or None,
                household=None if moved else person.household,
                expected_version=data["version"],
                **_details(data),
            )
        except DomainError as error:
            if error.status == 404:
                raise
            _show_error(form, error)
        else:
            messages.success(request, _("The corrections have been saved."))
            return redirect("people:detail", person_id=person.pk)
    context = {"form": form, "person": person, "cccd_masked": cccd_masked}
    return render(request, "people/edit.html", context)
