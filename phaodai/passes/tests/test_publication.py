"""The S23 rules published from their file, re-publication only on change, revocations that reach devices."""

import json
from datetime import timedelta
from pathlib import Path

import pytest

from phaodai.core.errors import NotPermitted
from phaodai.passes import bundles, checking, publication, selectors, services
from phaodai.passes.models import Bundle, PassRule, RevokedPass, SigningKey
from phaodai.passes.payload import PassPayload, PassType
from phaodai.passes.rules import RuleSet
from phaodai.passes.tests import s23
from phaodai.passes.tests.s23 import CLOCK, KEYS_MADE, at

pytestmark = pytest.mark.django_db

RULE_FILE = services.RULE_FILES["checkpoints"]


def content(bundle):
    return json.loads(bundle.document)["bundle"]


def device_check(code, at_gateway=CLOCK):
    """What an offline device decides with the latest checkpoints bundle (it knows keys only from it)."""
    latest = Bundle.objects.filter(scope="checkpoints").latest("version")
    opened = bundles.open_signed(selectors.bundle_document(latest), selectors.bundle_anchors(KEYS_MADE))
    return checking.check(
        code,
        None,
        trust=opened.trust,
        rules=RuleSet(opened.rules, opened.value_sets, opened.timezone),
        notes=checking.note_identifiers(opened.rules),
        checkpoint=checking.checkpoint_facts("district", "004-01", ["/01/004/"]),
        clock=at_gateway,
    )


def test_publishing_installs_the_rule_file_and_signs_a_bundle(city_commander):
    bundle = s23.published(city_commander)
    shipped = json.loads(RULE_FILE.read_text(encoding="utf-8"))["rules"]
    held = content(bundle)
    assert bundle.version == 1 and held["value_sets"] == {"revoked-passes": []}
    assert [r["Identifier"] for r in held["rules"]] == sorted(r["Identifier"] for r in shipped)
    for rule in held["rules"]:
        source = next(r for r in shipped if r["Identifier"] == rule["Identifier"])
        assert {k: rule[k] for k in source} == source  # as written, plus the engine fields
    assert PassRule.objects.filter(scope="checkpoints").count() == len(shipped)
    assert held["not_after"] == "2021-09-14T23:30:00Z"  # a week after publication


def test_publishing_again_without_a_change_makes_no_new_version(city_commander):
    first = s23.published(city_commander)
    again, published = services.publish_scope(by=city_commander, scope="checkpoints", clock=at(CLOCK))
    assert (again.pk, published) == (first.pk, False)
    forced, published = services.publish_scope(
        by=city_commander, scope="checkpoints", force=True, days=14, clock=at(CLOCK)
    )
    assert (forced.version, published) == (2, True)
    # a bundle past its not-after is published again even if nothing else changed
    later, published = services.publish_scope(
        by=city_commander, scope="checkpoints", clock=at(CLOCK + timedelta(days=15))
    )
    assert (later.version, published) == (3, True)


def test_a_rule_changed_in_the_file_without_a_new_version_is_refused(city_commander, tmp_path: Path):
    s23.published(city_commander)
    document = json.loads(RULE_FILE.read_text(encoding="utf-8"))
    document["rules"][0]["Logic"] = True
    changed = tmp_path / "rules.json"
    changed.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(services.RuleFileError, match="raise its Version"):
        services.publish_scope(by=city_commander, scope="checkpoints", rules_file=changed, clock=at(CLOCK))
    document["rules"][0]["Version"] = "1.1.0"
    changed.write_text(json.dumps(document), encoding="utf-8")
    bundle, published = services.publish_scope(
        by=city_commander, scope="checkpoints", rules_file=changed, clock=at(CLOCK)
    )
    assert published and bundle.version == 2
    versions = [r["Version"] for r in content(bundle)["rules"] if r["Identifier"] == "PD-S23-GEN-0001"]
    assert sorted(versions) == ["1.0.0", "1.1.0"]  # devices choose the highest valid one


def test_only_the_city_commander_publishes_and_a_bundle_key_is_needed(city_commander, ward_officer_bo_de):
    with pytest.raises(NotPermitted):
        services.publish_scope(by=ward_officer_bo_de, scope="checkpoints", clock=at(CLOCK))
    with pytest.raises(services.NoSigningKey):
        services.publish_scope(by=city_commander, scope="checkpoints", clock=at(CLOCK))
    with pytest.raises(services.InvalidInput):
        services.publish_scope(by=city_commander, scope="checkpoints", days=0, clock=at(CLOCK))


