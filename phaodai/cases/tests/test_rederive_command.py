"""The nightly rebuild: time alone moves a case out of the tracing horizon, and only the rebuild sees it."""

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from phaodai.cases import services
from phaodai.cases.models import TraceLevel
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.core.clock import hanoi

pytestmark = pytest.mark.django_db


@pytest.fixture
def traced_pair(resident: Any, health_worker_bo_de: Any) -> tuple[Any, Any]:
    f0, f1 = resident(0), resident(1)
    by = health_worker_bo_de
    services.record_case(by=by, person=f0, confirmed_at=SEPT_10_MORNING, detected_in="community",
                         source_known=False, test_ref="T-0", clock=at(SEPT_10_MORNING))  # fmt: skip
    met = services.ContactInput(exposed_on=date(2021, 9, 9), setting="household", person=f1)
    services.add_contacts(by=by, source=f0, contacts=[met], clock=at(hanoi(2021, 9, 10, 10)))
    return f0, f1


def test_the_nightly_rebuild_lets_a_case_older_than_the_horizon_go(traced_pair: tuple[Any, Any]) -> None:
    out = StringIO()
    call_command("cases_rederive", "--as-of", "2021-09-20", stdout=out)
    assert out.getvalue().strip() == "20/09/2021: F0: 1, F1: 1; active clusters: 1"
    assert TraceLevel.objects.count() == 2
    # 28 days after the confirmation the case leaves the horizon, and its contact with it.
    call_command("cases_rederive", "--as-of", "09/10/2021", stdout=out)
    assert "09/10/2021: nobody traced; active clusters: 0" in out.getvalue()
    assert not TraceLevel.objects.exists()


def test_a_day_that_is_not_one_is_refused_with_the_forms_accepted(traced_pair: tuple[Any, Any]) -> None:
    for wrong in ("2021-02-30", "yesterday", "01/01/0001"):
        with pytest.raises(CommandError, match="expected a day such as 2021-09-15 or 15/09/2021"):
            call_command("cases_rederive", "--as-of", wrong)
    assert TraceLevel.objects.count() == 2


def test_the_task_rebuilds_as_of_today(traced_pair: tuple[Any, Any], time_machine: Any) -> None:
    from phaodai.cases.tasks import rederive

    time_machine.move_to(hanoi(2021, 9, 12, 0, 5))
    assert rederive.call() == {"levels": [1, 1], "active_clusters": 1}
    time_machine.move_to(hanoi(2021, 10, 9, 0, 5))
    assert rederive.call() == {"levels": [], "active_clusters": 0}
