"""The welfare rows of the authorization matrix: applications, the wards' lists, approval, payments and
the public transparency pages.

Objects (built lazily by `build_welfare`, through the services, in September 2021): in Bồ Đề (00139,
Long Biên 004) a filed application with a document; a posted list with an open objection and another
posted list without one; a list sent to the district; an appraised list; a decision with one line
paid and one due; a reviewed application waiting to be posted; and a resident with no application yet.
A version of the 3642 programme still in force today lets the filing form be sent now.

Who: whoever files support over Bồ Đề (the city, Long Biên, Bồ Đề's ward and welfare officers) files,
reviews, posts and sends; the city and Long Biên appraise and approve; the ward and welfare officers
pay and reconcile; the appraisers revoke an unpaid line. Phúc Xá's ward officer files and pays elsewhere:
Bồ Đề's objects are 404 for them.
Every other role: 403. Anonymous users are sent to sign in, except on the public pages.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

FILERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de", "welfare_officer_bo_de"}
APPRAISERS = {"city_commander", "district_officer_long_bien"}
PAYERS = {"ward_officer_bo_de", "welfare_officer_bo_de"}
ELSEWHERE = "ward_officer_phuc_xa"
PROGRAMME = "HN-3642"


def statuses(ok: dict[str, int], *, anon: int = 302, other: int = 403) -> dict[str, int]:
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def bo_de(who: set[str], status: int, *, elsewhere: int = 404, anon: int = 302) -> dict[str, int]:
    """`status` for `who`, `elsewhere` for Phúc Xá's officer, 403 for every other role."""
    return statuses({**dict.fromkeys(who, status), ELSEWHERE: elsewhere}, anon=anon)


# The ids of the objects last built, for form data that names them ("{newcomer}").
LATEST: dict[str, Any] = {}


class FormData(dict[str, Any]):
    """Form data read afresh by every request: uploads from their start (the matrix reuses its data),
    "{name}" values filled with the ids of the objects built for the request (its URL builds them)."""

    def items(self) -> Any:
        for value in self.values():
            if hasattr(value, "seek"):
                value.seek(0)
        return [
            (key, value.format(**LATEST) if isinstance(value, str) and "{" in value else value)
            for key, value in super().items()
        ]


@dataclass
class WelfareObjects:
    filed: Any
    document: Any
    objected: Any  # posted, with an open objection
    objection: Any
    to_send: Any  # a posted list without objections
    submitted: Any
    appraised: Any
    decision: Any
    payment: Any
    due_line: Any
    newcomer: Any  # a resident with no application


def _programme_in_force_today() -> None:
    """The shipped programmes ended in 2021: a later version of 3642, open-ended, for today's forms."""
    from phaodai.welfare.models import Programme

    shipped = Programme.objects.filter(code=PROGRAMME).order_by("-version").first()
    assert shipped is not None
    shipped.pk, shipped.version, shipped.valid_to, shipped.period_ends = None, shipped.version + 1, None, None
    shipped.save(force_insert=True)


