"""The demo's checkpoints: 55 registered, a week of rosters at three, crossings; a rerun adds nothing."""

import pytest

from phaodai.checkpoints.models import Checkpoint, Crossing, Shift, ShiftStaff
from phaodai.checkpoints.stats import checkpoint_day
from phaodai.demo.checkpoints_seed import CROSSING_DAYS, seed_checkpoints
from phaodai.demo.context import DemoContext


@pytest.mark.django_db
def test_the_demo_checkpoints_rosters_and_crossings_and_a_rerun_adds_nothing() -> None:
    ctx = DemoContext(write=lambda line: None)
    summary = seed_checkpoints(ctx)
    assert summary.startswith(
        "55 checkpoints registered (0 already there; 22 gateways, 33 district); 63 shifts;"
    )
    assert Checkpoint.objects.filter(kind="city_gateway").count() == 22
    ql6 = Checkpoint.objects.get(code="268-01")
    assert ql6.other_side is not None
    assert (ql6.unit.code, ql6.other_side.code, ql6.location) == (
        "268",
        "277",
        "Phường Yên Nghĩa, Quận Hà Đông",
    )
    assert Shift.objects.filter(checkpoint=ql6).count() == 21
    assert ShiftStaff.objects.filter(staff__user__username="checkpoint-268").count() == 5
    crossings = Crossing.objects.count()
    assert crossings == 2 * (180 + 240 + 150)
    day = checkpoint_day(Checkpoint.objects.get(code="CN-05"), CROSSING_DAYS[0])
    assert day.crossings == 240 and day.denied > 0 and day.reasons and day.peak is not None

    again = seed_checkpoints(ctx)
    assert again.startswith("0 checkpoints registered (55 already there")
    assert again.endswith("63 shifts; 0 crossings recorded")
    assert (Checkpoint.objects.count(), Shift.objects.count(), Crossing.objects.count()) == (
        55,
        63,
        crossings,
    )
