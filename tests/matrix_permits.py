"""The travel-permit rows of the authorization matrix: the desk, organisations, staff lists, decisions,
permits and their PDFs, the holder's phone page, and the API.

Objects (built lazily by `build_permits`) belong to Bồ Đề (00139): an organisation the ward officer
registered (confirmed) with a pending entry, an approved entry whose permit was issued, and an approved
entry not issued yet; a business the representative of Bồ Đề acts for, and that representative's
pending registration. Officers with ISSUE_PERMITS over Bồ Đề (the city, Long Biên, Bồ Đề's ward) act;
officers elsewhere (Phúc Xá, the Hà Đông checkpoint officer) get 404; the representative reads only
their own organisation (404 for the ward's) and may not decide (403); other roles 403. Anonymous pages
redirect to sign-in, the API answers 401; the holder's page (an unguessable link) answers everyone.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

ACTING = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de"}
ELSEWHERE = {"ward_officer_phuc_xa", "checkpoint_officer_ql6"}
OFFICERS = ACTING | ELSEWHERE
REP = "business_rep_bo_de"
CCCD_PENDING = "001085012345"
CCCD_ISSUED = "001190054321"
CCCD_APPROVED = "001079000777"
BO_DE_CCCD = "001085012345"  # the matrix world's Bồ Đề resident


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    """The status named for each persona in `ok`; `other` for the rest."""
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


@dataclass
class PermitsObjects:
    org: Any
    rep_org: Any
    pending: Any
    approved: Any
    permit: Any


def build_permits(request: Any) -> PermitsObjects:
    from phaodai.business import services as business
    from phaodai.core.clock import local_date, now
    from phaodai.passes import services as passes
    from phaodai.permits import services

    unit = request.getfixturevalue("unit")
    city = request.getfixturevalue("city_commander")
    officer = request.getfixturevalue("ward_officer_bo_de")
    rep = request.getfixturevalue(REP)
    bo_de = unit("00139")
    passes.rotate_key(by=city, purpose="passes", label="Khóa ký giấy đi đường", pass_types=["permit"])
    org, _ = services.register_organisation(
        by=officer, ward=bo_de, details=services.OrganisationDetails(
            name="Công ty Môi trường đô thị Long Biên", address="Số 1 Ngọc Lâm", contact_name="Trần Văn Hải",
            governing_body="UBND quận Long Biên",
        ),
    )  # fmt: skip
    company = business.register_business(
        by=officer, tax_code="0100109106", name="Công ty Vận tải Bồ Đề", kind="factory", sector="factory",
        address="Số 5 Nguyễn Văn Cừ", unit=bo_de,
    )  # fmt: skip
    business.add_representative(by=officer, business=company, user=rep)
    rep_org, _ = services.register_organisation(
        by=rep, ward=bo_de, business=company, details=services.OrganisationDetails(
            name="Công ty Vận tải Bồ Đề", address="Số 5 Nguyễn Văn Cừ", contact_name="Phạm Thu",
        ),
    )  # fmt: skip
    today = local_date(now())

    def row(name: str, cccd: str, year: int) -> Any:
        return services.StaffRow(
            full_name=name, cccd=cccd, birth_year=year, group=2, purpose="Thu gom rác", zones="004",
            valid_from=today, valid_to=today + timedelta(days=6), job="Công nhân",
        )  # fmt: skip

    def submit(name: str, cccd: str, year: int) -> Any:
        return services.submit_entry(by=officer, organisation=org, row=row(name, cccd, year)).entry

    pending = submit("Nguyễn Văn An", CCCD_PENDING, 1985)
    issued = submit("Trần Thị Bình", CCCD_ISSUED, 1990)
    permit = services.decide_entry(by=officer, entry=issued, approve=True).permit
    approved = submit("Lê Văn Cường", CCCD_APPROVED, 1979)
    services.decide_entry(by=officer, entry=approved, approve=True, issue=False)
    return PermitsObjects(org, rep_org, pending, approved, permit)


def permits_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("permits")
            return path.format(
                org=o.org.pk, rep_org=o.rep_org.pk, pending=o.pending.pk, approved=o.approved.pk,
                permit=o.permit.pk, token=o.permit.token,
            )  # fmt: skip

        return url

    readers = statuses({**each(OFFICERS, 200), REP: 200}, anon=302)
    api_readers = statuses({**each(OFFICERS, 200), REP: 200}, anon=401)
    officers = statuses(each(OFFICERS, 200), anon=302)
    api_officers = statuses(each(OFFICERS, 200), anon=401)
    # A Bồ Đề object of the ward's organisation: the representative does not reach it.
    bo_de = statuses({**each(ACTING, 200), **each(ELSEWHERE | {REP}, 404)}, anon=302)
    api_bo_de = statuses({**each(ACTING, 200), **each(ELSEWHERE | {REP}, 404)}, anon=401)
    # Changes only officers make: the representative is refused (403) before the object is looked at.
    change = statuses({**each(ACTING, 302), **each(ELSEWHERE, 404)}, anon=302)
    api_change = statuses({**each(ACTING, 200), **each(ELSEWHERE, 404)}, anon=401)
    own_org = statuses({**each(ACTING, 200), **each(ELSEWHERE, 404), REP: 200}, anon=302)
    api_own_org = statuses({**each(ACTING, 200), **each(ELSEWHERE, 404), REP: 200}, anon=401)
    organisation_form = {
        "name": "Trung tâm Y tế Long Biên", "tax_code": "", "governing_body": "Sở Y tế Hà Nội",
        "address": "Số 2 Nguyễn Văn Cừ", "ward": "00139", "contact_name": "Lê Thị Hoa",
        "contact_phone": "", "contact_email": "",
    }  # fmt: skip
    entry_form = _entry_form()
    application_form = {"cccd": BO_DE_CCCD, "purpose": "food_medicine", "supporting_paper": "", "zones": "",
                        "route": "", **_days()}  # fmt: skip
    return {
        # pages
        "permits:home": [req(w("/permits/"), readers)],
        "permits:organisations": [req(w("/permits/organisations/?q=moi+truong"), readers)],
        "permits:organisation_create": [
            req(w("/permits/organisations/new/"), readers),
            # Officers elsewhere cannot choose Bồ Đề (422); the representative is no officer (403).
            req(
                w("/permits/organisations/new/"),
                statuses({**each(ACTING, 302), **each(ELSEWHERE, 422)}, anon=302),
                method="post",
                data=organisation_form,
            ),
        ],
        "permits:organisation": [
            req(w("/permits/organisations/{org}/"), bo_de),
            req(w("/permits/organisations/{rep_org}/"), own_org),
        ],
        "permits:organisation_edit": [
            req(w("/permits/organisations/{org}/edit/"), bo_de),
            req(w("/permits/organisations/{rep_org}/edit/"), own_org),
            # An empty form: refused on its fields (422) by those who may change it.
            req(
                w("/permits/organisations/{org}/edit/"),
                statuses({**each(ACTING, 422), **each(ELSEWHERE | {REP}, 404)}, anon=302),
                method="post",
                data={},
            ),
        ],
        "permits:organisation_confirm": [
            req(w("/permits/organisations/{rep_org}/confirm/"), change, method="post"),
        ],
        "permits:entry_create": [
            req(w("/permits/organisations/{org}/entries/new/"), bo_de),
            req(
                w("/permits/organisations/{org}/entries/new/"),
                statuses({**each(ACTING, 302), **each(ELSEWHERE | {REP}, 404)}, anon=302),
                method="post",
                data=entry_form,
            ),
        ],
        "permits:entries_upload": [req(w("/permits/organisations/{org}/entries/upload/"), bo_de)],
        "permits:organisation_pdf": [req(w("/permits/organisations/{org}/permits.pdf"), bo_de)],
        "permits:application_create": [
            req(w("/permits/applications/new/"), officers),
            # Officers elsewhere do not find a Bồ Đề resident by CCCD (422, the same as an unknown one).
            req(
                w("/permits/applications/new/"),
                statuses({**each(ACTING, 302), **each(ELSEWHERE, 422)}, anon=302),
                method="post",
                data=application_form,
            ),
        ],
        "permits:entry": [req(w("/permits/entries/{pending}/"), bo_de)],
        "permits:entry_decide": [
            req(
                w("/permits/entries/{pending}/decide/"),
                change,
                method="post",
                data={"decision": "reject", "reason": "Không thuộc diện"},
            ),
        ],
        "permits:entry_issue": [req(w("/permits/entries/{approved}/issue/"), change, method="post")],
        "permits:permit": [req(w("/permits/{permit}/"), bo_de)],
        "permits:permit_pdf": [req(w("/permits/{permit}/pdf/"), bo_de)],
        "permits:permit_revoke": [
            req(w("/permits/{permit}/revoke/"), change, method="post", data={"reason": "Nghỉ việc"}),
        ],
        "permits:holder": [
            req(w("/permits/p/{token}/"), dict.fromkeys([ANON, *PERSONAS], 200)),
            req("/permits/p/not-a-token/", dict.fromkeys([ANON, *PERSONAS], 404)),
        ],
        "permits:holder_pdf": [
            req(w("/permits/p/{token}/pdf/"), dict.fromkeys([ANON, *PERSONAS], 200)),
            req("/permits/p/not-a-token/pdf/", dict.fromkeys([ANON, *PERSONAS], 404)),
        ],
        # API
        "api-v1:permits_groups": [
            req("/api/v1/permits/groups", statuses(each(set(PERSONAS), 200), anon=401))
        ],
        "api-v1:permits_organisations": [req(w("/api/v1/permits/organisations"), api_readers)],
        "api-v1:permits_organisation_register": [
            req(
                "/api/v1/permits/organisations",
                statuses({**each(ACTING, 201), **each(ELSEWHERE, 404)}, anon=401),
                method="post",
                json=True,
                data={k: v for k, v in organisation_form.items() if v},
            ),
        ],
        "api-v1:permits_organisation": [
            req(w("/api/v1/permits/organisations/{org}"), api_bo_de),
            req(w("/api/v1/permits/organisations/{rep_org}"), api_own_org),
        ],
        "api-v1:permits_organisation_confirm": [
            req(w("/api/v1/permits/organisations/{rep_org}/confirm"), api_change, method="post"),
        ],
        "api-v1:permits_entries": [req(w("/api/v1/permits/organisations/{org}/entries"), api_bo_de)],
        "api-v1:permits_entries_submit": [
            req(
                w("/api/v1/permits/organisations/{org}/entries"),
                statuses({**each(ACTING, 200), **each(ELSEWHERE | {REP}, 404)}, anon=401),
                method="post",
                json=True,
                data={"rows": [_api_row()]},
            ),
        ],
        "api-v1:permits_application": [
            req(
                "/api/v1/permits/applications",
                statuses({**each(ACTING, 201), **each(ELSEWHERE, 422)}, anon=401),
                method="post",
                json=True,
                data={"cccd": BO_DE_CCCD, "purpose": "food_medicine", **_days()},
            ),
        ],
        "api-v1:permits_entries_pending": [req("/api/v1/permits/entries/pending", api_officers)],
        "api-v1:permits_entry": [req(w("/api/v1/permits/entries/{pending}"), api_bo_de)],
        "api-v1:permits_entry_decide": [
            req(
                w("/api/v1/permits/entries/{pending}/decision"),
                api_change,
                method="post",
                json=True,
                data={"decision": "reject", "reason": "Không thuộc diện"},
            ),
        ],
        "api-v1:permits_entry_issue": [
            req(
                w("/api/v1/permits/entries/{approved}/issue"),
                statuses({**each(ACTING, 201), **each(ELSEWHERE, 404)}, anon=401),
                method="post",
            ),
        ],
        "api-v1:permits_revoked": [req("/api/v1/permits/revoked", api_officers)],
        "api-v1:permits_permit": [req(w("/api/v1/permits/{permit}"), api_bo_de)],
        "api-v1:permits_permit_revoke": [
            req(
                w("/api/v1/permits/{permit}/revoke"),
                api_change,
                method="post",
                json=True,
                data={"reason": "Nghỉ việc"},
            ),
        ],
    }


def _days() -> dict[str, str]:
    from phaodai.core.clock import local_date, now

    today = local_date(now())
    return {"valid_from": today.isoformat(), "valid_to": (today + timedelta(days=2)).isoformat()}


def _entry_form() -> dict[str, str]:
    return {
        "full_name": "Phạm Văn Dũng", "cccd": "001080001234", "birth_year": "1980", "job": "Lái xe",
        "group": "2", "purpose": "Chở hàng", "zones": "004", "route": "", "plate": "29C-123.45", **_days(),
    }  # fmt: skip


def _api_row() -> dict[str, Any]:
    return {
        "full_name": "Phạm Văn Dũng", "cccd": "001080001234", "birth_year": 1980, "group": 2,
        "purpose": "Chở hàng", "zones": ["004"], **_days(),
    }  # fmt: skip
