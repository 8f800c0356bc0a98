"""The demo's situation reports: filed through the services, the acceptance day as told, idempotent."""

from datetime import date

import pytest

from phaodai.demo.context import DemoContext
from phaodai.demo.reports_seed import LATE_WARD, SILENT_WARD, seed_reports
from phaodai.sitreps import selectors
from phaodai.sitreps.models import Submission, UrgentReport


@pytest.mark.django_db
def test_reports_tell_the_story_and_a_rerun_adds_nothing(district_officer_long_bien) -> None:
    ctx = DemoContext(write=lambda line: None)
    seed_reports(ctx)
    count = Submission.objects.count()
    assert count > 14 * 15 + 30 * 3 * 7 * 0.9

    schedule = selectors.schedule_by_code("ward-daily-1630")
    [slot] = selectors.timeliness(schedule, date(2021, 9, 8), district_officer_long_bien)
    assert (slot.expected, len(slot.on_time)) == (14, 12)
    assert [unit.code for unit in slot.late] == [LATE_WARD]
    assert [unit.code for unit in slot.missing] == [SILENT_WARD]
    assert UrgentReport.objects.filter(acknowledged_at__isnull=False).count() == 1

    seed_reports(ctx)
    assert Submission.objects.count() == count
