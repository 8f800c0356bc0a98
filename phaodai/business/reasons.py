"""The sentences that explain a "may we operate?" verdict: what the regime says, the hour, the plan."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from phaodai.business import rules
from phaodai.core.clock import to_local

# Read first what changes a visit most: what may be sold, then the hours, then the rest.
CONDITION_ORDER = (
    "takeaway_only", "essential_only", "opens_at", "closes_at", "max_people", "capacity_pct",
    "onsite_staff_pct", "distance_m", "requires_vaccination", "requires_negative_test_hours",
    "health_declaration", "permit_required",
)  # fmt: skip


@dataclass(frozen=True)
class Context:
    """What the sentences name: the regime in force (with its decision), the activity, the plan."""

    at: datetime
    activity: str
    regime: str = ""
    since: datetime | None = None
    decision: str = ""
    note: str = ""
    plan_status: str = ""
    plan_note: str = ""  # why the plan was suspended or revoked
    plan_until: datetime | None = None
    plan_from: datetime | None = None


def moment(value: datetime) -> str:
    return f"{to_local(value):%H:%M %d/%m/%Y}"


def condition_phrases(conditions: Mapping[str, Any]) -> list[str]:
    """Each structured condition of a regime rule as words ("takeaway only", "close before 21:00").

    In the order zoning lists condition kinds, not the stored order: PostgreSQL's jsonb sorts keys its
    own way, and the same rule must read the same on both databases.
    """
    phrases = []
    order = {key: index for index, key in enumerate(CONDITION_ORDER)}
    for key, value in sorted(conditions.items(), key=lambda item: (order.get(item[0], len(order)), item[0])):
        if key == "takeaway_only" and value:
            phrases.append(_("takeaway only"))
        elif key == "closes_at":
            phrases.append(_("close before %(time)s") % {"time": value})
        elif key == "opens_at":
            phrases.append(_("open from %(time)s") % {"time": value})
        elif key == "health_declaration" and value:
            phrases.append(_("QR health declaration"))
        elif key == "distance_m":
            phrases.append(_("keep %(n)s m apart") % {"n": value})
        elif key == "capacity_pct":
            phrases.append(_("at most %(n)s%% of capacity") % {"n": value})
        elif key == "max_people":
            phrases.append(_("at most %(n)s people") % {"n": value})
        elif key == "essential_only" and value:
            phrases.append(_("essential goods only"))
        elif key == "onsite_staff_pct":
            phrases.append(_("at most %(n)s%% of staff on site") % {"n": value})
        elif key == "requires_vaccination" and value:
            phrases.append(_("vaccinated staff and customers only"))
        elif key == "requires_negative_test_hours":
            phrases.append(_("a negative test within %(n)s hours") % {"n": value})
        elif key == "permit_required" and value:
            phrases.append(_("a permit is required"))
        elif value not in (False, None, ""):
            phrases.append(f"{key}: {value}")
    return phrases


def _regime_in_force(ctx: Context) -> str:
    if ctx.since is None:
        return ctx.regime
    return _("%(regime)s, in force here since %(since)s (decision %(decision)s)") % {
        "regime": ctx.regime,
        "since": moment(ctx.since),
        "decision": ctx.decision,
    }


def sentence(code: str, values: Mapping[str, Any], ctx: Context, conditions: Mapping[str, Any]) -> str:
    """One reason of a verdict as a sentence for the business or the public."""
    regime = _regime_in_force(ctx)
    note = f" {ctx.note}" if ctx.note else ""
    local = f"{to_local(ctx.at):%H:%M}"
    if code == "closed":
        return _(
            "Closed by order since %(since)s: %(why)s It may reopen only after a re-inspection passes."
        ) % {
            "since": moment(values["since"]),
            "why": values["why"],
        }
    if code == "no_regime":
        if ctx.regime:
            return _("The measures in force (%(regime)s) say nothing about %(activity)s; ask the ward.") % {
                "regime": regime,
                "activity": ctx.activity,
            }
        return _("No measures are recorded for this place at that time; ask the ward.")
    if code == "forbidden":
        return (
            _("Under %(regime)s, %(activity)s is not allowed.")
            % {
                "regime": regime,
                "activity": ctx.activity,
            }
            + note
        )
    if code == "allowed":
        return _("Under %(regime)s, %(activity)s is allowed.") % {"regime": regime, "activity": ctx.activity}
    if code == "conditional":
        words = ", ".join(condition_phrases(conditions)) or _("see the note")
        return (
            _("Under %(regime)s, %(activity)s is allowed with conditions: %(conditions)s.")
            % {
                "regime": regime,
                "activity": ctx.activity,
                "conditions": words,
            }
            + note
        )
    if code == "before_opening":
        return _("It is %(now)s; it may open only from %(time)s.") % {
            "now": local,
            "time": values["opens_at"],
        }
    if code == "after_closing":
        return _("It is %(now)s; it must close before %(time)s.") % {
            "now": local,
            "time": values["closes_at"],
        }
    if code == "no_approved_plan":
        if not ctx.plan_status:
            return _("This sector needs an approved COVID-safety plan, and the business has none.")
        return _("This sector needs an approved COVID-safety plan; the business's plan is %(status)s.") % {
            "status": ctx.plan_status
        }
    if code == "plan_stopped":
        why = f" {ctx.plan_note}" if ctx.plan_note else ""
        return (
            _("Its COVID-safety plan is %(status)s; it may not operate until the plan is back in force.")
            % {"status": ctx.plan_status}
            + why
        )
    if code == "plan_not_in_force":
        return _("The approved COVID-safety plan is valid from %(start)s to %(end)s only.") % {
            "start": moment(ctx.plan_from) if ctx.plan_from else "—",
            "end": moment(ctx.plan_until) if ctx.plan_until else "—",
        }
    if code == "plan_approved":
        if ctx.plan_until:
            return _("Its COVID-safety plan is approved, valid until %(end)s.") % {
                "end": moment(ctx.plan_until)
            }
        return _("Its COVID-safety plan is approved.")
    return code


def sentences(verdict: rules.Verdict, ctx: Context) -> tuple[str, ...]:
    return tuple(sentence(code, values, ctx, verdict.conditions) for code, values in verdict.reasons)
