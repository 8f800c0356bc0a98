"""The welfare API: the ward's posted lists, the district's appraisal and numbered decisions.

Moves carry the version seen (409 for the loser of a race); approving the same lists twice is 409.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from phaodai.welfare import approval, listing, selectors
from phaodai.welfare.api_applications import ward_of
from phaodai.welfare.api_schemas import (
    AppraiseIn,
    DecisionIn,
    DecisionOut,
    ListOut,
    Pk,
    PostListIn,
    VersionIn,
    decision_out,
    list_out,
)

router = Router(tags=["welfare"])
LIST_LIMIT = 200


@router.get(
    "/lists", url_name="welfare_lists", response=list[ListOut], summary="Ward lists in your units (?status)"
)
def list_lists(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    selectors.require_reader(request.user)
    rows = selectors.lists_visible_to(request.user)
    if status:
        rows = rows.filter(status=status[:10])
    return [list_out(s) for s in rows[:LIST_LIMIT]]


@router.post(
    "/lists",
    url_name="welfare_list_post",
    response={201: ListOut},
    summary="Post the ward's reviewed applications of a programme publicly for the programme's days",
)
def post_list(request: HttpRequest, payload: PostListIn) -> tuple[int, dict[str, Any]]:
    support_list = listing.post_list(
        by=request.user, ward=ward_of(payload.ward), programme_code=payload.programme
    )
    return 201, list_out(support_list, list(selectors.entries_of(support_list)))


@router.get(
    "/lists/{pk}", url_name="welfare_list", response=ListOut, summary="One ward list with its applications"
)
def get_list(request: HttpRequest, pk: Pk) -> dict[str, Any]:
    support_list = selectors.list_for(request.user, pk)
    return list_out(support_list, list(selectors.entries_of(support_list)[:5000]))


@router.post(
    "/lists/{pk}/submit",
    url_name="welfare_list_submit",
    response=ListOut,
    summary="Send the list to the district (after its posting, with no open objection)",
)
def submit_list(request: HttpRequest, pk: Pk, payload: VersionIn) -> dict[str, Any]:
    support_list = selectors.list_for(request.user, pk)
    return list_out(listing.submit_list(by=request.user, support_list=support_list, version=payload.version))


@router.post(
    "/lists/{pk}/appraise",
    url_name="welfare_list_appraise",
    response=ListOut,
    summary="The district appraises a submitted list: the applications in `returned` go back with a reason",
)
def appraise(request: HttpRequest, pk: Pk, payload: AppraiseIn) -> dict[str, Any]:
    support_list = selectors.list_for(request.user, pk)
    done = approval.appraise(
        by=request.user, support_list=support_list, returned=payload.returned, version=payload.version
    )
    return list_out(done)


@router.post(
    "/lists/{pk}/approve",
    url_name="welfare_list_approve",
    response={201: DecisionOut},
    summary="Approve an appraised list (and `more_lists`) in a numbered decision (409 if approved first)",
)
def approve(request: HttpRequest, pk: Pk, payload: DecisionIn) -> tuple[int, dict[str, Any]]:
    lists = [selectors.list_for(request.user, item) for item in dict.fromkeys([pk, *payload.more_lists])]
    decision = approval.approve(
        by=request.user, support_lists=lists, number=payload.number, signed_on=payload.signed_on
    )
    return 201, decision_out(decision, list(selectors.decision_lines(decision)[:5000]))


@router.get(
    "/decisions",
    url_name="welfare_decisions",
    response=list[DecisionOut],
    summary="Decisions covering your units",
)
def list_decisions(request: HttpRequest) -> list[dict[str, Any]]:
    selectors.require_reader(request.user)
    return [decision_out(d) for d in selectors.decisions_visible_to(request.user)[:LIST_LIMIT]]


@router.get(
    "/decisions/{pk}",
    url_name="welfare_decision",
    response=DecisionOut,
    summary="One decision with its numbered lines (those in your units)",
)
def get_decision(request: HttpRequest, pk: Pk) -> dict[str, Any]:
    decision = selectors.decision_for(request.user, pk)
    return decision_out(decision, list(selectors.decision_lines(decision, request.user)[:5000]))
