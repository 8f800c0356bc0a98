"""Telling wards of their residents' new positive results, which await confirmation as cases (S18)."""

from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from phaodai.accounts.roles import Perm
from phaodai.core.clock import Clock, now
from phaodai.diagnostics.models import Outcome, Sample
from phaodai.diagnostics.selectors import persons_with_case_q
from phaodai.notifications.services import notify
from phaodai.territory import selectors as territory


def announce_positives(sample_ids: Sequence[int], *, clock: Clock = now) -> int:
    """Tell each ward of its residents' new positive results that await confirmation as a case.

    Only positive samples whose person has no case for them yet; each sample once (Sample.announced_at
    is the marker, claimed under a row lock), one notification per ward per call. Returns the number of
    samples announced. Called after each committed import batch and by the manual result path.
    """
    ids = sorted({int(pk) for pk in sample_ids})
    if not ids:
        return 0
    moment = clock()
    announced = 0
    with transaction.atomic():
        rows = list(
            Sample.objects.select_for_update()
            .filter(pk__in=ids, outcome=Outcome.POSITIVE, announced_at__isnull=True)
            .exclude(persons_with_case_q())
            .order_by("pk")
            .values_list("pk", "path", "code")
        )
        if not rows:
            return 0
        Sample.objects.filter(pk__in=[pk for pk, _path, _code in rows]).update(announced_at=moment)
        by_ward: dict[str, list[tuple[int, str]]] = {}
        for pk, path, code in rows:
            by_ward.setdefault(path, []).append((pk, code))
        url = reverse("diagnostics:positives")
        for path, samples in sorted(by_ward.items()):
            ward = territory.unit_by_path(path)
            if ward is None:
                continue
            notify(
                ward,
                kind="diagnostics.positive_to_confirm",
                subject=ngettext(
                    "%(n)d positive test result awaits confirmation as a case",
                    "%(n)d positive test results await confirmation as cases",
                    len(samples),
                )
                % {"n": len(samples)},
                body=_("Sample codes: %(codes)s") % {"codes": ", ".join(code for _pk, code in samples[:50])},
                url=url,
                perm=Perm.TRACE,
                severity="urgent",
                dedupe_key=f"diagnostics.positives:{path}:{samples[0][0]}",
                clock=clock,
            )
            announced += len(samples)
    return announced
