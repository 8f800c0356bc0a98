"""Keys, trust list, signing, rules and bundles through the services, as the city commander runs them."""

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Max

from phaodai.core.errors import Conflict, Duplicate, InvalidInput, NotPermitted
from phaodai.core.models import AuditEntry
from phaodai.passes import bundles, selectors, services
from phaodai.passes.models import Bundle, SigningKey
from phaodai.passes.payload import PassType
from phaodai.passes.tests import builders as b
from phaodai.passes.trust import Usage

pytestmark = pytest.mark.django_db

NOW = datetime(2021, 9, 8, 23, 0, tzinfo=UTC)  # 06:00 on 9/9/2021 in Hà Nội
ALL_TYPES = [str(t) for t in PassType]
DGC_TEST = Path(__file__).parent / "data" / "dgc-testdata" / "CO3.json"


def at(moment):
    return lambda: moment


def pass_key(by, when=NOW, types=ALL_TYPES, label="Khóa ký giấy đi đường 2021-09"):
    return services.rotate_key(by=by, purpose="passes", label=label, pass_types=types, clock=at(when))


def bundle_key(by, when=NOW, label="Khóa ký gói quy tắc"):
    return services.rotate_key(by=by, purpose="bundles", label=label, clock=at(when))


def permit_valid_for(days, start=NOW, **changes):
    return b.permit(valid_from=start, valid_to=start + timedelta(days=days), **changes)


def two_doses_rule(by, **changes):
    values: dict[str, Any] = {
        "scope": "checkpoints",
        "identifier": "PD-PERMIT-0001",
        "version": "1.0.0",
        "certificate_type": "permit",
        "valid_from": NOW - timedelta(days=1),
        "valid_to": NOW + timedelta(days=60),
        "description_vi": "Đã tiêm đủ 2 mũi vắc xin.",
        "description_en": "Two vaccine doses.",
        "logic": {">=": [{"var": "payload.vd"}, 2]},
        "affected_fields": ["vd"],
    }
    values.update(changes)
    return services.save_rule(by=by, clock=at(NOW), **values)


def test_a_new_key_signs_and_is_published_in_the_trust_list(city_commander):
    key = pass_key(city_commander)
    assert key.status == SigningKey.Status.ACTIVE and key.valid_to == NOW + timedelta(days=455)
    # the private key is sealed: neither PEM nor any readable part of it is in the row
    assert b"PRIVATE KEY" not in bytes(key.sealed_private_key)
    [entry] = selectors.trust_list(NOW).entries
    assert (entry.usage, base64.b64encode(entry.kid).decode(), sorted(entry.types)) == (
        Usage.PASS,
        key.kid,
        sorted(ALL_TYPES),
    )
    published = selectors.published_trust_list(at(NOW))
    assert published["entries"][0]["kid"] == key.kid and "public_key" in published["entries"][0]
    assert AuditEntry.objects.filter(action="passes.key_created", object_id=str(key.pk)).exists()


def test_only_the_city_commander_manages_keys_rules_and_bundles(ward_officer_bo_de, checkpoint_officer_ql6):
    for actor in (ward_officer_bo_de, checkpoint_officer_ql6):
        with pytest.raises(NotPermitted):
            pass_key(actor)
        with pytest.raises(NotPermitted):
            services.publish_bundle(
                by=actor, scope="checkpoints", not_after=NOW + timedelta(days=7), clock=at(NOW)
            )
        with pytest.raises(NotPermitted):
            two_doses_rule(actor)


def test_rotation_retires_the_old_key_which_stays_trusted_until_its_passes_expire(city_commander):
    old = pass_key(city_commander)
    code = services.sign_pass(payload=permit_valid_for(90), clock=at(NOW))
    rotated_at = NOW + timedelta(days=30)
    new = pass_key(city_commander, when=rotated_at, label="Khóa ký 2021-10")
    old.refresh_from_db()
    assert (old.status, old.retired_at, new.status) == ("retired", rotated_at, "active")
    # new passes are signed by the new key; the old key's passes keep verifying until they expire
    assert selectors.verify_code(
        services.sign_pass(payload=permit_valid_for(7, start=rotated_at), clock=at(rotated_at)),
        clock=at(rotated_at),
    ).kid == (base64.b64decode(new.kid))
    assert selectors.verify_code(code, clock=at(rotated_at + timedelta(days=10))).ok
    last_day = NOW + timedelta(days=90) - timedelta(minutes=1)
    assert selectors.verify_code(code, clock=at(last_day)).ok
    # 90 days after retiring, the old key leaves the trust list
    kids = {e.kid for e in selectors.trust_list(rotated_at + timedelta(days=91)).entries}
    assert base64.b64decode(old.kid) not in kids and base64.b64decode(new.kid) in kids
    assert AuditEntry.objects.filter(action="passes.key_retired", object_id=str(old.pk)).exists()


