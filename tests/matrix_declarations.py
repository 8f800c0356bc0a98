"""The health-declaration rows of the authorization matrix.

The person's side (the form, the pass by its link, the public API) is open to everyone, signed in or
not. Officials' reads and follow-up need Perm.TRACE (officials of the units and health workers):
the Bồ Đề declaration is read by Bồ Đề's readers and those above; Phúc Xá's ward officer reads
declarations too, but not Bồ Đề's (404); welfare, lab, checkpoint, inspector and business get 403.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

READERS_BO_DE = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de", "health_worker_bo_de"}
READERS_ELSEWHERE = {"ward_officer_phuc_xa"}
OTHER_CCCD = "001190054321"  # Trần Thị Bình, born 1990, female


@dataclass
class DeclarationObjects:
    flagged: Any  # a Bồ Đề declaration reporting a fever, open for follow-up


def build_declarations(request: Any) -> DeclarationObjects:
    """A pass-signing key (now) and one flagged declaration of Bồ Đề filed by the person."""
    from phaodai.declarations import services
    from phaodai.declarations.tests.conftest import all_no, typed
    from phaodai.passes import services as passes

    passes.rotate_key(
        by=request.getfixturevalue("city_commander"),
        purpose="passes",
        label="Khóa ký khai báo y tế",
        pass_types=["declaration"],
    )
    flagged, _ = services.submit_declaration(data=typed(answers={**all_no(), "fever": True}))
    return DeclarationObjects(flagged=flagged)


def _statuses(
    allowed: set[str], ok: int, *, anon: int, elsewhere: frozenset[str] | set[str] = frozenset()
) -> dict[str, int]:
    result = {ANON: anon}
    for persona in PERSONAS:
        result[persona] = ok if persona in allowed else 404 if persona in elsewhere else 403
    return result


def declarations_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; paths are callables of the world so the objects are built only when needed."""
    from phaodai.declarations.tests.conftest import api_body, form_data

    def d(path: Callable[[DeclarationObjects], str]) -> Callable[[Any], str]:
        return lambda world: path(world.lazy("declarations"))

    everyone = dict.fromkeys([ANON, *PERSONAS], 200)
    everyone_missing = dict.fromkeys([ANON, *PERSONAS], 404)
    readers = READERS_BO_DE | READERS_ELSEWHERE
    other_form = form_data(id_number=OTHER_CCCD, birth_year="1990", gender="F", full_name="Trần Thị Bình")
    other_body = api_body(id_number=OTHER_CCCD, birth_year=1990, gender="F", full_name="Trần Thị Bình")
    return {
        # The person's side: open to all.
        "declarations:declare": [
            req("/declarations/new/", everyone),
            req(d(lambda o: "/declarations/new/"), dict.fromkeys([ANON, *PERSONAS], 302), method="post",
                data=other_form),
        ],
        "declarations:pass": [
            req(d(lambda o: f"/declarations/pass/{o.flagged.token}/"), everyone),
            req("/declarations/pass/not-a-token/", everyone_missing),
        ],
        "declarations:pass_pdf": [req(d(lambda o: f"/declarations/pass/{o.flagged.token}/pdf/"), everyone)],
        "api-v1:declaration_submit": [
            req(d(lambda o: "/api/v1/declarations/"), dict.fromkeys([ANON, *PERSONAS], 201), method="post",
                json=True, data=other_body),
        ],
        "api-v1:declaration_questions": [req("/api/v1/declarations/questions", everyone)],
        "api-v1:declaration_pass": [
            req(d(lambda o: f"/api/v1/declarations/passes/{o.flagged.token}"), everyone),
            req("/api/v1/declarations/passes/not-a-token", everyone_missing),
        ],
        # Officials' side: tracing readers, scoped.
        "declarations:index": [
            req(d(lambda o: "/declarations/"), _statuses(readers, 200, anon=302)),
            req(d(lambda o: "/declarations/"), _statuses(readers, 200, anon=302), method="post",
                data={"id_kind": "cccd", "id_number": "001085012345"}),
        ],
        "declarations:worklist": [
            req(d(lambda o: "/declarations/worklist/"), _statuses(readers, 200, anon=302)),
        ],
        "declarations:detail": [
            req(d(lambda o: f"/declarations/{o.flagged.pk}/"),
                _statuses(READERS_BO_DE, 200, anon=302, elsewhere=READERS_ELSEWHERE)),
        ],
        "declarations:follow_up": [
            req(d(lambda o: f"/declarations/{o.flagged.pk}/follow-up/"),
                _statuses(READERS_BO_DE, 302, anon=302, elsewhere=READERS_ELSEWHERE), method="post",
                data={"note": "Đã gọi điện"}),
        ],
        "api-v1:declaration_list": [
            req(d(lambda o: "/api/v1/declarations/list"), _statuses(readers, 200, anon=401)),
        ],
        "api-v1:declaration_find": [
            req(d(lambda o: "/api/v1/declarations/find"), _statuses(readers, 200, anon=401), method="post",
                json=True, data={"id_kind": "cccd", "id_number": "001085012345"}),
        ],
        "api-v1:declaration_detail": [
            req(d(lambda o: f"/api/v1/declarations/{o.flagged.pk}"),
                _statuses(READERS_BO_DE, 200, anon=401, elsewhere=READERS_ELSEWHERE)),
        ],
        "api-v1:declaration_follow_up": [
            req(d(lambda o: f"/api/v1/declarations/{o.flagged.pk}/follow-up"),
                _statuses(READERS_BO_DE, 200, anon=401, elsewhere=READERS_ELSEWHERE), method="post",
                json=True, data={"note": "Đã gọi điện"}),
        ],
    }  # fmt: skip
