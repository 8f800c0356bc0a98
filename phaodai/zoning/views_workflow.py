"""Pages of the zoning workflow: the officials' desk, rounds, ward proposals and district decisions (S4, S5).

Thin over the services: each action posts to its own URL, the service decides, and the page shows the
refusal beside the field it concerns; a conflict (409) reloads the current state with a clear message.
"""

from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm, require_perm
from phaodai.core.clock import next_local_time, now
from phaodai.core.errors import DomainError, NotPermitted
from phaodai.core.jurisdiction import paths_of, require_within, scope
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors, services
from phaodai.zoning.errors import ProposalChanged, ProposalNotOpen
from phaodai.zoning.forms_workflow import DecisionForm, ItemLevelForm, ReturnForm, RoundForm, VersionForm
from phaodai.zoning.models import Level, Proposal, ProposalItem, Round

PROPOSAL_PAGE = "zoning/workflow/proposal.html"
ITEM_ROW = "zoning/workflow/_item_row.html"
RETURN_IDS = "id_return_%s"  # the decision form on the same page has its own version field
# The criteria tables' pages (another part of this app); linked by path so the desk never depends on them.
DEADLINE_HOUR = time(17, 0)
# Conflicts after which the page shows the proposal as it now is (someone else acted first).
RELOAD = (ProposalNotOpen, ProposalChanged)


# The desk and rounds ------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """A ward officer's open proposals; a district officer's rounds with their progress."""
    user = request.user
    selectors.require_desk(user)
    proposals: list[Proposal] = []
    if has_perm(user, Perm.PROPOSE_LEVELS):
        proposals = list(selectors.proposals_visible_to(user).filter(round__status=Round.Status.OPEN))
    rounds: list[Round] = []
    if has_perm(user, Perm.DECIDE_LEVELS):
        rounds = list(scope(selectors.rounds_visible_to(user), user, "path", Perm.DECIDE_LEVELS))
    counts = selectors.round_counts(r.pk for r in rounds)
    context = {
        "proposals": proposals,
        "rounds": [(r, counts[r.pk]) for r in rounds],
        "can_open": has_perm(user, Perm.AUTHOR_CRITERIA),
        "can_propose": has_perm(user, Perm.PROPOSE_LEVELS),
        "can_decide": has_perm(user, Perm.DECIDE_LEVELS),
        "now": now(),
    }
    return render(request, "zoning/workflow/home.html", context)


def _districts(user: Any) -> list[Any]:
    """The districts the user may open rounds in (a city's officials: every district)."""
    found: dict[str, Any] = {}
    for path in paths_of(user, Perm.AUTHOR_CRITERIA):
        unit = territory.unit_by_code(path.strip("/").split("/")[-1])
        if unit is None:
            continue
        below = [unit] if unit.level == "district" else list(territory.children_of(unit))
        found.update((u.code, u) for u in below if u.level == "district")
    return sorted(found.values(), key=lambda u: u.code)


def _chosen_district(request: HttpRequest, districts: list[Any]) -> Any:
    code = request.POST.get("district") or request.GET.get("district") or districts[0].code
    chosen = next((d for d in districts if d.code == code), None)
    if chosen is None:
        unit = territory.unit_by_code(code)
        if unit is None:
            raise Http404
        require_within(
            request.user, Perm.AUTHOR_CRITERIA, path=unit.path, object_type="territory.unit", object_id=code
        )
        raise Http404  # a ward or the city itself: no round there
    return chosen


def _tables_for(district: Any) -> list[Any]:
    """Published tables issued by the district or above it and not expired."""
    moment = now()
    return [
        t
        for t in selectors.published_tables().order_by("code", "-version")
        if district.path.startswith(t.path) and (t.valid_until is None or t.valid_until > moment)
    ]