def test_a_revoked_key_is_no_longer_trusted(city_commander):
    key = pass_key(city_commander)
    code = services.sign_pass(payload=permit_valid_for(7), clock=at(NOW))
    services.revoke_key(by=city_commander, key=key, clock=at(NOW + timedelta(hours=1)))
    result = selectors.verify_code(code, clock=at(NOW + timedelta(hours=2)))
    assert (result.ok, result.error) == (False, "unknown_kid")
    with pytest.raises(services.KeyNotActive):
        services.revoke_key(by=city_commander, key=key, clock=at(NOW))
    with pytest.raises(services.NoSigningKey):
        services.sign_pass(payload=permit_valid_for(7), clock=at(NOW))


def test_a_second_active_key_of_a_purpose_is_impossible(city_commander):
    key = pass_key(city_commander)
    with pytest.raises(Exception, match=r"UNIQUE|unique|duplicate"):
        SigningKey.objects.create(
            kid="AAAAAAAAAAA=",
            label="x",
            purpose="passes",
            certificate=b"",
            sealed_private_key=b"",
            valid_from=key.valid_from,
            valid_to=key.valid_to,
        )


def test_signing_refuses_types_the_key_may_not_sign_and_overlong_passes(city_commander):
    with pytest.raises(services.NoSigningKey):
        services.sign_pass(payload=permit_valid_for(7), clock=at(NOW))
    pass_key(city_commander, types=["vehicle"])
    with pytest.raises(services.KeyCannotSign):
        services.sign_pass(payload=permit_valid_for(7), clock=at(NOW))
    pass_key(city_commander, label="all types")
    with pytest.raises(services.PassLifetime):
        services.sign_pass(payload=permit_valid_for(91), clock=at(NOW))
    with pytest.raises(services.PassLifetime):
        services.sign_pass(payload=permit_valid_for(1, start=NOW - timedelta(days=2)), clock=at(NOW))


@pytest.mark.parametrize(
    ("purpose", "types", "label"),
    [
        ("passes", [], "k"),
        ("passes", ["visa"], "k"),
        ("bundles", ["permit"], "k"),
        ("passes", ["permit"], " "),
    ],
)
def test_key_requests_are_checked(city_commander, purpose, types, label):
    with pytest.raises(InvalidInput):
        services.rotate_key(by=city_commander, purpose=purpose, label=label, pass_types=types, clock=at(NOW))


def test_a_foreign_dcc_signer_is_imported_and_checks_hc1_certificates(city_commander):
    case = json.loads(DGC_TEST.read_text(encoding="utf-8"))
    clock = datetime.fromisoformat(case["TESTCTX"]["VALIDATIONCLOCK"])
    signer = services.import_foreign_signer(
        by=city_commander,
        certificate=case["TESTCTX"]["CERTIFICATE"],
        label="AT test",
        country="at",
        clock=at(clock),
    )
    assert (signer.country, signer.kinds) == ("AT", ["r", "t", "v"])
    assert selectors.verify_code(case["PREFIX"], clock=at(clock)).ok
    with pytest.raises(Duplicate):
        services.import_foreign_signer(
            by=city_commander, certificate=case["TESTCTX"]["CERTIFICATE"], label="again"
        )
    with pytest.raises(services.BadCertificate):
        services.import_foreign_signer(by=city_commander, certificate="not base64!", label="x")
    with pytest.raises(services.BadCertificate):
        services.import_foreign_signer(
            by=city_commander, certificate=base64.b64encode(b"junk").decode(), label="x"
        )
    services.set_foreign_signer_active(by=city_commander, signer=signer, active=False, clock=at(clock))
    assert selectors.verify_code(case["PREFIX"], clock=at(clock)).error == "unknown_kid"


def test_rules_are_checked_when_saved_and_versions_are_unique(city_commander):
    rule = two_doses_rule(city_commander)
    assert AuditEntry.objects.filter(action="passes.rule_saved", object_id=str(rule.pk)).exists()
    with pytest.raises(Duplicate):
        two_doses_rule(city_commander)
    with pytest.raises(services.BadRule) as refused:
        two_doses_rule(city_commander, version="1.1.0", logic={"<": [1]})
    assert refused.value.field == "logic" and "'<' takes" in str(refused.value)
    with pytest.raises(services.BadRule):
        two_doses_rule(city_commander, version="1.1.0", valid_to=NOW - timedelta(days=2))
    with pytest.raises(services.BadRule):
        two_doses_rule(city_commander, version="1.1.0", logic={">=": [{"var": "payload.vd"}, 2.0]})


