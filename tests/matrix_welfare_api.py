"""The welfare API rows of the authorization matrix (/api/v1/welfare).

Objects (built lazily by `build_welfare_api`): a test programme "MX-TEST" in force today (the shipped
ones are 2021's), posted for 0 days; Bồ Đề (00139, Long Biên) residents whose applications stand at
every step: filed (A), reviewed and not yet posted, posted on list L1 with an open objection, on a
a list L0 ready to send to the district, on a
submitted list L2, on an appraised list L3, and two approved in decision D1: one line paid, one to pay.

Readers are whoever files, appraises or pays support over Bồ Đề (the city, Long Biên, Bồ Đề's ward
and welfare officers); Phúc Xá's ward officer files elsewhere, so Bồ Đề's objects are 404 for them;
the other roles have no welfare permission: 403. Appraising and approving are the district's and the
city's; paying and reconciling the ward's and the welfare officer's. Anonymous: 401, except the
programmes and the public (masked) lists, open to everyone.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

CITY, DISTRICT = "city_commander", "district_officer_long_bien"
WARD, WELFARE, ELSEWHERE = "ward_officer_bo_de", "welfare_officer_bo_de", "ward_officer_phuc_xa"
FILERS = {CITY, DISTRICT, WARD, WELFARE}
APPRAISERS = {CITY, DISTRICT}
PAYERS = {WARD, WELFARE}
PROGRAMME = "MX-TEST"
SPARE_CCCD = "001087510007"  # the 8th resident built below: no application yet
GIVEN = ("An", "Bảo", "Cúc", "Dũng", "Giang", "Hải", "Khoa", "Long", "Minh")
FILE_BODY = {"ward": "00139", "cccd": SPARE_CCCD, "programme": PROGRAMME}


def statuses(ok: dict[str, int], *, anon: int = 401, other: int = 403) -> dict[str, int]:
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def bo_de(status: int, who: set[str] = FILERS, *, refused: int = 403) -> dict[str, int]:
    """`status` for `who`, `refused` for the other Bồ Đề readers, 404 for Phúc Xá's officer, else 403."""
    readers = dict.fromkeys(FILERS, refused)
    return statuses({**readers, **dict.fromkeys(who, status), ELSEWHERE: 404})


@dataclass
class WelfareApiObjects:
    filed: Any
    posted: Any
    list_to_submit: Any
    objection: Any
    list_posted: Any
    list_submitted: Any
    list_appraised: Any
    decision: Any
    due: Any
    paid: Any
    spare_person: Any


def _programme() -> Any:
    from phaodai.core.clock import local_date, now
    from phaodai.welfare.models import Programme

    today = local_date(now())
    return Programme.objects.create(
        code=PROGRAMME,
        name_vi="Chương trình thử",
        name_en="Matrix test programme",
        legal_basis="Test",
        funding_source="Test",
        valid_from=today - timedelta(days=30),
        valid_to=None,
        criteria=[
            {"key": "registered_in_ward", "rule": {"==": [{"var": "person.registered_in_ward"}, True]}}
        ],
        required_documents=[],
        amount_kind="fixed",
        amount=1_000_000,
        period_kind="once",
        period_starts=today - timedelta(days=30),
        posting_days=0,
    )


def build_welfare_api(request: Any) -> WelfareApiObjects:
    from phaodai.people import services as people
    from phaodai.territory.models import Area
    from phaodai.welfare import approval, listing, payments, services
    from phaodai.welfare.reference import ensure_programmes

    unit = request.getfixturevalue("unit")
    city = request.getfixturevalue(CITY)
    welfare = request.getfixturevalue(WELFARE)
    ward = unit("00139")
    area = Area.objects.filter(ward=ward).first()
    ensure_programmes()  # the shipped ones too (the food allowance's candidates read NQ68-FOOD)
    _programme()
    persons = [
        people.register_person(
            by=city,
            cccd=f"0010{80 + n:02d}{510000 + n:06d}",
            full_name=f"Đỗ Văn {GIVEN[n]}",
            birth_date=date(1980 + n, 1, 1),
            sex="M",
            phone=None,
            residence_area=area,
        )
        for n in range(9)
    ]

    def file(n: int) -> Any:
        return services.file_application(
            by=city, ward=ward, person_id=persons[n].pk, programme_code=PROGRAMME
        )[0]

    def reviewed(*ns: int) -> list[Any]:
        done = [services.review(by=city, application=file(n), accept=True) for n in ns]
        return done

    def posted_list(*ns: int) -> Any:
        reviewed(*ns)
        return listing.post_list(by=city, ward=ward, programme_code=PROGRAMME)

    list_appraised = posted_list(3)
    listing.submit_list(by=city, support_list=list_appraised)
    approval.appraise(by=city, support_list=list_appraised)
    to_decide = posted_list(4, 5)
    listing.submit_list(by=city, support_list=to_decide)
    approval.appraise(by=city, support_list=to_decide)
    decision = approval.approve(by=city, support_lists=[to_decide], number="99/QĐ-MX", signed_on=date.today())
    due, to_pay = decision.applications.order_by("pk")
    paid, _ = payments.pay(by=welfare, application=to_pay, method="cash", receipt_number="BN-MX-1")
    list_submitted = posted_list(2)
    listing.submit_list(by=city, support_list=list_submitted)
    list_to_submit = posted_list(8)
    list_posted = posted_list(1)
    posted = list_posted.applications.get()
    objection = listing.record_objection(by=city, application=posted, text="Thử phản ánh")
    filed = file(0)
    reviewed(6)  # reviewed, waiting for the next posted list
    list_appraised.refresh_from_db()
    return WelfareApiObjects(
        filed,
        posted,
        list_to_submit,
        objection,
        list_posted,
        list_submitted,
        list_appraised,
        decision,
        due,
        paid,
        persons[7],
    )


