"""Revoking a permit or a green-lane registration puts its pass id into the next checkpoints bundle."""

import json
from typing import Any

import pytest

from phaodai.passes import selectors
from phaodai.passes import services as passes
from phaodai.passes.models import Bundle

pytestmark = pytest.mark.django_db


def revoked_in_bundle() -> list[str]:
    latest = Bundle.objects.order_by("-version").first()
    assert latest is not None
    return list(json.loads(latest.document)["bundle"]["value_sets"]["revoked-passes"])


def publish(by: Any, clock: Any = None) -> None:
    kw = {"clock": clock} if clock else {}
    passes.rotate_key(by=by, purpose="passes", label="k", pass_types=["permit", "vehicle"], **kw)
    passes.rotate_key(by=by, purpose="bundles", label="b", **kw)
    passes.publish_scope(by=by, scope="checkpoints", **kw)


def test_a_revoked_permit_reaches_the_bundle(city_commander, ward_officer_bo_de, unit):
    from phaodai.permits import services as permits
    from phaodai.permits.tests.conftest import org_details, staff_row

    publish(city_commander)
    org, _ = permits.register_organisation(by=ward_officer_bo_de, ward=unit("00139"), details=org_details())
    entry = permits.submit_entry(by=ward_officer_bo_de, organisation=org, row=staff_row()).entry
    permit = permits.decide_entry(by=ward_officer_bo_de, entry=entry, approve=True).permit
    assert permit is not None and revoked_in_bundle() == []
    permits.revoke_permit(by=ward_officer_bo_de, permit=permit, reason="Nghỉ việc")
    assert revoked_in_bundle() == [permit.pass_id]
    assert Bundle.objects.count() == 2


def test_a_revoked_green_lane_reaches_the_bundle(city_commander, district_officer_long_bien, unit):
    from phaodai.vehicles import services as vehicles
    from phaodai.vehicles.tests.conftest import CLOCK, green_lane_fields

    publish(city_commander, clock=CLOCK)
    registration, _ = vehicles.register_green_lane(
        by=district_officer_long_bien, unit=unit("004"), clock=CLOCK, **green_lane_fields()
    )
    # submitted, not approved: no pass was signed, nothing to publish
    vehicles.revoke_green_lane(by=district_officer_long_bien, registration=registration, clock=CLOCK)
    assert Bundle.objects.count() == 1
    other, _ = vehicles.register_green_lane(
        by=district_officer_long_bien, unit=unit("004"), clock=CLOCK, **green_lane_fields(plate="29C-555.55")
    )
    approved = vehicles.approve_green_lane(by=district_officer_long_bien, registration=other, clock=CLOCK)
    vehicles.revoke_green_lane(by=district_officer_long_bien, registration=approved, clock=CLOCK)
    assert revoked_in_bundle() == [approved.reference]
    assert selectors.revoked_pass_ids(CLOCK()) == [approved.reference]
