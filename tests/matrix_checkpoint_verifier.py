"""The offline checkpoint verifier's rows of the authorization matrix: the page, its worker, its manifest.

The page is for officers who verify passes at that checkpoint (checkpoints.verify at its focal unit or
other side). Objects: the checkpoints of `build_checkpoints` (Hà Đông's QL6 Yên Nghĩa, 268-01; Long
Biên's Chương Dương bridge head, 004-01) and, built here, signing keys and a published "checkpoints"
bundle, so the page pins real anchors. Hà Đông's page: the city and Hà Đông's checkpoint officer; Long
Biên's district officer verifies elsewhere (404). Long Biên's page: the city and Long Biên's officer; the
checkpoint officer 404. Roles without checkpoints.verify: 403; anonymous: redirected to sign in. The
service worker and the manifest are public (a browser fetches them without a session) and hold nothing
personal: 200 for everyone.
"""

from collections.abc import Callable
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

VERIFIERS = {"city_commander", "checkpoint_officer_ql6", "district_officer_long_bien"}


def statuses(ok: set[str], *, elsewhere: set[str]) -> dict[str, int]:
    """200 for `ok`, 404 for verifiers who act elsewhere, 403 for those who verify nowhere, 302 anonymous."""
    result = {ANON: 302}
    for persona in PERSONAS:
        result[persona] = 200 if persona in ok else 404 if persona in elsewhere else 403
    return result


def build_checkpoint_verifier(request: Any) -> Any:
    """Pass and bundle keys and a published "checkpoints" bundle (the S23 rule file)."""
    from phaodai.passes import services
    from phaodai.passes.payload import PassType

    city = request.getfixturevalue("city_commander")
    services.rotate_key(by=city, purpose="passes", label="Matrix passes", pass_types=list(PassType))
    services.rotate_key(by=city, purpose="bundles", label="Matrix bundles")
    bundle, _published = services.publish_scope(by=city, scope="checkpoints")
    return bundle


def checkpoint_verifier_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def page(which: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            world.lazy("checkpoint_verifier")
            return f"/checkpoints/{getattr(world.lazy('checkpoints'), which).pk}/verify/"

        return url

    everyone = dict.fromkeys([ANON, *PERSONAS], 200)
    return {
        "checkpoints:verifier": [
            req(page("ql6"), statuses({"city_commander", "checkpoint_officer_ql6"}, elsewhere=VERIFIERS)),
            req(
                page("bridge"),
                statuses({"city_commander", "district_officer_long_bien"}, elsewhere=VERIFIERS),
            ),
        ],
        "checkpoints:verifier_worker": [req("/checkpoints/verifier/sw.js", everyone)],
        "checkpoints:verifier_manifest": [
            req("/checkpoints/verifier/manifest.webmanifest?checkpoint=1", everyone),
            req("/checkpoints/verifier/manifest.webmanifest?checkpoint=x", everyone),
        ],
    }