def welfare_api_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("welfare_api")
            return "/api/v1/welfare" + path.format(
                filed=o.filed.pk,
                posted=o.posted.pk,
                objection=o.objection.pk,
                l1=o.list_posted.pk,
                l0=o.list_to_submit.pk,
                l2=o.list_submitted.pk,
                l3=o.list_appraised.pk,
                decision=o.decision.pk,
                due=o.due.pk,
            )

        return url

    everyone_ok = {ANON: 200, **dict.fromkeys(PERSONAS, 200)}
    readers_anywhere = statuses(dict.fromkeys([*FILERS, ELSEWHERE], 200))
    today = date.today().isoformat()
    return {
        "api-v1:welfare_programmes": [req("/api/v1/welfare/programmes", everyone_ok)],
        "api-v1:welfare_applications": [req(w("/applications"), readers_anywhere)],
        "api-v1:welfare_application_file": [
            req(w("/applications"), bo_de(201), method="post", json=True, data=FILE_BODY),
        ],
        "api-v1:welfare_application": [req(w("/applications/{filed}"), bo_de(200))],
        "api-v1:welfare_application_review": [
            req(
                w("/applications/{filed}/review"), bo_de(200), method="post", json=True, data={"accept": True}
            )
        ],
        "api-v1:welfare_application_withdraw": [
            req(
                w("/applications/{filed}/withdraw"),
                bo_de(200),
                method="post",
                json=True,
                data={"note": "Rút"},
            )
        ],
        "api-v1:welfare_application_objections": [req(w("/applications/{posted}/objections"), bo_de(200))],
        "api-v1:welfare_objection_record": [
            req(
                w("/applications/{posted}/objections"),
                bo_de(201),
                method="post",
                json=True,
                data={"text": "Sai"},
            )
        ],
        "api-v1:welfare_objection_resolve": [
            req(
                w("/objections/{objection}/resolve"),
                bo_de(200),
                method="post",
                json=True,
                data={"upheld": False, "note": "Không đúng"},
            )
        ],
        "api-v1:welfare_food_candidates": [
            req(w(f"/candidates/food?ward=00139&since={today}&until={today}"), bo_de(200))
        ],
        "api-v1:welfare_lists": [req(w("/lists"), readers_anywhere)],
        "api-v1:welfare_list_post": [
            req(
                w("/lists"),
                bo_de(201),
                method="post",
                json=True,
                data={"ward": "00139", "programme": PROGRAMME},
            )
        ],
        "api-v1:welfare_list": [req(w("/lists/{l1}"), bo_de(200))],
        "api-v1:welfare_list_submit": [req(w("/lists/{l0}/submit"), bo_de(200), method="post", json=True)],
        "api-v1:welfare_list_appraise": [
            req(w("/lists/{l2}/appraise"), bo_de(200, APPRAISERS), method="post", json=True)
        ],
        "api-v1:welfare_list_approve": [
            req(
                w("/lists/{l3}/approve"),
                bo_de(201, APPRAISERS),
                method="post",
                json=True,
                data={"number": "100/QĐ-MX", "signed_on": today},
            )
        ],
        "api-v1:welfare_decisions": [req(w("/decisions"), readers_anywhere)],
        "api-v1:welfare_decision": [req(w("/decisions/{decision}"), bo_de(200))],
        "api-v1:welfare_payment_list": [req(w("/decisions/{decision}/payment-list?ward=00139"), bo_de(200))],
        "api-v1:welfare_payments": [req(w("/payments"), readers_anywhere)],
        "api-v1:welfare_pay": [
            req(
                w("/applications/{due}/pay"),
                bo_de(201, PAYERS),
                method="post",
                json=True,
                data={"method": "bank", "bank_reference": "VCB-MX-2"},
            )
        ],
        "api-v1:welfare_revoke": [
            req(
                w("/applications/{due}/revoke"),
                statuses(dict.fromkeys(APPRAISERS, 200)),  # nobody else revokes: 403, even in Bồ Đề
                method="post",
                json=True,
                data={"number": "101/QĐ-MX", "reason": "Đã nhận hỗ trợ NQ 68"},
            )
        ],
        "api-v1:welfare_reconcile": [
            req(
                w("/decisions/{decision}/reconcile"),
                bo_de(201, PAYERS),
                method="post",
                json=True,
                data={"ward": "00139"},
            )
        ],
        "api-v1:welfare_public_ward": [req("/api/v1/welfare/public/wards/00139", everyone_ok)],
        "api-v1:welfare_public_totals": [req("/api/v1/welfare/public/totals", everyone_ok)],
    }
