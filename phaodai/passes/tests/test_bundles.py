"""Rule bundles on the device: signed and canonical; a newer one taken, an older or forged one refused."""

import json
from datetime import timedelta

import pytest

from phaodai.passes import bundles
from phaodai.passes.tests import builders as b
from phaodai.passes.trust import TrustEntry, TrustList, Usage

CLOCK = b.CLOCK
BUNDLE_KEY = b.ec_key(21)
ANCHORS = TrustList([TrustEntry.from_certificate(b.certificate(BUNDLE_KEY, name="bundles"), Usage.BUNDLE)])
KID = ANCHORS.entries[0].kid


def document(
    version: int,
    *,
    issued_at=CLOCK - timedelta(hours=1),
    not_after=CLOCK + timedelta(days=7),
    key=BUNDLE_KEY,
    trust=ANCHORS,
    rules=(),
):
    content = bundles.build(
        scope="checkpoints",
        version=version,
        issued_at=issued_at,
        not_after=not_after,
        timezone="Asia/Ho_Chi_Minh",
        trust=trust,
        value_sets={"groups": [1, 2]},
        rules=list(rules),
    )
    return bundles.sign(content, private_key=key, kid=KID)


def test_the_signature_covers_the_canonical_json():
    signed = document(1)
    assert bundles.canonical(signed["bundle"]).startswith(b'{"format":"phaodai-bundle/1","issued_at":')
    opened = bundles.open_signed(signed, ANCHORS)
    assert (opened.scope, opened.version, opened.not_after) == ("checkpoints", 1, CLOCK + timedelta(days=7))
    # the same bundle, its keys in another order and re-serialised, still verifies
    reordered = json.loads(json.dumps(signed, indent=2))
    reordered["bundle"] = dict(reversed(list(reordered["bundle"].items())))
    assert bundles.open_signed(reordered, ANCHORS).version == 1


def test_a_newer_bundle_is_taken():
    held = bundles.open_signed(document(1), ANCHORS)
    answer = bundles.accept(held, document(2), clock=CLOCK, anchors=ANCHORS)
    assert (
        answer.accepted and answer.bundle is not None and answer.bundle.version == 2 and answer.error is None
    )


def test_an_older_or_the_same_version_is_refused_and_the_held_one_kept():
    held = bundles.open_signed(document(5), ANCHORS)
    for version in (4, 5):
        answer = bundles.accept(held, document(version), clock=CLOCK, anchors=ANCHORS)
        assert (answer.accepted, answer.error, answer.bundle) == (False, "older_version", held)


def test_a_device_clock_earlier_than_the_signing_time_is_device_time_invalid():
    offered = document(2, issued_at=CLOCK + timedelta(hours=3))
    answer = bundles.accept(None, offered, clock=CLOCK, anchors=ANCHORS)
    assert (answer.accepted, answer.error) == (False, "device_time_invalid")
    assert "device time invalid" in (answer.message or "")
    # a few minutes of drift are tolerated
    assert bundles.accept(
        None, document(2, issued_at=CLOCK + timedelta(minutes=3)), clock=CLOCK, anchors=ANCHORS
    ).accepted


def test_past_not_after_the_bundle_still_works_with_a_warning():
    stale = document(3, issued_at=CLOCK - timedelta(days=9), not_after=CLOCK - timedelta(days=2))
    answer = bundles.accept(None, stale, clock=CLOCK, anchors=ANCHORS)
    assert answer.accepted and answer.warnings == ("past_not_after",)
    assert answer.bundle is not None
    assert bundles.warnings(answer.bundle, CLOCK - timedelta(days=3)) == ()


def test_forged_tampered_or_malformed_bundles_are_refused():
    stranger = b.ec_key(22)
    tampered = document(2)
    tampered["bundle"]["value_sets"]["groups"].append(5)
    bad_sig = document(2)
    bad_sig["sig"] = "AAAA"
    assert (
        bundles.accept(None, document(2, key=stranger), clock=CLOCK, anchors=ANCHORS).error
        == "bundle_bad_signature"
    )
    assert bundles.accept(None, tampered, clock=CLOCK, anchors=ANCHORS).error == "bundle_bad_signature"
    assert bundles.accept(None, bad_sig, clock=CLOCK, anchors=ANCHORS).error == "bundle_bad_signature"
    junk: object
    for junk in (
        None,
        [],
        {"bundle": []},
        {"bundle": {}, "kid": 5, "sig": "x"},
        {"bundle": {"a": 1.0}, "kid": "", "sig": ""},
    ):
        assert bundles.accept(None, junk, clock=CLOCK, anchors=ANCHORS).error == "bad_bundle"


def test_a_signed_bundle_with_unknown_fields_is_still_refused():
    content = bundles.build(
        scope="s",
        version=1,
        issued_at=CLOCK,
        not_after=CLOCK + timedelta(days=1),
        timezone="Asia/Ho_Chi_Minh",
        trust=ANCHORS,
        value_sets={},
        rules=[],
    )
    content["extra"] = True
    signed = bundles.sign(content, private_key=BUNDLE_KEY, kid=KID)
    assert bundles.accept(None, signed, clock=CLOCK, anchors=ANCHORS).error == "bad_bundle"


def test_a_new_bundle_key_is_trusted_once_a_held_bundle_lists_it():
    successor = b.ec_key(23)
    successor_entry = TrustEntry.from_certificate(b.certificate(successor, name="bundles 2"), Usage.BUNDLE)
    handover = document(2, trust=TrustList([*ANCHORS.entries, successor_entry]))
    held = bundles.accept(None, handover, clock=CLOCK, anchors=ANCHORS).bundle
    content = bundles.build(
        scope="checkpoints",
        version=3,
        issued_at=CLOCK,
        not_after=CLOCK + timedelta(days=7),
        timezone="Asia/Ho_Chi_Minh",
        trust=TrustList([successor_entry]),
        value_sets={},
        rules=[],
    )
    next_one = bundles.sign(content, private_key=successor, kid=successor_entry.kid)
    assert bundles.accept(None, next_one, clock=CLOCK, anchors=ANCHORS).error == "bundle_bad_signature"
    assert bundles.accept(held, next_one, clock=CLOCK, anchors=ANCHORS).accepted


@pytest.mark.parametrize("value", [1.0, 1e21, float("nan"), 1e-7, {1: "x"}, b"bytes"])
def test_values_that_would_print_differently_in_javascript_are_refused(value):
    with pytest.raises(ValueError):
        bundles.canonical({"x": value})


def test_short_decimals_and_text_are_canonical():
    assert bundles.canonical({"b": 0.5, "a": "Hà Nội"}) == '{"a":"Hà Nội","b":0.5}'.encode()
