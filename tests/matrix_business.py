"""The business rows of the authorization matrix: the register, plans and their decisions, public look-up.

Objects (built lazily by `build_business`), all in Bồ Đề and represented by business_rep_bo_de:
- a factory with a submitted plan (120 people on site: Long Biên decides it);
- a restaurant with no plan yet;
- a shop with a draft plan, a second shop with an approved plan and a third with a suspended one
  (5 people on site: Bồ Đề itself decides those, within its delegation).
Officials covering Bồ Đề read them (city, Long Biên, Bồ Đề); Phúc Xá's officer has the capabilities
elsewhere and gets 404; the representative reads and acts for their businesses only; roles without a
business capability get 403. Anonymous pages redirect to sign-in; the API answers 401.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

COVERING = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de"}
DISTRICT_UP = {"city_commander", "district_officer_long_bien"}
OUTSIDE = {"ward_officer_phuc_xa"}
OFFICIALS = COVERING | OUTSIDE
REP = {"business_rep_bo_de"}


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    """The status named for each persona in `ok`, `other` (403: no business capability) for the rest."""
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


def plan_fields(people: int = 120) -> dict[str, Any]:
    return {
        "mode": "3_tai_cho",
        "people_on_site": people,
        "shifts": 2,
        "measures": "Ăn, nghỉ tại chỗ; xét nghiệm 7 ngày/lần.",
        "responsible_person": "Trần Thị Bình",
        "responsible_phone": "0912345678",
    }


@dataclass
class BusinessObjects:
    factory: Any
    restaurant: Any
    submitted: Any  # the factory's plan, decided by the district (version 2)
    draft: Any  # a shop's draft (version 1)
    approved: Any  # a shop's plan approved by the ward (version 3)
    suspended: Any  # a shop's plan suspended by the ward (version 4)
    document: Any  # a PDF attached to the draft


def build_business(request: Any) -> BusinessObjects:
    from phaodai.business import services

    unit = request.getfixturevalue("unit")
    ward = request.getfixturevalue("ward_officer_bo_de")
    rep = request.getfixturevalue("business_rep_bo_de")
    bo_de = unit("00139")

    def register(tax_code: str, name: str, kind: str, sector: str) -> Any:
        business = services.register_business(
            by=ward, tax_code=tax_code, name=name, kind=kind, sector=sector, address="Phố Bồ Đề", unit=bo_de
        )
        services.add_representative(by=ward, business=business, user=rep)
        return business

    factory = register("0100112437", "Công ty May Bồ Đề", "factory", "factory")
    restaurant = register("0100109106", "Quán Phở Bồ Đề", "restaurant", "takeaway_food")
    shops = [register(code, f"Cửa hàng {code}", "shop", "essential_shops") for code in SHOP_CODES]

    submitted = services.draft_plan(by=rep, business=factory, **plan_fields())
    submitted = services.submit_plan(by=rep, plan=submitted, version=1)
    draft = services.draft_plan(by=rep, business=shops[0], **plan_fields(5))
    approved = services.draft_plan(by=rep, business=shops[1], **plan_fields(5))
    approved = services.submit_plan(by=rep, plan=approved, version=1)
    approved = services.approve_plan(by=ward, plan=approved, version=2)
    suspended = services.draft_plan(by=rep, business=shops[2], **plan_fields(5))
    suspended = services.submit_plan(by=rep, plan=suspended, version=1)
    suspended = services.approve_plan(by=ward, plan=suspended, version=2)
    suspended = services.suspend_plan(by=ward, plan=suspended, reason="Vi phạm", version=3)
    document = services.attach_document(by=rep, plan=draft, upload=PdfUpload("so-do-mat-bang.pdf"))
    return BusinessObjects(factory, restaurant, submitted, draft, approved, suspended, document)


class PdfUpload:
    """A small PDF that reads whole every time: the matrix posts the same data for each persona."""

    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    def __init__(self, name: str = "phuong-an.pdf") -> None:
        self.name = name
        self.size = len(self.content)
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        return self.content

    def seek(self, position: int) -> None:
        self._at = position

    def chunks(self) -> list[bytes]:
        return [self.content]


SHOP_CODES = ["0314409058", "0314409058-002", "0314409058-003"]


def business_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("business")
            return path.format(
                factory=o.factory.pk,
                restaurant=o.restaurant.pk,
                submitted=o.submitted.pk,
                draft=o.draft.pk,
                approved=o.approved.pk,
                suspended=o.suspended.pk,
                document=o.document.pk,
            )

        return url

    def scoped(ok: set[str], status: int, *, anon: int) -> dict[str, int]:
        """`status` for `ok`, 404 for Phúc Xá (capable elsewhere), 403 for the rest."""
        return statuses({**each(OUTSIDE, 404), **each(ok, status)}, anon=anon)

    everyone = dict.fromkeys([ANON, *PERSONAS], 200)
    new_business = {
        "tax_code": "0101243150",
        "name": "Quán Cơm",
        "kind": "restaurant",
        "sector": "takeaway_food",
        "address": "Số 5 phố Bồ Đề",
        "unit": "00139",
        "workforce": "8",
    }
    reason = {"reason": "Thiếu phương án", "version": 2}
    return {
        # pages
        "business:businesses": [
            req("/business/", statuses({**each(OFFICIALS, 200), **each(REP, 302)}, anon=302)),
            req("/business/?q=cong+ty", statuses({**each(OFFICIALS, 200), **each(REP, 302)}, anon=302)),
        ],
        "business:mine": [req("/business/mine/", statuses(each(REP, 200), anon=302))],
        "business:add": [
            req("/business/add/", statuses(each(OFFICIALS, 200), anon=302)),
            # Phúc Xá's officer may register, but not in Bồ Đề: the ward is not among the choices.
            req(
                "/business/add/",
                statuses({**each(COVERING, 302), **each(OUTSIDE, 422)}, anon=302),
                method="post",
                data=new_business,
            ),
        ],
        "business:detail": [req(w("/business/{factory}/"), scoped(COVERING | REP, 200, anon=302))],
        "business:representative_add": [
            req(
                w("/business/{factory}/representatives/"),
                scoped(COVERING, 302, anon=302),
                method="post",
                data={"username": "business-00139"},
            )
        ],
        "business:plan_add": [
            req(w("/business/{restaurant}/plans/add/"), scoped(COVERING | REP, 200, anon=302)),
            req(
                w("/business/{restaurant}/plans/add/"),
                scoped(COVERING | REP, 302, anon=302),
                method="post",
                data=plan_fields(),
            ),
        ],
        "business:plan_attach": [
            req(
                w("/business/plans/{draft}/documents/"),
                scoped(COVERING | REP, 302, anon=302),
                method="post",
                data={"file": PdfUpload()},
            )
        ],
        "business:plan_document": [
            req(w("/business/plans/documents/{document}/"), scoped(COVERING | REP, 200, anon=302))
        ],
        "business:plan_document_remove": [
            req(
                w("/business/plans/documents/{document}/remove/"),
                scoped(COVERING | REP, 302, anon=302),
                method="post",
            )
        ],
        "business:desk": [req("/business/plans/desk/", statuses(each(OFFICIALS, 200), anon=302))],
        "business:plan": [req(w("/business/plans/{submitted}/"), scoped(COVERING | REP, 200, anon=302))],
        "business:plan_edit": [
            req(w("/business/plans/{draft}/edit/"), scoped(COVERING | REP, 200, anon=302)),
            req(
                w("/business/plans/{draft}/edit/"),
                scoped(COVERING | REP, 302, anon=302),
                method="post",
                data={**plan_fields(8), "version": 1},
            ),
        ],
        # Only the representative submits; officials may draft for the business, not submit for it.
        "business:plan_submit": [
            req(
                w("/business/plans/{draft}/submit/"),
                scoped(REP, 302, anon=302),
                method="post",
                data={"version": 1},
            )
        ],
        "business:plan_decide": [
            # The factory's plan is Long Biên's to decide: Bồ Đề is outside its delegation (403).
            req(
                w("/business/plans/{submitted}/approve/"),
                scoped(DISTRICT_UP, 302, anon=302),
                method="post",
                data={"version": 2},
            ),
            req(
                w("/business/plans/{submitted}/return/"),
                scoped(DISTRICT_UP, 302, anon=302),
                method="post",
                data=reason,
            ),
            # The shops' plans are within Bồ Đề's delegation.
            req(
                w("/business/plans/{approved}/suspend/"),
                scoped(COVERING, 302, anon=302),
                method="post",
                data={**reason, "version": 3},
            ),
            req(
                w("/business/plans/{suspended}/reinstate/"),
                scoped(COVERING, 302, anon=302),
                method="post",
                data={"version": 4},
            ),
            req(
                w("/business/plans/{approved}/launch/"),
                {ANON: 302, **dict.fromkeys(PERSONAS, 404)},
                method="post",
                data={"version": 3},
            ),
        ],
        # public pages
        "portal:business": [
            req("/public/businesses/", everyone),
            req("/public/businesses/?q=0100112437", everyone),
        ],
        "portal:sector_conditions": [req("/public/sector-conditions/", everyone)],
        "api-v1:public_businesses": [req("/api/v1/public/businesses?q=cong+ty+may", everyone)],
        # API
        "api-v1:business_list": [
            req("/api/v1/business/businesses?q=cong", statuses(each(OFFICIALS | REP, 200), anon=401)),
            req(
                "/api/v1/business/businesses",
                scoped(COVERING, 201, anon=401),
                method="post",
                json=True,
                data={**new_business, "workforce": 8},
            ),
        ],
        "api-v1:business_detail": [
            req(w("/api/v1/business/businesses/{factory}"), scoped(COVERING | REP, 200, anon=401))
        ],
        "api-v1:business_may_operate": [
            req(
                w("/api/v1/business/businesses/{factory}/may-operate?at=2021-09-10T12:00"),
                scoped(COVERING | REP, 200, anon=401),
            )
        ],
        "api-v1:business_plans": [
            req("/api/v1/business/plans?status=submitted", statuses(each(OFFICIALS | REP, 200), anon=401)),
        ],
        "api-v1:business_plan_create": [
            req(
                w("/api/v1/business/businesses/{restaurant}/plans"),
                scoped(COVERING | REP, 201, anon=401),
                method="post",
                json=True,
                data=plan_fields(),
            ),
        ],
        "api-v1:business_plan": [
            req(w("/api/v1/business/plans/{submitted}"), scoped(COVERING | REP, 200, anon=401)),
            req(
                w("/api/v1/business/plans/{draft}"),
                scoped(COVERING | REP, 200, anon=401),
                method="put",
                json=True,
                data={**plan_fields(8), "version": 1},
            ),
        ],
        "api-v1:business_plan_submit": [
            req(
                w("/api/v1/business/plans/{draft}/submit"),
                scoped(REP, 200, anon=401),
                method="post",
                json=True,
                data={"version": 1},
            )
        ],
        "api-v1:business_plan_approve": [
            req(
                w("/api/v1/business/plans/{submitted}/approve"),
                scoped(DISTRICT_UP, 200, anon=401),
                method="post",
                json=True,
                data={"version": 2, "conditions": "Tối đa 100 người"},
            )
        ],
        "api-v1:business_plan_return": [
            req(
                w("/api/v1/business/plans/{submitted}/return"),
                scoped(DISTRICT_UP, 200, anon=401),
                method="post",
                json=True,
                data=reason,
            )
        ],
        "api-v1:business_plan_reject": [
            req(
                w("/api/v1/business/plans/{submitted}/reject"),
                scoped(DISTRICT_UP, 200, anon=401),
                method="post",
                json=True,
                data=reason,
            )
        ],
        "api-v1:business_plan_suspend": [
            req(
                w("/api/v1/business/plans/{approved}/suspend"),
                scoped(COVERING, 200, anon=401),
                method="post",
                json=True,
                data={**reason, "version": 3},
            )
        ],
        "api-v1:business_plan_reinstate": [
            req(
                w("/api/v1/business/plans/{suspended}/reinstate"),
                scoped(COVERING, 200, anon=401),
                method="post",
                json=True,
                data={"version": 4},
            )
        ],
        "api-v1:business_plan_revoke": [
            req(
                w("/api/v1/business/plans/{suspended}/revoke"),
                scoped(COVERING, 200, anon=401),
                method="post",
                json=True,
                data={**reason, "version": 4},
            )
        ],
    }
