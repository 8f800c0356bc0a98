"""The vehicles rows of the authorization matrix: green lane, transit trips, shippers, the vehicle check.

Objects (built lazily by `build_vehicles`, dated from today so passes can be signed): a city pass key;
Hà Đông's city gateway CN-06 (QL6); in Long Biên (004) a submitted and an approved green-lane
registration, a transit trip and a shipper. Readers are the managers (city, Long Biên's district
officer) and the checkpoint officer of Hà Đông (verifies, does not manage): Long Biên's registrations
are 404 for them, and every change is 403 (pages) or 404 (API, which looks the object up first).
The check needs VERIFY_PASSES at the checkpoint: Hà Đông's gateway is 404 for Long Biên's officer.
Other roles: 403; anonymous pages redirect, the API answers 401.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

MANAGERS = {"city_commander", "district_officer_long_bien"}
CHECKPOINT_OFFICER = "checkpoint_officer_ql6"
LONG_BIEN = "district_officer_long_bien"
READERS = MANAGERS | {CHECKPOINT_OFFICER}


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


@dataclass
class VehiclesObjects:
    submitted: Any
    approved: Any
    trip: Any
    shipper: Any
    gateway: Any


def _days() -> tuple[Any, Any]:
    """Today 00:00 and 30 days on, Hà Nội time (no Django needed: rows are built at collection)."""
    from datetime import datetime

    from phaodai.core.clock import HANOI

    start = datetime.now(HANOI).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=30)


def build_vehicles(request: Any) -> VehiclesObjects:
    from phaodai.checkpoints import services as checkpoints
    from phaodai.passes import services as passes
    from phaodai.vehicles import services

    unit = request.getfixturevalue("unit")
    city = request.getfixturevalue("city_commander")
    passes.rotate_key(
        by=city, purpose="passes", label="Khóa ký thẻ phương tiện",
        pass_types=["vehicle", "transit", "shipper", "permit", "declaration", "market"],
    )  # fmt: skip
    start, end = _days()
    gateway = checkpoints.register_checkpoint(
        by=city, unit=unit("268"), code="CN-06", name="Chốt cửa ngõ QL6 Yên Nghĩa", kind="city_gateway",
        road="QL6", location="Phường Yên Nghĩa, Quận Hà Đông", neighbouring_province="Hòa Bình",
        active_from=start - timedelta(days=10),
    )  # fmt: skip
    green: dict[str, Any] = {
        "operator": "Công ty CP Vận tải Hà Nội",
        "cargo": "Rau củ",
        "route": "QL6 → Long Biên",
    }
    submitted, _ = services.register_green_lane(
        by=city, unit=unit("004"), plate="29C-111.11", valid_from=start, valid_to=end, **green
    )
    approved, _ = services.register_green_lane(
        by=city, unit=unit("004"), plate="29C-222.22", valid_from=start, valid_to=end, **green
    )
    approved = services.approve_green_lane(by=city, registration=approved)
    trip, _ = services.register_transit(
        by=city, unit=unit("004"), plate="51D-678.90", from_province="Hòa Bình", to_province="Bắc Ninh",
        valid_from=start, valid_to=start + timedelta(days=2), entry_checkpoint=gateway, expected_hours=4,
    )  # fmt: skip
    shipper, _ = services.register_shipper(
        by=city, unit=unit("004"), full_name="Phạm Minh Tuấn", company="Giao hàng nhanh", cccd="001095012345",
        plate="29H1-234.56", hours_start="06:00", hours_end="18:00", zones=["004"], valid_from=start,
        valid_to=end,
    )  # fmt: skip
    return VehiclesObjects(submitted, approved, trip, shipper, gateway)


def _bodies() -> dict[str, dict[str, Any]]:
    start, end = _days()
    start_text, end_text = start.isoformat(), end.isoformat()
    day = start.strftime("%d/%m/%Y")
    last = (end - timedelta(days=1)).strftime("%d/%m/%Y")
    return {
        "green_api": {
            "plate": "29C-333.33", "operator": "Công ty A", "cargo": "Gạo", "route": "QL1",
            "valid_from": start_text, "valid_to": end_text,
        },
        "transit_api": {
            "plate": "51D-999.99", "from_province": "Hòa Bình", "to_province": "Bắc Ninh",
            "entry_checkpoint": "CN-06", "valid_from": start_text,
            "valid_to": (start + timedelta(days=1)).isoformat(), "expected_hours": 4,
        },
        "shipper_api": {
            "full_name": "Lê Thị Hoa", "company": "Giao hàng nhanh", "cccd": "001195054321",
            "plate": "29H1-765.43", "hours_start": "06:00", "hours_end": "18:00", "zones": ["004"],
            "valid_from": start_text, "valid_to": end_text,
        },
        "green_form": {
            "unit": "004", "plate": "29C-444.44", "operator": "Công ty A", "cargo": "Gạo", "route": "QL1",
            "valid_from": day, "valid_to": last, "token": "matrix-green",
        },
        "transit_form": {
            "unit": "004", "plate": "51D-888.88", "from_province": "Hòa Bình", "to_province": "Bắc Ninh",
            "entry_checkpoint": "CN-06", "valid_from": start.strftime("%Y-%m-%dT%H:%M"),
            "valid_to": (start + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), "expected_hours": "4",
            "token": "matrix-transit",
        },
        "shipper_form": {
            "unit": "004", "full_name": "Lê Thị Hoa", "company": "Giao hàng nhanh", "cccd": "001195054321",
            "plate": "29H1-765.43", "hours_start": "06:00", "hours_end": "18:00", "zones": "004",
            "valid_from": day, "valid_to": last, "token": "matrix-shipper",
        },
    }  # fmt: skip


def vehicles_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("vehicles")
            return path.format(
                submitted=o.submitted.pk, approved=o.approved.pk, trip=o.trip.pk, shipper=o.shipper.pk,
                gateway=o.gateway.pk,
            )  # fmt: skip

        return url

    bodies = _bodies()
    # Creations need the world too (the pass key, the gateway CN-06): `w` builds it first.
    readers = statuses(each(READERS, 200), anon=302)
    api_readers = statuses(each(READERS, 200), anon=401)
    # Long Biên's objects: the checkpoint officer of Hà Đông reads elsewhere (404).
    long_bien = statuses({**each(MANAGERS, 200), CHECKPOINT_OFFICER: 404}, anon=302)
    api_long_bien = statuses({**each(MANAGERS, 200), CHECKPOINT_OFFICER: 404}, anon=401)
    # The trip enters at Hà Đông's gateway: Hà Đông's checkpoint officer reads it (watching for it to
    # leave) but only a manager of Long Biên, which registered it, may revoke it.
    trip_page = statuses(each(READERS, 200), anon=302)
    trip_api = statuses(each(READERS, 200), anon=401)
    trip_api_revoke = statuses({**each(MANAGERS, 200), CHECKPOINT_OFFICER: 403}, anon=401)
    managers_get = statuses(each(MANAGERS, 200), anon=302)
    managers_post = statuses(each(MANAGERS, 302), anon=302)
    api_create = statuses(each(MANAGERS, 201), anon=401)
    # Hà Đông's gateway: the city and Hà Đông's checkpoint officer check there; Long Biên does not reach it.
    check_page = statuses({**each(READERS, 200), LONG_BIEN: 404}, anon=302)
    check_api = statuses({**each(READERS, 200), LONG_BIEN: 404}, anon=401)
    decision = {"version": "1", "note": "Kiểm tra ma trận"}
    api_decision = {"version": None, "note": ""}
    return {
        # pages
        "vehicles:green_lanes": [req("/vehicles/?q=29C&status=submitted", readers)],
        "vehicles:green_lane_new": [
            req("/vehicles/green-lane/new/", managers_get),
            req("/vehicles/green-lane/new/", managers_post, method="post", data=bodies["green_form"]),
        ],
        "vehicles:green_lane_import": [req("/vehicles/green-lane/import/", managers_get)],
        "vehicles:green_lane": [req(w("/vehicles/green-lane/{submitted}/"), long_bien)],
        "vehicles:green_lane_decide": [
            req(
                w("/vehicles/green-lane/{submitted}/decide/"),
                managers_post,
                method="post",
                data={**decision, "action": "approve"},
            ),
        ],
        "vehicles:green_lane_revoke": [
            req(
                w("/vehicles/green-lane/{approved}/revoke/"),
                managers_post,
                method="post",
                data={**decision, "version": "2"},
            ),
        ],
        "vehicles:green_lane_card": [req(w("/vehicles/green-lane/{approved}/card.pdf"), long_bien)],
        "vehicles:transits": [req("/vehicles/transit/?q=51D", readers)],
        "vehicles:transits_overdue": [req("/vehicles/transit/overdue/", readers)],
        "vehicles:transit_new": [
            req("/vehicles/transit/new/", managers_get),
            req(w("/vehicles/transit/new/"), managers_post, method="post", data=bodies["transit_form"]),
        ],
        "vehicles:transit": [req(w("/vehicles/transit/{trip}/"), trip_page)],
        "vehicles:transit_revoke": [
            req(w("/vehicles/transit/{trip}/revoke/"), managers_post, method="post", data=decision)
        ],
        "vehicles:shippers": [req("/vehicles/shippers/", readers)],
        "vehicles:shipper_new": [
            req("/vehicles/shippers/new/", managers_get),
            req(w("/vehicles/shippers/new/"), managers_post, method="post", data=bodies["shipper_form"]),
        ],
        "vehicles:shipper": [req(w("/vehicles/shippers/{shipper}/"), long_bien)],
        "vehicles:shipper_revoke": [
            req(w("/vehicles/shippers/{shipper}/revoke/"), managers_post, method="post", data=decision)
        ],
        "vehicles:check": [
            req("/vehicles/check/", readers),
            req(w("/vehicles/check/?plate=29C-222.22&checkpoint={gateway}"), check_page),
        ],
        # API
        "api-v1:vehicles_green_lanes": [req("/api/v1/vehicles/green-lanes?status=approved", api_readers)],
        "api-v1:vehicles_green_lane_register": [
            req(
                "/api/v1/vehicles/green-lanes", api_create, method="post", json=True, data=bodies["green_api"]
            )
        ],
        "api-v1:vehicles_green_lane": [req(w("/api/v1/vehicles/green-lanes/{approved}"), api_long_bien)],
        "api-v1:vehicles_green_lane_approve": [
            req(
                w("/api/v1/vehicles/green-lanes/{submitted}/approve"),
                api_long_bien,
                method="post",
                json=True,
                data=api_decision,
            ),
        ],
        "api-v1:vehicles_green_lane_reject": [
            req(
                w("/api/v1/vehicles/green-lanes/{submitted}/reject"),
                api_long_bien,
                method="post",
                json=True,
                data=api_decision,
            ),
        ],
        "api-v1:vehicles_green_lane_revoke": [
            req(
                w("/api/v1/vehicles/green-lanes/{approved}/revoke"),
                api_long_bien,
                method="post",
                json=True,
                data=api_decision,
            ),
        ],
        "api-v1:vehicles_transits": [req("/api/v1/vehicles/transits", api_readers)],
        "api-v1:vehicles_transit_register": [
            req(
                w("/api/v1/vehicles/transits"),
                api_create,
                method="post",
                json=True,
                data=bodies["transit_api"],
            )
        ],
        "api-v1:vehicles_transits_overdue": [req("/api/v1/vehicles/transits/overdue", api_readers)],
        "api-v1:vehicles_transit": [req(w("/api/v1/vehicles/transits/{trip}"), trip_api)],
        "api-v1:vehicles_transit_revoke": [
            req(
                w("/api/v1/vehicles/transits/{trip}/revoke"),
                trip_api_revoke,
                method="post",
                json=True,
                data=api_decision,
            ),
        ],
        "api-v1:vehicles_shippers": [req("/api/v1/vehicles/shippers", api_readers)],
        "api-v1:vehicles_shipper_register": [
            req(
                w("/api/v1/vehicles/shippers"),
                api_create,
                method="post",
                json=True,
                data=bodies["shipper_api"],
            )
        ],
        "api-v1:vehicles_shipper": [req(w("/api/v1/vehicles/shippers/{shipper}"), api_long_bien)],
        "api-v1:vehicles_shipper_revoke": [
            req(
                w("/api/v1/vehicles/shippers/{shipper}/revoke"),
                api_long_bien,
                method="post",
                json=True,
                data=api_decision,
            ),
        ],
        "api-v1:vehicles_check": [
            req(w("/api/v1/vehicles/check?plate=29C-222.22&checkpoint={gateway}"), check_api)
        ],
    }
