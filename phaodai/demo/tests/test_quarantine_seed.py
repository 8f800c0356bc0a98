"""The demo's quarantine facilities: Hà Đông's of S17 as the plan tells it, two in Long Biên, idempotent."""

import pytest

from phaodai.demo.context import DemoContext
from phaodai.demo.quarantine_seed import seed_quarantine
from phaodai.quarantine.models import Facility


@pytest.mark.django_db
def test_ha_dong_facilities_are_ready_or_preparing_as_the_plan_says_and_a_rerun_adds_nothing() -> None:
    ctx = DemoContext(write=lambda line: None)
    assert seed_quarantine(ctx).startswith("6 quarantine facilities registered")
    ha_dong = {f.name: f.readiness for f in Facility.objects.filter(unit__code="268")}
    assert ha_dong == {
        "Ký túc xá Trường Đại học Phenikaa": "ready",
        "Ký túc xá Trường Đại học Đại Nam": "ready",
        "Học viện Công nghệ Bưu chính Viễn thông": "preparing",
        "Trường Đại học Kiểm sát Hà Nội": "preparing",
    }
    assert all(f.is_school and f.return_due for f in Facility.objects.filter(unit__code="268"))
    assert Facility.objects.filter(unit__code="004", state="ready").count() == 2

    assert seed_quarantine(ctx).startswith("0 quarantine facilities registered (6 already there)")
    assert Facility.objects.count() == 6