def build_welfare(request: Any) -> WelfareObjects:
    from phaodai.welfare import approval, listing, payments, services
    from phaodai.welfare.tests.world import INFORMAL, SEPT_6, build_world, clock_at, later, pdf

    ward_officer = request.getfixturevalue("ward_officer_bo_de")
    district = request.getfixturevalue("district_officer_long_bien")
    world = build_world(ward_officer=ward_officer, residents=9)
    _programme_in_force_today()
    people = world.residents

    def file(n: int, at: float) -> Any:
        return services.file_application(
            by=ward_officer, ward=world.ward, person_id=people[n].pk, programme_code=PROGRAMME,
            facts=INFORMAL, documents=[("application_form", pdf())],
            clock=clock_at(SEPT_6) if at == 0 else later(at),
        )[0]  # fmt: skip

    def reviewed_list(ns: list[int], at: float) -> Any:
        for n in ns:
            services.review(by=ward_officer, application=file(n, at), accept=True, clock=later(at + 0.01))
        return listing.post_list(
            by=ward_officer, ward=world.ward, programme_code=PROGRAMME, clock=later(at + 0.02)
        )

    def sent(support_list: Any, at: float) -> Any:
        return listing.submit_list(by=ward_officer, support_list=support_list, clock=later(at))

    # A decision: two lines, one paid in cash, one due.
    first = approval.appraise(by=district, support_list=sent(reviewed_list([1, 2], 0.1), 3), clock=later(4))
    decision = approval.approve(
        by=district,
        support_lists=[first],
        number="100/QĐ-UBND",
        signed_on=date(2021, 9, 10),
        clock=later(4.1),
    )
    paid_line, due = list(decision.applications.order_by("line_no"))
    paid, _ = payments.pay(
        by=ward_officer, application=paid_line, method="cash", receipt_number="PT-0001", clock=later(5.1)
    )
    # An appraised list waiting for a decision; a list at the district; two posted lists.
    appraised = approval.appraise(
        by=district, support_list=sent(reviewed_list([3], 5.2), 8), clock=later(8.1)
    )
    submitted = sent(reviewed_list([4], 8.2), 11)
    objected_list = reviewed_list([5], 11.1)
    objected = objected_list.applications.get()
    objection = listing.record_objection(
        by=ward_officer, application=objected, text="Có hợp đồng lao động", clock=later(11.2)
    )
    to_send = reviewed_list([6], 11.3)
    # A filed application with its document, and a reviewed one waiting to be posted.
    filed = file(0, 12)
    services.review(by=ward_officer, application=file(7, 12.1), accept=True, clock=later(12.2))
    LATEST.update(newcomer=str(people[8].pk), appraised=str(appraised.pk), due_version=str(due.version))
    return WelfareObjects(
        filed=filed, document=filed.documents.get(), objected=objected, objection=objection, to_send=to_send,
        submitted=submitted, appraised=appraised, decision=decision, payment=paid, due_line=due,
        newcomer=people[8],
    )  # fmt: skip


