"""Role-aware navigation: each link shows only to users whose roles can use it."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import perms_of

# (label, url name, permissions of which one is needed, or None for everyone signed in or not)
NAV_ITEMS: list[tuple[Any, str, frozenset[str] | None]] = [
    (_("Look-up"), "portal:index", None),
    (_("Territory"), "territory:browse", None),
    (_("Persons"), "people:search", frozenset({Perm.VIEW_PERSON})),
    (_("Zoning"), "zoning:home", frozenset({Perm.PROPOSE_LEVELS, Perm.DECIDE_LEVELS})),
    (_("Reports"), "sitreps:home", frozenset({Perm.SUBMIT_REPORTS, Perm.REVIEW_REPORTS})),
    (_("Tasks"), "command:tasks", frozenset({Perm.MANAGE_COMMAND})),
    # Short labels in the header (the pages' own titles say it in full).
    (pgettext_lazy("navigation", "Directives"), "command:documents", frozenset({Perm.MANAGE_COMMAND})),
    (pgettext_lazy("navigation", "Committees"), "command:committees", frozenset({Perm.MANAGE_COMMAND})),
    (_("Businesses"), "business:businesses", frozenset({Perm.MANAGE_BUSINESSES, Perm.APPROVE_PLANS})),
    (_("My business"), "business:mine", frozenset({Perm.REPRESENT_BUSINESS})),
    (_("Cases"), "cases:home", frozenset({Perm.TRACE, Perm.ORDER_ISOLATION})),
    (_("Isolation"), "cases:isolation", frozenset({Perm.ORDER_ISOLATION})),
    (_("Lockdowns"), "cases:lockdowns", frozenset({Perm.DECLARE_LOCKDOWN, Perm.TRACE, Perm.ORDER_ISOLATION})),
    (_("KPIs"), "cases:kpis", frozenset({Perm.TRACE, Perm.ORDER_ISOLATION})),
    (_("Cases kept here"), "cases:recording", frozenset({Perm.TRACE})),
    (_("Quarantine"), "quarantine:home", frozenset({Perm.MANAGE_FACILITIES, Perm.ADMIT})),
    (_("Testing"), "diagnostics:home", frozenset({Perm.PLAN_TESTING, Perm.SAMPLE})),
    (_("Lab results"), "diagnostics:imports", frozenset({Perm.IMPORT_RESULTS})),
    (_("Vaccination"), "vaccination:home", frozenset({Perm.VACCINATE, Perm.PLAN_VACCINATION})),
    (_("Inspections"), "inspections:home", frozenset({Perm.INSPECT, Perm.MANAGE_TEAMS})),
    (_("Checkpoints"), "checkpoints:list", frozenset({Perm.MANAGE_CHECKPOINTS, Perm.VERIFY_PASSES})),
    (_("Travel permits"), "permits:home", frozenset({Perm.ISSUE_PERMITS, Perm.REPRESENT_BUSINESS})),
    (_("Health declarations"), "declarations:index", frozenset({Perm.TRACE})),
    (_("Vehicles"), "vehicles:green_lanes", frozenset({Perm.MANAGE_CHECKPOINTS, Perm.VERIFY_PASSES})),
    (
        _("Markets"),
        "markets:markets",
        frozenset({Perm.MANAGE_MARKETS, Perm.CHECK_MARKET_GATE, Perm.REPORT_PRICES}),
    ),
    (_("Support"), "welfare:home", frozenset({Perm.FILE_SUPPORT, Perm.APPRAISE_SUPPORT, Perm.PAY_SUPPORT})),
    (_("Relief"), "relief:board", frozenset({Perm.MANAGE_RELIEF})),
    (_("Community"), "community:home", frozenset({Perm.MANAGE_COMMUNITY})),
    (_("My households"), "community:my_households", frozenset({Perm.VISIT_HOUSEHOLDS})),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    perms = perms_of(getattr(request, "user", None))
    items = [
        {"label": label, "url": reverse(name), "active": request.path.startswith(reverse(name))}
        for label, name, needed in NAV_ITEMS
        if needed is None or needed & perms
    ]
    return {"nav_items": items}