def _table_key(table: Any) -> str:
    return f"{table.code}:{table.version}"  # e.g. LB-2021-09:1


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest) -> HttpResponse:
    """The district opens a round: a table, its wards, a deadline and the planned effect (06:00)."""
    require_perm(request.user, Perm.AUTHOR_CRITERIA)
    districts = _districts(request.user)
    if not districts:
        raise NotPermitted()
    district = _chosen_district(request, districts)
    tables = _tables_for(district)
    wards = list(territory.children_of(district))
    deadline = next_local_time(now() + timedelta(hours=12), DEADLINE_HOUR)
    effective = next_local_time(deadline)
    initial = {
        "district": district.code,
        "table": _table_key(tables[0]) if tables else "",
        "wards": [w.code for w in wards],
        "deadline": deadline,
        "effective_date": effective.date(),
    }
    form = RoundForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        tables=[(_table_key(t), f"{t.code} v{t.version} — {selectors.localized(t, 'name')}") for t in tables],
        wards=[(w.code, w.full_name) for w in wards],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        table = next(t for t in tables if _table_key(t) == data["table"])
        try:
            round_ = services.open_round(
                by=request.user,
                district=district,
                table=table,
                deadline=data["deadline"],
                effective_at=form.effective_at,
                title=data["title"],
                ward_codes=data["wards"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request, _("Round opened: %(n)s wards asked to classify.") % {"n": len(data["wards"])}
            )
            return redirect("zoning:round_detail", pk=round_.pk)
    context = {"form": form, "district": district, "districts": districts, "tables": tables}
    return render(request, "zoning/workflow/round_new.html", context)


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Which wards submitted (on time or late), were returned, decided, or have not submitted."""
    user = request.user
    selectors.require_desk(user)
    round_ = selectors.round_for(user, pk)
    proposals, deciding = selectors.proposals_shown(user, round_)
    context = {
        "round": round_,
        "proposals": proposals,
        "counts": selectors.count_proposals(proposals) if deciding else None,
        "deciding": deciding,
        "now": now(),
    }
    return render(request, "zoning/workflow/round_detail.html", context)


# A proposal ------------------------------------------------------------------------------------------


def _item_form(item: ProposalItem, levels: list[Level], data: Any = None) -> ItemLevelForm:
    initial = {"level": item.proposed_level.code, "justification": item.justification}
    return ItemLevelForm(data, levels=levels, prefix=item.area.code, initial=initial)


def _proposal_context(
    request: HttpRequest,
    proposal: Proposal,
    *,
    item_forms: Mapping[str, ItemLevelForm] | None = None,
    decision_form: DecisionForm | None = None,
    return_form: ReturnForm | None = None,
    error: DomainError | None = None,
) -> dict[str, Any]:
    user = request.user
    items = list(selectors.items_of(proposal))
    levels = list(selectors.levels_of(proposal.round.table))
    editable = proposal.status in services.EDITABLE and has_perm(
        user, Perm.PROPOSE_LEVELS, within=proposal.path
    )
    decidable = proposal.status == Proposal.Status.SUBMITTED and has_perm(
        user, Perm.DECIDE_LEVELS, within=proposal.path
    )
    if decidable:
        decision_form = decision_form or DecisionForm(
            items=items,
            levels=levels,
            effective_at=proposal.round.effective_at,
            initial={"version": proposal.version},
        )
        return_form = return_form or ReturnForm(initial={"version": proposal.version}, auto_id=RETURN_IDS)
    rows = []
    for item in items:
        code = item.area.code
        row: dict[str, Any] = {"item": item, "changed": item.proposed_level_id != item.suggested_level_id}
        if editable:
            row["form"] = (item_forms or {}).get(code) or _item_form(item, levels)
        if decidable and decision_form is not None:
            row["level_field"] = decision_form[DecisionForm.level_name(code)]
            row["reason_field"] = decision_form[DecisionForm.reason_name(code)]
        rows.append(row)
    return {
        "proposal": proposal,
        "round": proposal.round,
        "rows": rows,
        "levels": levels,
        "editable": editable,
        "decidable": decidable,
        "decision": selectors.decision_of(proposal) if proposal.status == Proposal.Status.DECIDED else None,
        "decision_form": decision_form,
        "return_form": return_form,
        "error": error,
        "changed_count": sum(1 for row in rows if row["changed"]),
        "now": now(),
    }


def _page(request: HttpRequest, proposal: Proposal, status: int = 200, **forms: Any) -> HttpResponse:
    return render(request, PROPOSAL_PAGE, _proposal_context(request, proposal, **forms), status=status)


def _conflict(request: HttpRequest, pk: int, error: DomainError) -> HttpResponse:
    """Someone acted first: say so and show the proposal as it now is."""
    if request.htmx:  # type: ignore[attr-defined]
        messages.error(request, str(error.detail))
        response = HttpResponse(status=409)
        response["HX-Refresh"] = "true"
        return response
    return _page(request, selectors.proposal_visible(request.user, pk), status=error.status, error=error)


@login_required
@require_GET
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_desk(request.user)
    return _page(request, selectors.proposal_visible(request.user, pk))


@login_required
@require_POST
def proposal_classify(request: HttpRequest, pk: int) -> HttpResponse:
    """The ward runs the round's table over its areas (again, keeping its justified changes)."""
    current = selectors.proposal_acting_on(request.user, pk, Perm.PROPOSE_LEVELS)
    try:
        services.classify_proposal(proposal=current, by=request.user)
    except RELOAD as error:
        return _conflict(request, pk, error)
    messages.success(request, _("The areas were classified with the round's criteria table."))
    return redirect("zoning:proposal", pk=pk)


@login_required
@require_POST
def proposal_item(request: HttpRequest, pk: int, area_code: str) -> HttpResponse:
    """The ward proposes a level for one area (an htmx row, or the whole page without JavaScript)."""
    current = selectors.proposal_acting_on(request.user, pk, Perm.PROPOSE_LEVELS)
    item = selectors.items_of(current).filter(area__code=area_code).first()
    if item is None:
        raise Http404
    levels = list(selectors.levels_of(current.round.table))
    form = _item_form(item, levels, request.POST)
    saved = False
    if form.is_valid():
        chosen = next(lv for lv in levels if lv.code == form.cleaned_data["level"])
        try:
            services.propose_level(
                item=item, by=request.user, level=chosen, justification=form.cleaned_data["justification"]
            )
        except RELOAD as error:
            return _conflict(request, pk, error)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            saved = True
    if not request.htmx:  # type: ignore[attr-defined]
        if saved:
            messages.success(request, _("Level of %(area)s saved.") % {"area": item.area.name})
            return redirect("zoning:proposal", pk=pk)
        return _page(request, current, item_forms={area_code: form})
    if saved:  # the row as stored now, and the proposal's new version for the submit form
        current = selectors.proposal_for(request.user, pk, Perm.PROPOSE_LEVELS)
        item = selectors.items_of(current).get(pk=item.pk)
        form = _item_form(item, levels)
    row = {"item": item, "changed": item.proposed_level_id != item.suggested_level_id, "form": form}
    return render(
        request, ITEM_ROW, {"proposal": current, "row": row, "editable": True, "saved": saved, "oob": True}
    )


@login_required
@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The ward submits the version it saw; late submissions are accepted and marked late."""
    current = selectors.proposal_acting_on(request.user, pk, Perm.PROPOSE_LEVELS)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        submitted = services.submit_proposal(proposal=current, by=request.user, version=version)
    except RELOAD as error:
        return _conflict(request, pk, error)
    except DomainError as error:
        return _page(request, current, status=error.status, error=error)
    if submitted.late:
        messages.warning(request, _("Submitted after the deadline: the proposal is marked late."))
    else:
        messages.success(request, _("The proposal was submitted to the district."))
    return redirect("zoning:proposal", pk=pk)


@login_required
@require_POST
def proposal_return(request: HttpRequest, pk: int) -> HttpResponse:
    """The district sends the proposal back to the ward with a reason."""
    current = selectors.proposal_acting_on(request.user, pk, Perm.DECIDE_LEVELS)
    form = ReturnForm(request.POST, auto_id=RETURN_IDS)
    if form.is_valid():
        try:
            services.return_proposal(
                proposal=current,
                by=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except RELOAD as error:
            return _conflict(request, pk, error)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The proposal was returned to the ward."))
            return redirect("zoning:proposal", pk=pk)
    return _page(request, current, return_form=form)


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The district decides: each area at the ward's level or changed with a reason; assignments follow."""
    current = selectors.proposal_acting_on(request.user, pk, Perm.DECIDE_LEVELS)
    items = list(selectors.items_of(current))
    levels = list(selectors.levels_of(current.round.table))
    form = DecisionForm(request.POST, items=items, levels=levels, effective_at=current.round.effective_at)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decide_proposal(
                proposal=current,
                by=request.user,
                number=data["number"],
                signatory=data["signatory"],
                changes=form.changes(),
                effective_at=form.effective_at,
                version=data["version"],
            )
        except RELOAD as error:
            return _conflict(request, pk, error)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Decision %(number)s issued.") % {"number": decision.number})
            return redirect("zoning:proposal", pk=pk)
    return _page(request, current, decision_form=form)