def welfare_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""
    from phaodai.welfare.tests.world import cccd, pdf

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("welfare")
            return path.format(
                filed=o.filed.pk, document=o.document.pk, objected=o.objected.pk, objection=o.objection.pk,
                to_send=o.to_send.pk, submitted=o.submitted.pk, appraised=o.appraised.pk,
                decision=o.decision.pk, payment=o.payment.pk, due_line=o.due_line.pk,
                newcomer=o.newcomer.pk,
                objected_list=o.objected.support_list_id,
            )  # fmt: skip

        return url

    readers_anywhere = statuses(dict.fromkeys([*FILERS, ELSEWHERE], 200))
    filers_anywhere = readers_anywhere
    everyone_ok = {ANON: 200, **dict.fromkeys(PERSONAS, 200)}
    appraisers = statuses(dict.fromkeys(APPRAISERS, 200))
    # The newcomer is the ninth resident of build_world (n = 8, born 1986).
    filing = FormData(
        person="{newcomer}", programme=PROGRAMME, ward="00139", channel="ward",
        fact_job__lost_work_on="2021-07-24", token="matrix-filing", doc_application_form=pdf(),
    )  # fmt: skip

    return {
        # The officials' pages
        "welfare:home": [req("/welfare/", readers_anywhere)],
        "welfare:applications": [req("/welfare/applications/?status=filed", readers_anywhere)],
        "welfare:application_new": [
            req("/welfare/applications/new/", filers_anywhere),
            req(w("/welfare/applications/new/?person={newcomer}&programme=HN-3642"), bo_de(FILERS, 200)),
            req(
                w("/welfare/applications/new/?person={newcomer}"),
                bo_de(FILERS, 302),
                method="post",
                data=filing,
            ),
        ],
        "welfare:application_find": [
            req(
                w("/welfare/applications/new/find/"),  # a callable: the objects (the person) get built
                bo_de(FILERS, 302),
                method="post",
                data={"cccd": cccd(8, year=1986), "programme": PROGRAMME},
            )
        ],
        "welfare:food_candidates": [req(w("/welfare/candidates/food/?ward=00139"), bo_de(FILERS, 200))],
        "welfare:application": [req(w("/welfare/applications/{filed}/"), bo_de(FILERS, 200))],
        "welfare:application_review": [
            req(
                w("/welfare/applications/{filed}/review/"),
                bo_de(FILERS, 302),
                method="post",
                data={"decision": "accept", "version": "1"},
            )
        ],
        "welfare:application_withdraw": [
            req(
                w("/welfare/applications/{filed}/withdraw/"),
                bo_de(FILERS, 302),
                method="post",
                data={"note": "Người dân xin rút", "version": "1"},
            )
        ],
        "welfare:application_attach": [
            req(
                w("/welfare/applications/{filed}/documents/"),
                bo_de(FILERS, 302),
                method="post",
                data=FormData(kind="other", file=pdf("xac-nhan.pdf")),
            )
        ],
        "welfare:document": [req(w("/welfare/documents/{document}/"), bo_de(FILERS, 200))],
        "welfare:objection_new": [
            req(
                w("/welfare/applications/{objected}/objections/"),
                bo_de(FILERS, 302),
                method="post",
                data={"text": "Đã có việc làm trở lại"},
            )
        ],
        "welfare:objection_resolve": [
            req(
                w("/welfare/objections/{objection}/resolve/"),
                bo_de(FILERS, 302),
                method="post",
                data={"outcome": "dismiss", "note": "Đã xác minh: mất việc từ 24/7"},
            )
        ],
        "welfare:lists": [req("/welfare/lists/", readers_anywhere)],
        "welfare:list_post": [
            req(
                w("/welfare/lists/post/"),
                bo_de(FILERS, 302),
                method="post",
                data={"ward": "00139", "programme": PROGRAMME},
            )
        ],
        "welfare:list": [req(w("/welfare/lists/{objected_list}/"), bo_de(FILERS, 200))],
        "welfare:list_submit": [
            req(w("/welfare/lists/{to_send}/send/"), bo_de(FILERS, 302), method="post", data={"version": "1"})
        ],
        "welfare:list_appraise": [
            req(
                w("/welfare/lists/{submitted}/appraise/"),
                bo_de(APPRAISERS, 302, elsewhere=403),
                method="post",
                data={"version": "2"},
            )
        ],
        "welfare:approve": [
            req("/welfare/approve/", appraisers),
            req(
                w("/welfare/approve/"),
                statuses(dict.fromkeys(APPRAISERS, 302)),
                method="post",
                data=FormData(lists="{appraised}", number="200/QĐ-UBND", signed_on="2021-09-20"),
            ),
        ],
        "welfare:payments": [req("/welfare/payments/", readers_anywhere)],
        "welfare:payment": [req(w("/welfare/payments/{payment}/"), bo_de(FILERS, 200))],
        "welfare:pay": [
            req(w("/welfare/applications/{due_line}/pay/"), bo_de(PAYERS, 200)),
            req(
                w("/welfare/applications/{due_line}/pay/"),
                statuses({**dict.fromkeys(PAYERS, 302), **dict.fromkeys(APPRAISERS, 403), ELSEWHERE: 404}),
                method="post",
                data={"method": "bank", "bank_reference": "VCB-2021-0001", "token": "matrix-pay"},
            ),
        ],
        "welfare:revoke": [
            req(w("/welfare/applications/{due_line}/revoke/"), appraisers),
            req(
                w("/welfare/applications/{due_line}/revoke/"),
                statuses(dict.fromkeys(APPRAISERS, 302)),
                method="post",
                data=FormData(number="201/QĐ-UBND", reason="Đã nhận hỗ trợ NQ 68", version="{due_version}"),
            ),
        ],
        "welfare:decision": [req(w("/welfare/decisions/{decision}/"), bo_de(FILERS, 200))],
        "welfare:payment_list": [
            req(w("/welfare/decisions/{decision}/payment-list.csv?ward=00139"), bo_de(FILERS, 200))
        ],
        "welfare:payments_reconcile": [
            req(
                w("/welfare/decisions/{decision}/reconcile/"),
                statuses({**dict.fromkeys(PAYERS, 302), ELSEWHERE: 404}),
                method="post",
                data={"ward": "00139"},
            )
        ],
        # Public transparency: no sign-in
        "welfare:public": [req("/welfare/public/", everyone_ok)],
        "welfare:public_ward": [
            req("/welfare/public/00139/", everyone_ok),
            req("/welfare/public/99999/", dict.fromkeys([ANON, *PERSONAS], 404)),
        ],
    }
