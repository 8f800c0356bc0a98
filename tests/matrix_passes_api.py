"""The passes API rows of the authorization matrix, and the checkpoints' server verification.

Objects (built lazily by `build_passes_api`): signing keys and the published S23 "checkpoints" bundle,
Hà Đông's QL6 gateway (CN-09) and Long Biên's Chương Dương checkpoint (004-09).
- Bundle, anchors and trust list are public: 200 for everyone, anonymous included (404 for a scope
  with no bundle).
- POST /api/v1/checkpoints/{pk}/verify needs checkpoints.verify at the checkpoint: the city and
  Hà Đông's checkpoint officer verify at the gateway, Long Biên's district officer does not reach it
  (404); at Long Biên's checkpoint it is the other way round; other roles 403, anonymous 401. The code
  sent is not Base45: every allowed persona gets 200 "denied, bad_base45" and nothing is logged.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.matrix_personas import ANON, PERSONAS


def verifying(ok: set[str], elsewhere: set[str]) -> dict[str, int]:
    return {ANON: 401, **{p: 200 if p in ok else 404 if p in elsewhere else 403 for p in PERSONAS}}


@dataclass
class PassesObjects:
    gateway: Any
    long_bien: Any


def build_passes_api(request: Any) -> PassesObjects:
    from phaodai.checkpoints import services as checkpoints
    from phaodai.core.clock import hanoi
    from phaodai.passes import services as passes
    from phaodai.passes.payload import PassType

    unit = request.getfixturevalue("unit")
    city = request.getfixturevalue("city_commander")
    passes.rotate_key(by=city, purpose="passes", label="Matrix passes", pass_types=[str(t) for t in PassType])
    passes.rotate_key(by=city, purpose="bundles", label="Matrix bundles")
    passes.publish_scope(by=city, scope="checkpoints")
    gateway = checkpoints.register_checkpoint(
        by=city, unit=unit("268"), code="CN-09", name="Cửa ngõ QL6", kind="city_gateway", road="QL6",
        location="Phường Yên Nghĩa, Quận Hà Đông", active_from=hanoi(2021, 8, 23, 6),
    )  # fmt: skip
    long_bien = checkpoints.register_checkpoint(
        by=city, unit=unit("004"), code="004-09", name="Chốt cầu Chương Dương", kind="district",
        road="Nguyễn Văn Cừ", location="Phường Ngọc Lâm, Quận Long Biên", active_from=hanoi(2021, 8, 23, 6),
    )  # fmt: skip
    return PassesObjects(gateway, long_bien)


def passes_api_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    def published(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            world.lazy("passes_api")
            return path

        return url

    def verify(attr: str) -> Callable[[Any], str]:
        return lambda world: f"/api/v1/checkpoints/{getattr(world.lazy('passes_api'), attr).pk}/verify"

    everyone = {ANON: 200, **dict.fromkeys(PERSONAS, 200)}
    nobody = {ANON: 404, **dict.fromkeys(PERSONAS, 404)}
    scan = {"code": "PD1:not base45", "declaration": None, "direction": "in", "device_id": "matrix",
            "local_id": "v1"}  # fmt: skip
    return {
        "api-v1:passes_bundle": [
            req(published("/api/v1/passes/bundles/checkpoints"), everyone),
            req("/api/v1/passes/bundles/elsewhere", nobody),
        ],
        "api-v1:passes_anchors": [req("/api/v1/passes/anchors", everyone)],
        "api-v1:passes_trust_list": [req(published("/api/v1/passes/trust-list"), everyone)],
        "api-v1:checkpoints_verify": [
            req(
                verify("gateway"),
                verifying({"city_commander", "checkpoint_officer_ql6"}, {"district_officer_long_bien"}),
                method="post", data=scan, json=True,
            ),
            req(
                verify("long_bien"),
                verifying({"city_commander", "district_officer_long_bien"}, {"checkpoint_officer_ql6"}),
                method="post", data=scan, json=True,
            ),
        ],
    }  # fmt: skip