def test_publishing_signs_monotonic_versions_a_device_accepts(city_commander):
    with pytest.raises(services.NoSigningKey):
        services.publish_bundle(
            by=city_commander, scope="checkpoints", not_after=NOW + timedelta(days=7), clock=at(NOW)
        )
    pass_key(city_commander)
    bundle_key(city_commander)
    two_doses_rule(city_commander)
    first = services.publish_bundle(
        by=city_commander,
        scope="checkpoints",
        not_after=NOW + timedelta(days=7),
        value_sets={"allowed-groups": [1, 2, 3, 4, 6]},
        clock=at(NOW),
    )
    second = services.publish_bundle(
        by=city_commander,
        scope="checkpoints",
        not_after=NOW + timedelta(days=8),
        clock=at(NOW + timedelta(hours=1)),
    )
    assert (first.version, second.version) == (1, 2)
    anchors = selectors.bundle_anchors(NOW)
    held = bundles.open_signed(selectors.bundle_document(first), anchors)
    assert held.value_sets == {"allowed-groups": [1, 2, 3, 4, 6]}
    assert [rule["Identifier"] for rule in held.rules] == ["PD-PERMIT-0001"]
    assert {e.usage for e in held.trust.entries} == {Usage.PASS, Usage.BUNDLE}
    answer = bundles.accept(
        held, selectors.bundle_document(second), clock=NOW + timedelta(hours=2), anchors=anchors
    )
    assert answer.accepted and answer.bundle is not None
    assert answer.bundle.value_sets == held.value_sets  # kept from the previous bundle
    older = bundles.accept(answer.bundle, selectors.bundle_document(first), clock=NOW, anchors=anchors)
    assert older.error == "older_version"
    with pytest.raises(InvalidInput):
        services.publish_bundle(by=city_commander, scope="checkpoints", not_after=NOW, clock=at(NOW))
    assert AuditEntry.objects.filter(action="passes.bundle_published").count() == 2


def test_rotating_the_bundle_key_hands_over_through_a_bundle_signed_by_the_old_key(city_commander):
    pass_key(city_commander)
    old = bundle_key(city_commander)
    first = services.publish_bundle(
        by=city_commander, scope="checkpoints", not_after=NOW + timedelta(days=7), clock=at(NOW)
    )
    pinned = selectors.bundle_anchors(NOW)  # what a device installed before the rotation knows
    later = NOW + timedelta(days=1)
    new = bundle_key(city_commander, when=later, label="Khóa ký gói quy tắc 2")
    handover = selectors.current_bundle("checkpoints")
    assert handover is not None and (handover.version, handover.kid) == (2, old.kid)
    third = services.publish_bundle(
        by=city_commander, scope="checkpoints", not_after=later + timedelta(days=7), clock=at(later)
    )
    assert third.kid == new.kid
    # a device that pinned only the old key follows the chain
    held = bundles.open_signed(selectors.bundle_document(first), pinned)
    step = bundles.accept(held, selectors.bundle_document(handover), clock=later, anchors=pinned)
    assert step.accepted and step.bundle is not None
    final = bundles.accept(step.bundle, selectors.bundle_document(third), clock=later, anchors=pinned)
    assert final.accepted
    assert bundles.accept(held, selectors.bundle_document(third), clock=later, anchors=pinned).error == (
        "bundle_bad_signature"
    )


def test_the_hand_over_publishes_each_scope_once_however_many_versions_it_has(city_commander):
    pass_key(city_commander)
    bundle_key(city_commander)
    for _ in range(2):
        services.publish_bundle(
            by=city_commander, scope="checkpoints", not_after=NOW + timedelta(days=7), clock=at(NOW)
        )
    services.publish_bundle(
        by=city_commander, scope="markets", not_after=NOW + timedelta(days=7), clock=at(NOW)
    )
    later = NOW + timedelta(days=1)
    bundle_key(city_commander, when=later, label="Khóa ký gói quy tắc 2")
    versions = dict(Bundle.objects.order_by().values_list("scope").annotate(n=Max("version")))
    assert versions == {"checkpoints": 3, "markets": 2}  # one hand-over each, not one per stored version


def test_a_permit_is_issued_verified_and_judged_by_the_published_rules(city_commander):
    pass_key(city_commander)
    bundle_key(city_commander)
    two_doses_rule(city_commander)
    bundle = services.publish_bundle(
        by=city_commander, scope="checkpoints", not_after=NOW + timedelta(days=7), clock=at(NOW)
    )
    scan_time = NOW + timedelta(minutes=30)  # 06:30 at the gateway
    _opened, ruleset = selectors.opened_bundle(bundle)
    for doses, allowed in ((2, True), (1, False)):
        code = services.sign_pass(payload=permit_valid_for(7, doses=doses), clock=at(NOW))
        checked = selectors.verify_code(code, clock=at(scan_time))
        assert checked.ok and checked.payload is not None
        decision = ruleset.evaluate(checked.payload, pass_type="permit", clock=scan_time)
        assert decision.allowed is allowed
    assert [o.description("vi") for o in decision.failed] == ["Đã tiêm đủ 2 mũi vắc xin."]


def test_concurrent_publications_of_one_version_give_one_winner(city_commander):
    bundle_key(city_commander)
    services.publish_bundle(by=city_commander, scope="s", not_after=NOW + timedelta(days=1), clock=at(NOW))
    with pytest.raises(Exception, match=r"UNIQUE|unique|duplicate"):
        Bundle.objects.create(scope="s", version=1, issued_at=NOW, not_after=NOW, document="{}", kid="x")
    assert Conflict.status == 409