def test_a_revocation_republishes_the_bundle_at_once(city_commander, ward_officer_bo_de):
    first = s23.published(city_commander)
    assert services.revoke_pass(
        by=ward_officer_bo_de, pass_id="GDD-1", pass_type="permit", expires_at=CLOCK + timedelta(days=3),
        clock=at(CLOCK),
    )  # fmt: skip
    latest = Bundle.objects.get(version=2)
    assert latest.version == 2 and latest.published_by == ward_officer_bo_de
    held, before = content(latest), content(first)
    assert held["value_sets"]["revoked-passes"] == ["GDD-1"]
    assert (held["rules"], held["not_after"]) == (before["rules"], before["not_after"])
    # the same pass again changes nothing; an expired pass is recorded, not published
    assert not services.revoke_pass(
        by=ward_officer_bo_de, pass_id="GDD-1", pass_type="permit", expires_at=CLOCK, clock=at(CLOCK)
    )
    services.revoke_pass(
        by=ward_officer_bo_de, pass_id="GDD-0", pass_type="permit", expires_at=CLOCK - timedelta(hours=1),
        clock=at(CLOCK),
    )  # fmt: skip
    assert Bundle.objects.count() == 2 and RevokedPass.objects.count() == 2
    assert selectors.revoked_pass_ids(CLOCK) == ["GDD-1"]
    assert selectors.revoked_pass_ids(CLOCK + timedelta(days=4)) == []


def test_a_revocation_before_any_bundle_waits_for_the_first_publication(city_commander, ward_officer_bo_de):
    services.revoke_pass(
        by=ward_officer_bo_de, pass_id="GDD-1", pass_type="permit", expires_at=CLOCK + timedelta(days=3),
        clock=at(KEYS_MADE),
    )  # fmt: skip
    assert not Bundle.objects.exists()
    bundle = s23.published(city_commander)
    assert content(bundle)["value_sets"]["revoked-passes"] == ["GDD-1"]


def test_the_server_refuses_a_revoked_pass_even_if_no_bundle_could_carry_it(
    city_commander, ward_officer_bo_de
):
    bundle = s23.published(city_commander)
    services.revoke_key(by=city_commander, key=services.SigningKey.objects.get(purpose="bundles"))
    services.revoke_pass(
        by=ward_officer_bo_de, pass_id="GDD-00139-000123", pass_type="permit",
        expires_at=CLOCK + timedelta(days=3), clock=at(CLOCK),
    )  # fmt: skip
    assert Bundle.objects.get().pk == bundle.pk  # nothing could be signed
    facts = selectors.checkpoint_facts("city_gateway", "CN-05", ["/01/268/"])
    result = selectors.check_pass(s23.permit(), s23.declaration(), bundle=bundle, checkpoint=facts, at=CLOCK)
    assert [o.identifier for o in result.failed] == ["PD-S23-GEN-0002"]


def test_revoking_a_leaked_pass_key_takes_it_out_of_the_bundles_at_once(city_commander):
    first = s23.published(city_commander)
    code = s23.vehicle()
    assert device_check(code).decision == "allowed"
    leaked = SigningKey.objects.get(purpose="passes", status="active")
    services.revoke_key(by=city_commander, key=leaked, clock=at(CLOCK - timedelta(hours=1)))
    latest = selectors.current_bundle("checkpoints")
    assert latest is not None and latest.version == first.version + 1
    assert leaked.kid not in {entry["kid"] for entry in content(latest)["trust_list"]}
    assert (content(latest)["rules"], content(latest)["not_after"]) == (
        content(first)["rules"],
        content(first)["not_after"],
    )
    checked = device_check(code)
    assert (checked.decision, checked.error) == ("denied", "unknown_kid")


def test_a_key_revocation_stands_when_its_bundles_cannot_be_published(city_commander, monkeypatch):
    s23.published(city_commander)
    leaked = SigningKey.objects.get(purpose="passes", status="active")

    def failing(*args, **kwargs):
        raise RuntimeError("the bundle key cannot be opened")

    monkeypatch.setattr(publication, "_republish_scope", failing)
    with pytest.raises(RuntimeError):
        services.revoke_key(by=city_commander, key=leaked, clock=at(CLOCK - timedelta(hours=1)))
    leaked.refresh_from_db()
    assert leaked.status == "revoked"  # the server refuses its passes from now on, bundle or not


def test_rotating_the_pass_key_publishes_it_to_devices(city_commander):
    s23.published(city_commander)
    before = s23.vehicle()
    rotated_at = KEYS_MADE + timedelta(hours=1)
    services.rotate_key(
        by=city_commander,
        purpose="passes",
        label="Khóa ký giấy 2",
        pass_types=list(PassType),
        clock=at(rotated_at),
    )
    assert Bundle.objects.filter(scope="checkpoints").latest("version").version == 2
    payload = PassPayload(
        type=PassType.VEHICLE,
        pass_id="LX-29C12345",
        valid_from=CLOCK - timedelta(days=1),
        valid_to=CLOCK + timedelta(days=5),
        plate="29C-123.45",
    )
    code = services.sign_pass(payload=payload, clock=at(rotated_at + timedelta(hours=1)))
    checked = device_check(code)
    assert (checked.decision, checked.error) == ("allowed", None)
    assert device_check(before).decision == "allowed"  # the retired key's passes still hold
