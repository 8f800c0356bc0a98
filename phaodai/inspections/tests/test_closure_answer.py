"""A closure shuts a business even where its sector needs no plan, and "may we operate?" says why."""

from typing import Any

import pytest

from phaodai.business import selectors as business_selectors
from phaodai.core.clock import hanoi
from phaodai.inspections import services
from phaodai.inspections.tests.conftest import at
from phaodai.inspections.tests.test_services import all_fine, fine_and_close, surprise_visit

pytestmark = pytest.mark.django_db


def test_a_closed_restaurant_may_not_operate_until_its_reinspection_passes(
    team_3: Any, inspector_team_3: Any, approved_factory: Any, restaurant: Any
) -> None:
    # takeaway needs no plan here: before the visit the regime alone decides, and it allows takeaway
    assert business_selectors.may_operate(restaurant, hanoi(2021, 9, 11, 8)).may_operate is True

    visit = surprise_visit(team_3, inspector_team_3, restaurant)
    services.record_findings(
        by=inspector_team_3,
        inspection=visit,
        findings=all_fine(except_=("qr_checkin",)),
        clock=at(hanoi(2021, 9, 11, 9, 40)),
    )
    fine_and_close(inspector_team_3, visit, offender_name="Quán Phở Bồ Đề", fine_amount=12_000_000)
    visit = services.finish_inspection(
        by=inspector_team_3, inspection=visit, clock=at(hanoi(2021, 9, 11, 10, 30))
    )

    closed = business_selectors.operating_answer(restaurant, hanoi(2021, 9, 12, 9))
    assert closed.may_operate is False
    assert closed.reasons[0].startswith("Closed by order since 10:00 11/09/2021:")
    assert "25/QĐ-XPHC" in closed.reasons[0]
    assert "Tổ công tác số 3" in closed.reasons[0]
    # the answer for a moment before the closure is unchanged: a closure has a start
    assert business_selectors.may_operate(restaurant, hanoi(2021, 9, 11, 9)).may_operate is True
    # the public answer says the same, without naming any person
    public = business_selectors.public_answer("0100109106", hanoi(2021, 9, 12, 9))
    assert public[0].may_operate is False
    assert "Phạm Văn Giám" not in " ".join(public[0].reasons)

    again = services.plan_reinspection(
        by=inspector_team_3,
        team=team_3,
        of=visit,
        scheduled_at=hanoi(2021, 9, 14, 9),
        clock=at(hanoi(2021, 9, 13)),
    )
    again = services.start_inspection(by=inspector_team_3, inspection=again, clock=at(hanoi(2021, 9, 14, 9)))
    services.record_findings(
        by=inspector_team_3, inspection=again, findings=all_fine(), clock=at(hanoi(2021, 9, 14, 9, 30))
    )
    services.finish_inspection(by=inspector_team_3, inspection=again, clock=at(hanoi(2021, 9, 14, 10)))

    assert business_selectors.may_operate(restaurant, hanoi(2021, 9, 14, 11)).may_operate is True
    # and history still reads as it was
    assert business_selectors.may_operate(restaurant, hanoi(2021, 9, 13, 11)).may_operate is False
