"""A line held for other support, revoked from its decision by the district (Chromium).

Two QĐ 3642 lines of Bồ Đề are approved in one decision; the first person then files NQ 68 income support.
Long Biên's district officer sees that line held on the decision, revokes it by an amending decision
(a missing number is refused first, the reason kept), and the decision shows it revoked; Bồ Đề's welfare
officer is offered the other line to pay and nothing for the revoked one.
"""

from typing import Any

from playwright.sync_api import expect

from phaodai.welfare.models import Application
from phaodai.welfare.tests.test_other_support import held_world
from phaodai.welfare.tests.world import build_world

REASON = "Đang hưởng hỗ trợ NQ 68 (lao động bị chấm dứt hợp đồng)"


def test_the_district_revokes_a_held_line_and_the_ward_pays_the_other(
    ward_officer_bo_de: Any,
    district_officer_long_bien: Any,
    welfare_officer_bo_de: Any,
    sign_in: Any,
    new_page: Any,
) -> None:
    world = build_world(ward_officer=ward_officer_bo_de, residents=2)
    decision, held, other, laid_off = held_world(ward_officer_bo_de, district_officer_long_bien, world)

    district = sign_in(district_officer_long_bien)
    district.goto(f"/welfare/decisions/{decision.pk}/")
    held_row = district.locator(f"#lines tr[data-reference='{held.reference}']")
    expect(held_row.locator("[data-held]")).to_contain_text(laid_off.reference)
    with district.expect_navigation():
        held_row.locator("a[data-revoke]").click()

    # The number forgotten: refused beside it, the reason kept.
    form = district.locator("#revoke-form")
    form.locator("#id_reason").fill(REASON)
    with district.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(district.locator("#revoke-form #id_reason")).to_have_value(REASON)
    assert Application.objects.get(pk=held.pk).status == "approved"

    district.locator("#revoke-form #id_number").fill("131/QĐ-UBND")
    with district.expect_navigation():
        district.locator("#revoke-form button[type=submit]").click()
    expect(district.locator("h1")).to_contain_text(decision.number)
    expect(held_row.locator("[data-revoked]")).to_contain_text("131/QĐ-UBND")
    expect(held_row.locator("a[data-revoke]")).to_have_count(0)
    expect(district.locator("[data-revoked-count='1']")).to_be_visible()
    assert Application.objects.get(pk=held.pk).amended_by == "131/QĐ-UBND"

    ward = sign_in(welfare_officer_bo_de, on=new_page())
    ward.goto(f"/welfare/decisions/{decision.pk}/")
    expect(ward.locator(f"#lines tr[data-reference='{other.reference}'] a[href$='/pay/']")).to_have_count(1)
    expect(ward.locator(f"#lines tr[data-reference='{held.reference}'] a")).to_have_count(
        1
    )  # the person only
    expect(ward.locator("a[data-revoke]")).to_have_count(0)
