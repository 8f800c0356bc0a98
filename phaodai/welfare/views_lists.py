"""The ward's lists and the district's part (S33): post the reviewed applications publicly, send the list
to the district, appraise it (returning applications with a reason), approve lists in a numbered decision.

Of two district officers approving the same lists at once, one issues the decision; the other sees a
409 page naming the decision that was issued first.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.core.clock import local_date, now
from phaodai.core.errors import DomainError
from phaodai.core.text import vnd
from phaodai.territory import selectors as territory
from phaodai.welfare import approval, listing, rules, selectors
from phaodai.welfare.forms import ApproveForm, PostListForm, VersionForm
from phaodai.welfare.models import Objection, SupportList
from phaodai.welfare.views_common import may, require_perm, require_reader, reraise_scope

LIST_LIMIT = 100
ENTRY_LIMIT = 1000
GROUP_LIMIT = 50


def _ready_to_post(user: Any) -> list[dict[str, Any]]:
    from phaodai.welfare.models import Application

    if not selectors.can_file(user):
        return []
    return list(
        Application.objects.filter(selectors.reach_q(user, perms=(Perm.FILE_SUPPORT,)), status=rules.REVIEWED)
        .values("unit__code", "unit__name", "programme_code", "programme__posting_days")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by("unit__code", "programme_code")[:GROUP_LIMIT]
    )


def _lists_page(request: HttpRequest, form: PostListForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    state = request.GET.get("status", "")[:10]
    lists = selectors.lists_visible_to(user).annotate(
        entries=Count("applications"), total=Sum("applications__amount")
    )
    if state in SupportList.Status.values:
        lists = lists.filter(status=state)
    rows = list(lists.order_by("-posted_at", "-pk")[: LIST_LIMIT + 1])
    context = {
        "lists": rows[:LIST_LIMIT],
        "more": len(rows) > LIST_LIMIT,
        "ready": _ready_to_post(user),
        "state": state,
        "statuses": SupportList.Status.choices,
        "form": form,
        "now": now(),
        "can_appraise": selectors.can_appraise(user),
    }
    return render(request, "welfare/lists.html", context, status=status)


@login_required
@require_GET
def list_index(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    return _lists_page(request)


@login_required
@require_POST
def list_post(request: HttpRequest) -> HttpResponse:
    """Post the ward's reviewed applications of a programme as a new list, for the programme's days."""
    user = request.user
    require_perm(user, Perm.FILE_SUPPORT)
    form = PostListForm(request.POST)
    if not form.is_valid():
        return _lists_page(request, form, 422)
    ward = territory.unit_by_code(form.cleaned_data["ward"])
    try:
        support_list = listing.post_list(by=user, ward=ward, programme_code=form.cleaned_data["programme"])
    except DomainError as error:
        reraise_scope(error)
        form.add_domain_error(error)
        return _lists_page(request, form, error.status)
    messages.success(
        request,
        _("List %(number)s posted until %(day)s.")
        % {"number": support_list.number, "day": f"{local_date(support_list.posting_ends_at):%d/%m/%Y}"},
    )
    return redirect("welfare:list", pk=support_list.pk)


def list_page(
    request: HttpRequest, support_list: SupportList, status: int = 200, **extra: Any
) -> HttpResponse:
    user = request.user
    entries = list(
        selectors.entries_of(support_list).annotate(
            open_objections=Count("objections", filter=Q(objections__status=Objection.Status.OPEN))
        )[:ENTRY_LIMIT]
    )
    moment = now()
    files = may(user, support_list.unit_path, Perm.FILE_SUPPORT)
    appraises = may(user, support_list.unit_path, Perm.APPRAISE_SUPPORT)
    open_objections = sum(entry.open_objections for entry in entries)
    posting_over = support_list.posting_ends_at <= moment
    context = {
        "support_list": support_list,
        "entries": entries,
        "count": len(entries),
        "total": sum(entry.amount for entry in entries if entry.status not in rules.CLOSED),
        "open_objections": open_objections,
        "posting_over": posting_over,
        "can_send": files and support_list.status == SupportList.Status.POSTED,
        "send_ready": posting_over and not open_objections,
        "can_appraise": appraises and support_list.status == SupportList.Status.SUBMITTED,
        "can_approve": appraises and support_list.status == SupportList.Status.APPRAISED,
        "version_form": extra.pop("version_form", None)
        or VersionForm(initial={"version": support_list.version}),
        "returned": extra.pop("returned", {}),
        **extra,
    }
    return render(request, "welfare/list.html", context, status=status)


@login_required
@require_GET
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_reader(request.user)
    return list_page(request, selectors.list_for(request.user, pk))


@login_required
@require_POST
def list_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the list to the district: after its posting, with no objection open."""
    user = request.user
    require_perm(user, Perm.FILE_SUPPORT)
    support_list = selectors.list_for(user, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return list_page(request, support_list, 422, version_form=form)
    try:
        listing.submit_list(by=user, support_list=support_list, version=form.cleaned_data["version"])
    except DomainError as error:
        reraise_scope(error)
        form.add_domain_error(error)
        support_list.refresh_from_db()
        return list_page(request, support_list, error.status, version_form=form)
    messages.success(request, _("List sent to the district."))
    return redirect("welfare:list", pk=pk)


@login_required
@require_POST
def list_appraise(request: HttpRequest, pk: int) -> HttpResponse:
    """Appraise a submitted list: ticked applications go back to the ward with their reason."""
    user = request.user
    require_perm(user, Perm.APPRAISE_SUPPORT)
    support_list = selectors.list_for(user, pk)
    form = VersionForm(request.POST)
    returned: dict[int, str] = {}
    for value in request.POST.getlist("return")[:ENTRY_LIMIT]:
        if value.isdigit():
            returned[int(value)] = request.POST.get(f"reason_{value}", "")
    if not form.is_valid():
        return list_page(request, support_list, 422, version_form=form, returned=returned)
    try:
        approval.appraise(
            by=user, support_list=support_list, returned=returned, version=form.cleaned_data["version"]
        )
    except DomainError as error:
        reraise_scope(error)
        form.add_domain_error(error)
        support_list.refresh_from_db()
        return list_page(request, support_list, error.status, version_form=form, returned=returned)
    if returned:
        messages.success(
            request, _("List appraised: %(n)s application(s) returned to the ward.") % {"n": len(returned)}
        )
    else:
        messages.success(request, _("List appraised."))
    return redirect("welfare:list", pk=pk)


# Approval ------------------------------------------------------------------------------------------


def _appraised_lists(user: Any) -> list[SupportList]:
    return list(
        SupportList.objects.filter(
            selectors.reach_q(user, perms=(Perm.APPRAISE_SUPPORT,)), status=SupportList.Status.APPRAISED
        )
        .select_related("unit__parent", "programme")
        .annotate(
            entries=Count("applications", filter=Q(applications__status=rules.APPRAISED)),
            total=Sum("applications__amount", filter=Q(applications__status=rules.APPRAISED)),
        )
        .order_by("programme__code", "unit__path", "number")[:LIST_LIMIT]
    )


def _choice_label(item: SupportList) -> str:
    return _("%(ward)s — %(programme)s list %(number)s: %(n)s applications, %(total)s VND") % {
        "ward": item.unit.full_name,
        "programme": item.programme.code,
        "number": item.number,
        "n": item.entries,  # type: ignore[attr-defined]
        "total": vnd(item.total or 0),  # type: ignore[attr-defined]
    }


def _approve_page(
    request: HttpRequest, form: ApproveForm, status: int = 200, conflict: Any = None, winner: Any = None
) -> HttpResponse:
    context = {"form": form, "conflict": conflict, "winner": winner}
    return render(request, "welfare/approve.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def approve(request: HttpRequest) -> HttpResponse:
    """Approve appraised lists of one programme in one district in a numbered decision."""
    user = request.user
    require_perm(user, Perm.APPRAISE_SUPPORT)
    candidates = _appraised_lists(user)
    choices = [(item.pk, _choice_label(item)) for item in candidates]
    if request.method == "GET":
        chosen = [int(v) for v in request.GET.getlist("list") if v.isdigit()]
        initial = {"lists": chosen, "signed_on": local_date(now())}
        return _approve_page(request, ApproveForm(initial=initial, choices=choices))
    # Lists approved meanwhile are no longer candidates: keep those asked for, to name the decision that won.
    asked = [int(v) for v in request.POST.getlist("lists") if v.isdigit()][:LIST_LIMIT]
    visible = {
        item.pk: item
        for item in selectors.lists_visible_to(user).select_related("unit__parent").filter(pk__in=asked)
    }
    offered = dict(choices)
    extra = [(pk, str(item)) for pk, item in visible.items() if pk not in offered]
    form = ApproveForm(request.POST, choices=choices + extra)
    if not form.is_valid():
        return _approve_page(request, form, 422)
    lists = [visible[pk] for pk in form.cleaned_data["lists"] if pk in visible]
    try:
        decision = approval.approve(
            by=user,
            support_lists=lists,
            number=form.cleaned_data["number"],
            signed_on=form.cleaned_data["signed_on"],
        )
    except approval.ListsAlreadyApproved as error:
        first = (
            SupportList.objects.filter(pk__in=[item.pk for item in lists])
            .exclude(decision=None)
            .select_related("decision")
            .first()
        )
        winner = first.decision if first is not None else None
        fresh = ApproveForm(
            initial={"number": form.cleaned_data["number"], "signed_on": form.cleaned_data["signed_on"]},
            choices=[(item.pk, _choice_label(item)) for item in _appraised_lists(user)],
        )
        return _approve_page(request, fresh, error.status, conflict=error, winner=winner)
    except DomainError as error:
        reraise_scope(error)
        form.add_domain_error(error)
        return _approve_page(request, form, error.status)
    messages.success(
        request,
        _("Decision %(number)s issued: %(n)s beneficiaries.")
        % {"number": decision.number, "n": decision.count},
    )
    return redirect("welfare:decision", pk=decision.pk)
