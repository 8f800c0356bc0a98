"""Revoking an approved, unpaid line from its decision by an amending decision (the district's step): a
line held for other support, a person who died, one listed twice. A revoked line is never paid, leaves
every list of what is left to pay, and frees the person's period; a paid line stays paid."""

import pytest
from django.urls import reverse

from phaodai.core.errors import InvalidInput, NotPermitted
from phaodai.core.models import AuditEntry
from phaodai.welfare import approval, payments, selectors
from phaodai.welfare.models import Application, Payment
from phaodai.welfare.tests.test_other_support import file_3642, held_world, through_approval
from phaodai.welfare.tests.world import build_world, later
from phaodai.welfare.workflow import ApplicationChanged

pytestmark = pytest.mark.django_db

AMENDING = "131/QĐ-UBND"
REASON = "Đã nhận hỗ trợ NQ 68 (NQ68-LAID-OFF)"


@pytest.fixture
def world(ward_officer_bo_de, ward_officer_phuc_xa):
    return build_world(ward_officer=ward_officer_bo_de, outsider_officer=ward_officer_phuc_xa)


def revoke(by, line, number=AMENDING, reason=REASON, **kw):
    return approval.revoke_line(by=by, application=line, number=number, reason=reason, clock=later(6), **kw)


def test_a_held_line_revoked_leaves_the_payment_list_and_is_never_paid(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    decision, application, neighbour, _laid_off = held_world(
        ward_officer_bo_de, district_officer_long_bien, world
    )
    revoked = revoke(district_officer_long_bien, application)
    assert (revoked.status, revoked.amended_by, revoked.status_note) == ("revoked", AMENDING, REASON)
    summary = payments.payment_list(by=welfare_officer_bo_de, decision=decision, ward=world.ward)
    assert (summary.payable, summary.blocked, summary.held) == (1, 0, 0)
    assert list(payments.payable_lines(decision).values_list("pk", flat=True)) == [neighbour.pk]
    with pytest.raises(InvalidInput) as refused:
        payments.pay(by=welfare_officer_bo_de, application=revoked, method="cash", receipt_number="BN-1")
    assert refused.value.field == "payment"
    assert not Payment.objects.filter(application=application).exists()
    public = selectors.public_ward_list(world.ward.code, "HN-3642")  # the public list drops it too
    assert (public.count, public.total) == (1, neighbour.amount)
    entry = AuditEntry.objects.get(action="welfare.revoke_line")
    assert (entry.object_id, entry.actor_id) == (str(application.pk), district_officer_long_bien.pk)
    assert entry.before_digest and entry.after_digest and entry.unit_path == application.unit_path


def test_revoking_again_with_the_same_number_changes_nothing(
    world, ward_officer_bo_de, district_officer_long_bien
):
    _decision, application, _neighbour, _laid_off = held_world(
        ward_officer_bo_de, district_officer_long_bien, world
    )
    first = revoke(district_officer_long_bien, application)
    again = revoke(district_officer_long_bien, Application.objects.get(pk=application.pk))
    assert again.pk == first.pk and again.version == first.version
    assert AuditEntry.objects.filter(action="welfare.revoke_line").count() == 1
    with pytest.raises(ApplicationChanged):  # another amending decision: the line is revoked already
        revoke(district_officer_long_bien, again, number="132/QĐ-UBND")


def test_a_paid_line_is_not_revoked(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    decision, _application, neighbour, _laid_off = held_world(
        ward_officer_bo_de, district_officer_long_bien, world
    )
    payments.pay(by=welfare_officer_bo_de, application=neighbour, method="cash", receipt_number="BN-2")
    with pytest.raises(InvalidInput) as refused:
        revoke(district_officer_long_bien, Application.objects.get(pk=neighbour.pk))
    assert refused.value.field == "payment" and "paid" in str(refused.value)
    assert Application.objects.get(pk=neighbour.pk).status == "paid"
    assert decision.applications.filter(status="revoked").count() == 0


def test_only_an_approved_line_is_revoked_and_a_stale_version_is_a_conflict(
    world, ward_officer_bo_de, district_officer_long_bien
):
    filed = file_3642(ward_officer_bo_de, world, n=2)
    with pytest.raises(ApplicationChanged) as refused:
        revoke(district_officer_long_bien, filed)
    assert refused.value.status == 409
    _decision, application, _neighbour, _laid_off = held_world(
        ward_officer_bo_de, district_officer_long_bien, world
    )
    fresh = Application.objects.get(pk=application.pk)
    with pytest.raises(ApplicationChanged):
        revoke(district_officer_long_bien, fresh, version=fresh.version - 1)
    assert Application.objects.get(pk=application.pk).status == "approved"


@pytest.mark.parametrize(
    ("number", "reason", "field"),
    [
        ("", REASON, "number"),
        ("  ", REASON, "number"),
        ("9" * 41, REASON, "number"),
        (AMENDING, " ", "reason"),
    ],
)
def test_a_revocation_needs_its_decision_number_and_a_reason(
    world, ward_officer_bo_de, district_officer_long_bien, number, reason, field
):
    _decision, application, _neighbour, _laid_off = held_world(
        ward_officer_bo_de, district_officer_long_bien, world
    )
    with pytest.raises(InvalidInput) as refused:
        revoke(district_officer_long_bien, application, number=number, reason=reason)
    assert refused.value.field == field
    assert Application.objects.get(pk=application.pk).status == "approved"


def test_the_ward_does_not_revoke(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    _decision, application, _neighbour, _laid_off = held_world(
        ward_officer_bo_de, district_officer_long_bien, world
    )
    for officer in (ward_officer_bo_de, welfare_officer_bo_de):
        with pytest.raises(NotPermitted):
            revoke(officer, application)
    assert Application.objects.get(pk=application.pk).status == "approved"


def test_a_revoked_line_frees_the_person_s_period(world, ward_officer_bo_de, district_officer_long_bien):
    line = file_3642(ward_officer_bo_de, world, n=2)
    through_approval(ward_officer_bo_de, district_officer_long_bien, world, [line], "HN-3642", "8/QĐ")
    revoke(district_officer_long_bien, Application.objects.get(pk=line.pk), reason="Lập danh sách trùng")
    again = file_3642(ward_officer_bo_de, world, n=2)
    assert again.pk != line.pk and again.period_key == line.period_key and again.status == "filed"


def test_the_decision_page_offers_revoking_to_the_district_and_shows_the_revoked_line(
    world, ward_officer_bo_de, district_officer_long_bien, client
):
    decision, application, neighbour, _laid_off = held_world(
        ward_officer_bo_de, district_officer_long_bien, world
    )
    form_url = reverse("welfare:revoke", args=[application.pk])
    version = Application.objects.get(pk=application.pk).version  # as the form's hidden field has it
    client.force_login(ward_officer_bo_de)
    assert form_url not in client.get(reverse("welfare:decision", args=[decision.pk])).content.decode()
    assert client.get(form_url).status_code == 403
    client.force_login(district_officer_long_bien)
    page = client.get(reverse("welfare:decision", args=[decision.pk])).content.decode()
    assert form_url in page and reverse("welfare:revoke", args=[neighbour.pk]) in page
    form = client.get(form_url)
    assert form.status_code == 200 and 'id="revoke-form"' in form.content.decode()
    assert f'name="version" value="{version}"' in form.content.decode()

    # bad input: the reason kept, the error beside the number, nothing revoked
    bad = client.post(form_url, {"number": "", "reason": REASON, "version": version})
    assert bad.status_code == 422 and REASON in bad.content.decode()
    assert Application.objects.get(pk=application.pk).status == "approved"

    done = client.post(form_url, {"number": AMENDING, "reason": REASON, "version": version})
    assert done.status_code == 302 and done.url == reverse("welfare:decision", args=[decision.pk])
    page_after = client.get(reverse("welfare:decision", args=[decision.pk]))
    html = page_after.content.decode()
    assert f'data-revoked="{AMENDING}"' in html and form_url not in html
    [ward] = page_after.context["wards"]
    assert (ward["revoked"], ward["unpaid"], ward["unpaid_total"]) == (1, 1, neighbour.amount)
    assert (ward["lines"], ward["total"]) == (1, neighbour.amount)  # approved and standing: not the revoked
    assert 'data-revoked-count="1"' in html

    stale = client.post(form_url, {"number": "132/QĐ-UBND", "reason": REASON, "version": version})
    assert stale.status_code == 409


def test_the_api_revokes_once_and_refuses_a_paid_line(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de, client
):
    _decision, application, neighbour, _laid_off = held_world(
        ward_officer_bo_de, district_officer_long_bien, world
    )
    url = f"/api/v1/welfare/applications/{application.pk}/revoke"
    body = {"number": AMENDING, "reason": REASON}
    client.force_login(district_officer_long_bien)
    first = client.post(url, body, content_type="application/json")
    assert first.status_code == 200, first.content
    assert (first.json()["status"], first.json()["amended_by"]) == ("revoked", AMENDING)
    retry = client.post(url, body, content_type="application/json")
    assert retry.status_code == 200 and retry.json()["version"] == first.json()["version"]
    unknown = client.post(url, {**body, "extra": 1}, content_type="application/json")
    assert unknown.status_code == 422

    payments.pay(by=welfare_officer_bo_de, application=neighbour, method="cash", receipt_number="BN-3")
    paid = client.post(
        f"/api/v1/welfare/applications/{neighbour.pk}/revoke", body, content_type="application/json"
    )
    assert paid.status_code == 422 and paid.json()["field"] == "payment"


def test_the_application_page_offers_revoking_and_shows_it_in_the_history(
    world, ward_officer_bo_de, district_officer_long_bien, client
):
    _decision, application, _neighbour, _laid_off = held_world(
        ward_officer_bo_de, district_officer_long_bien, world
    )
    page_url = reverse("welfare:application", args=[application.pk])
    form_url = reverse("welfare:revoke", args=[application.pk])
    client.force_login(ward_officer_bo_de)
    assert form_url not in client.get(page_url).content.decode()
    client.force_login(district_officer_long_bien)
    assert form_url in client.get(page_url).content.decode()
    revoke(district_officer_long_bien, application)
    after = client.get(page_url)
    assert form_url not in after.content.decode()
    [step] = [step for step in after.context["history"] if AMENDING in step.label]
    assert step.detail == REASON and step.at == later(6)()  # dated by the revocation, not a later save


@pytest.mark.parametrize("revoked", [False, True])
def test_reconciling_counts_a_held_line_as_still_to_pay_and_a_revoked_one_not(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de, revoked
):
    decision, application, neighbour, _laid_off = held_world(
        ward_officer_bo_de, district_officer_long_bien, world
    )
    if revoked:
        revoke(district_officer_long_bien, application)
    payments.pay(by=welfare_officer_bo_de, application=neighbour, method="cash", receipt_number="BN-4")
    done = payments.reconcile(by=welfare_officer_bo_de, decision=decision, ward=world.ward)
    assert (done.count, done.total) == (1, neighbour.amount)
    # held: still owed, paid once the other support closes; revoked: owed no more
    expected = (0, 0) if revoked else (1, application.amount)
    assert (done.unpaid_count, done.unpaid_total) == expected
