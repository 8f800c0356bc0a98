"""The shared vectors (data/vectors.json, also read by the JS verifier): Python still gives every answer."""

import json
from pathlib import Path

import pytest

from phaodai.passes import bundles, checking
from phaodai.passes.codec import verify
from phaodai.passes.rules import RuleSet
from phaodai.passes.trust import TrustList, parse_iso

VECTORS = json.loads((Path(__file__).parent / "data" / "vectors.json").read_text(encoding="utf-8"))
TRUST = TrustList.from_json(VECTORS["trust_list"])
CLOCK = parse_iso(VECTORS["clock"])
ANCHORS = TrustList.from_json(VECTORS["bundles"]["anchors"])
DOCUMENTS = VECTORS["bundles"]["documents"]


def test_the_vectors_cover_the_adversarial_list():
    errors = {case["expected"]["error"]["code"] for case in VECTORS["codes"] if case["expected"]["error"]}
    assert errors >= {
        "bad_signature",
        "unknown_kid",
        "bad_kid",
        "algorithm_mismatch",
        "malformed_signature",
        "expired",
        "not_yet_valid",
        "key_usage",
        "bad_prefix",
        "bad_base45",
        "bad_zlib",
        "inflated_too_large",
        "bad_cose",
        "too_long",
    }
    bundle_errors = {case["expected"]["error"] for case in VECTORS["bundles"]["cases"]}
    assert bundle_errors >= {"older_version", "device_time_invalid", "bundle_bad_signature"}


@pytest.mark.parametrize("case", VECTORS["codes"], ids=lambda case: case["name"])
def test_each_code_verifies_as_recorded(case):
    assert verify(case["qr"], TRUST, CLOCK).report() == case["expected"]


@pytest.mark.parametrize("case", VECTORS["bundles"]["cases"], ids=lambda case: case["name"])
def test_each_bundle_is_accepted_or_refused_as_recorded(case):
    held = bundles.open_signed(DOCUMENTS[case["held"]], ANCHORS) if case["held"] else None
    answer = bundles.accept(held, DOCUMENTS[case["offered"]], clock=parse_iso(case["clock"]), anchors=ANCHORS)
    assert {"accepted": answer.accepted, "error": answer.error, "warnings": list(answer.warnings)} == case[
        "expected"
    ]


@pytest.mark.parametrize("case", VECTORS["decisions"], ids=lambda case: case["name"])
def test_each_decision_is_as_recorded(case):
    bundle = bundles.open_signed(DOCUMENTS[case["bundle"]], ANCHORS)
    clock = parse_iso(case["clock"])
    checked = verify(case["qr"], TRUST, clock)
    assert checked.payload is not None
    decision = RuleSet(bundle.rules, bundle.value_sets, bundle.timezone).evaluate(
        checked.payload, pass_type=checked.payload["t"], clock=clock, checkpoint=case["checkpoint"]
    )
    assert {
        "allowed": decision.allowed,
        "passed": [o.identifier for o in decision.passed],
        "failed": [o.identifier for o in decision.failed],
        "errors": [o.identifier for o in decision.failed if o.error],
    } == case["expected"]


S23 = VECTORS["checkpoint_decisions"]


def test_the_s23_vectors_ship_the_rule_file_as_it_is():
    shipped = json.loads(
        (Path(__file__).parents[2] / "checkpoints" / "data" / "rules-s23.json").read_text(encoding="utf-8")
    )
    assert bundles.open_signed(S23["bundle"], ANCHORS).rules == shipped["rules"]


@pytest.mark.parametrize("case", S23["cases"], ids=lambda case: case["name"])
def test_each_s23_checkpoint_decision_is_as_recorded(case):
    bundle = bundles.open_signed(S23["bundle"], ANCHORS)
    result = checking.check(
        case["qr"],
        case["declaration"],
        trust=TRUST,
        rules=RuleSet(bundle.rules, bundle.value_sets, bundle.timezone),
        notes=checking.note_identifiers(bundle.rules),
        checkpoint=case["checkpoint"],
        clock=parse_iso(case["clock"]),
        bundle_version=bundle.version,
    )
    assert {
        "decision": result.decision,
        "error": result.error,
        "failed": sorted(o.identifier for o in result.failed),
        "notes": sorted(o.identifier for o in result.notes),
        "declaration_error": result.declaration_error,
        "pass_id": result.pass_id,
        "pass_type": result.pass_type,
        "plate": result.plate,
        "holder": result.holder(),
        "bundle_version": result.bundle_version,
    } == case["expected"]
