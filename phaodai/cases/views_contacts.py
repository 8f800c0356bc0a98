"""The "add contacts" form (several rows at once) shared by the case page and a person's tracing page,
and the person's tracing page itself (contacts of contacts are added there).

A row names a registered person by CCCD, or someone not registered yet (CCCD, or name and phone) with
the residential area they live in; the service takes the whole list or nothing, and every problem is
shown beside its row. "Find areas" and "More rows" only redraw the form: they save nothing.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from phaodai.cases import pages_support, selectors, services
from phaodai.cases.errors import InvalidContacts
from phaodai.cases.forms_tracing import MORE_ROWS, BaseContactRows, contact_rows, posted_rows
from phaodai.core.errors import DomainError
from phaodai.people import selectors as people

AREA_QUERY = "area_q"


@dataclass
class ContactsForm:
    """What the "add contacts" template needs: the rows, the area choices, the search, a refusal."""

    rows: BaseContactRows
    areas: pages_support.AreaChoices
    query: str = ""
    searched: bool = False
    problem: str = ""


def _group_labels() -> dict[str, str]:
    return {
        "found": _("Areas found"),
        "source": _("Areas of this person's ward"),
        "mine": _("Areas of my wards"),
    }


def blank_contacts_form(user: Any, source: Any) -> ContactsForm:
    areas = pages_support.area_choices(user, source, labels=_group_labels())
    return ContactsForm(contact_rows(areas=areas.choices), areas)


def _inputs(rows: BaseContactRows, areas: pages_support.AreaChoices) -> tuple[list[Any], list[int]]:
    """The service's inputs for the filled rows, and the page position of each."""
    inputs, positions = [], []
    for index, form in rows.filled():
        data = form.cleaned_data
        person = people.person_for_tracing(data["cccd"]) if data["cccd"] else None
        inputs.append(
            services.ContactInput(
                exposed_on=data["exposed_on"],
                setting=data["setting"],
                person=person,
                cccd="" if person is not None else data["cccd"],
                full_name=data["full_name"],
                phone=data["phone"],
                residence_area=areas.areas.get(data["residence_area"]),
                note=data["note"],
            )
        )
        positions.append(index)
    return inputs, positions


def post_contacts(request: HttpRequest, source: Any) -> tuple[ContactsForm, int]:
    """Handle a posted "add contacts" form for `source`: 302 when saved (message set), else the form
    to show again with its status (200 for a redraw, 422 with the problems beside their rows)."""
    user, posted = request.user, request.POST
    query = (posted.get(AREA_QUERY) or "").strip()[:100]
    typed, total = posted_rows(posted)
    chosen = [row.get("residence_area", "") for row in typed]
    areas = pages_support.area_choices(user, source, query=query, chosen=chosen, labels=_group_labels())
    if "find_areas" in posted or "more_rows" in posted:
        blank = total - len(typed) + (MORE_ROWS if "more_rows" in posted else 0)
        rows = contact_rows(areas=areas.choices, initial=typed, blank=blank)
        return ContactsForm(rows, areas, query, searched="find_areas" in posted), 200
    rows = contact_rows(posted, areas=areas.choices)
    form = ContactsForm(rows, areas, query)
    if not rows.is_valid():
        return form, 422
    inputs, positions = _inputs(rows, areas)
    try:
        result = services.add_contacts(by=user, source=source, contacts=inputs)
    except InvalidContacts as error:
        for problem in error.problems:
            row = rows.forms[positions[problem.index]]
            row.add_error(problem.field if problem.field in row.fields else None, problem.message)
        return form, 422
    except DomainError as error:
        if error.status in (403, 404):
            raise
        form.problem = str(error.detail)
        return form, error.status
    messages.success(
        request,
        _("Contacts saved: %(added)s new, %(known)s already known, %(registered)s newly registered.")
        % {"added": result.added, "known": result.already_known, "registered": result.registered},
    )
    return form, 302


# The person's tracing page ----------------------------------------------------------------------------


def _person_page(
    request: HttpRequest, person: Any, contacts_form: ContactsForm, status: int = 200
) -> HttpResponse:
    contacts, cut = pages_support.contact_rows(request.user, person)
    context = {
        **pages_support.person_facts(request.user, person),
        "contacts": contacts,
        "contacts_cut": cut,
        "contacts_form": contacts_form,
        "contacts_action": "cases:person_contacts",
        "contacts_target": person.pk,
    }
    return render(request, "cases/person.html", context, status=status)


@login_required
@require_GET
def person(request: HttpRequest, person_id: Any) -> HttpResponse:
    """A traced person: F-level, via whom, root case, contacts; their own contacts are added here."""
    selectors.require_tracer(request.user)
    found = pages_support.traced_person(request.user, person_id)
    return _person_page(request, found, blank_contacts_form(request.user, found))


@login_required
@require_POST
def person_contacts(request: HttpRequest, person_id: Any) -> HttpResponse:
    selectors.require_tracer(request.user)
    found = pages_support.traced_person(request.user, person_id)
    form, status = post_contacts(request, found)
    if status == 302:
        return redirect("cases:person", person_id=found.pk)
    return _person_page(request, found, form, status)
