"""The welfare home for officials: programmes in force, applications by state, what waits for the user.

Readers: whoever files, appraises or pays support (S33); other roles 403. A fixed number of queries,
whatever the number of applications: every figure is a grouped count.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from phaodai.accounts.roles import Perm
from phaodai.core.clock import now
from phaodai.welfare import payments, rules, selectors
from phaodai.welfare.models import Application, Objection, SupportList
from phaodai.welfare.views_common import require_reader

GROUP_LIMIT = 50


def _status_counts(user: Any) -> list[dict[str, Any]]:
    counted = dict(
        Application.objects.filter(selectors.reach_q(user))
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [
        {"status": value, "label": label, "count": counted.get(value, 0)}
        for value, label in Application.Status.choices
    ]


def _waiting(user: Any) -> dict[str, Any]:
    """What waits for the user, by what they may do: review, post, send, appraise, approve, pay."""
    waiting: dict[str, Any] = {}
    moment = now()
    if selectors.can_file(user):
        files = selectors.reach_q(user, perms=(Perm.FILE_SUPPORT,))
        waiting["to_review"] = Application.objects.filter(files, status=rules.FILED).count()
        waiting["to_post"] = list(
            Application.objects.filter(files, status=rules.REVIEWED)
            .values("unit__code", "unit__name", "programme_code")
            .annotate(n=Count("pk"), total=Sum("amount"))
            .order_by("unit__code", "programme_code")[:GROUP_LIMIT]
        )
        lists = SupportList.objects.filter(selectors.reach_q(user, perms=(Perm.FILE_SUPPORT,)))
        waiting["to_send"] = list(
            lists.filter(status=SupportList.Status.POSTED, posting_ends_at__lte=moment)
            .select_related("unit", "programme")
            .order_by("posting_ends_at")[:GROUP_LIMIT]
        )
        waiting["objections"] = Objection.objects.filter(
            selectors.reach_q(user, "application__unit_path", (Perm.FILE_SUPPORT,)),
            status=Objection.Status.OPEN,
        ).count()
    if selectors.can_appraise(user):
        appraises = SupportList.objects.filter(selectors.reach_q(user, perms=(Perm.APPRAISE_SUPPORT,)))
        waiting["to_appraise"] = list(
            appraises.filter(status=SupportList.Status.SUBMITTED)
            .select_related("unit", "programme")
            .order_by("submitted_at")[:GROUP_LIMIT]
        )
        waiting["to_approve"] = appraises.filter(status=SupportList.Status.APPRAISED).count()
    if selectors.can_pay(user):
        pays = selectors.reach_q(user, perms=(Perm.PAY_SUPPORT,))
        waiting["to_pay"] = payments.payable_among(Application.objects.filter(pays)).aggregate(
            n=Count("pk"), total=Sum("amount")
        )
    return waiting


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_reader(user)
    counts = _status_counts(user)
    context = {
        "programmes": selectors.programmes_in_force(),
        "counts": counts,
        "total": sum(row["count"] for row in counts),
        "open_total": sum(row["count"] for row in counts if row["status"] not in rules.CLOSED),
        "waiting": _waiting(user),
        "can_file": selectors.can_file(user),
        "can_appraise": selectors.can_appraise(user),
        "can_pay": selectors.can_pay(user),
    }
    return render(request, "welfare/home.html", context)
