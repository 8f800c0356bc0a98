"""The "Inspections and violations" section of a business's page (business/business.html includes it).

The business page has already checked that the user may see the business. Officials read its
inspections (planned ones only when they inspect in its unit: a surprise visit must stay a surprise)
and its violations; its representative reads the violations and any closure, not the inspectors' plans
nor the names of individual offenders.

The two reads below belong in selectors.py (`inspections_of_business`, `violations_of_business`); the
lead moves them there.
"""

from typing import Any

from phaodai.accounts.roles import Perm
from phaodai.business import selectors as business_selectors
from phaodai.core.jurisdiction import covers
from phaodai.core.language import localized
from phaodai.inspections import selectors
from phaodai.inspections.forms import MEASURE_CHOICES
from phaodai.inspections.models import Closure, Inspection, Violation

LISTED = 50
# Visits the business may not learn of in advance.
UNANNOUNCED = (Inspection.Status.PLANNED, Inspection.Status.CANCELLED)


def business_section(user: Any, business: Any) -> dict[str, Any]:
    """What the user may read of the business's inspections, violations and closure."""
    inspector = any(covers(user, business.path, perm) for perm in selectors.READER_PERMS)
    official = inspector or business_selectors.is_official(user)
    measure_names = dict(MEASURE_CHOICES)
    violations: list[Any] = list(
        Violation.objects.filter(inspection__business=business.pk)
        .select_related("kind", "inspection__team")
        .order_by("-decided_at", "-pk")[:LISTED]
    )
    for violation in violations:
        violation.kind_label = localized(violation.kind, "description")
        violation.measure_labels = [str(measure_names.get(m, m)) for m in violation.measures]
    closure = (
        Closure.objects.filter(business=business.pk, lifted_at__isnull=True)
        .select_related("violation__kind", "violation__inspection__team")
        .first()
    )
    inspections: list[Inspection] = []
    readable: set[int] = set()
    if official:
        rows = Inspection.objects.filter(business=business.pk).select_related("team")
        if not inspector:
            rows = rows.exclude(status__in=UNANNOUNCED)
        inspections = list(rows.order_by("-scheduled_at", "-pk")[:LISTED])
        if inspector:
            ids = [i.pk for i in inspections]
            readable = set(selectors.inspections_for(user).filter(pk__in=ids).values_list("pk", flat=True))
    return {
        "business": business,
        "official": official,
        "inspections": inspections,
        "readable": readable,
        "violations": violations,
        "closure": closure,
        "closure_kind": localized(closure.violation.kind, "description") if closure else "",
        "may_plan": covers(user, business.path, Perm.INSPECT),
    }
