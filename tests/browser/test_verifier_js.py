"""The offline verifier's JavaScript in headless Chromium: the rules engine's twin and the decoders.

The modules load from the live server's static files, as a phone would fetch them, into a blank
page on the same origin (a route answers it, so no Django view is needed). Each test hands the
vectors over as JSON text, runs them all in one evaluation and gets back the ones that failed:
- every vector of phaodai/core/rules/vectors/engine.json gives what the Python engine gives;
- CBOR and Base45 vectors (RFC 8949, RFC 9285) decode or are refused as recorded;
- zlib inflates within its cap and refuses bombs, truncation and trailing data;
- the EU test certificates (dgc-testdata) decode to the payload Python reads from them;
- the shared pass vectors (phaodai/passes/tests/data/vectors.json): every code's report (cose.js +
  codec.js, ES256 and PS256 with WebCrypto), every bundle acceptance (bundle.js), every rule
  decision (rules.js RuleSet) and every checkpoint decision (rules.js check) as Python gives them;
- and, beyond the vectors, 700 codes damaged at every layer or signed over odd contents.
"""

import base64
import json
import random
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import cbor2
import pytest

from phaodai.passes import base45
from phaodai.passes.tests import builders

ROOT = Path(__file__).resolve().parents[2]
ENGINE_VECTORS = ROOT / "phaodai/core/rules/vectors/engine.json"
PASSES_DATA = ROOT / "phaodai/passes/tests/data"
VERIFIER = "/static/phaodai/verifier"
BLANK_PAGE = "/__verifier-tests__/"

# Loads the modules once per page and keeps them on window.verifier.
LOAD_MODULES = f"""async () => {{
  window.verifier = {{
    certlogic: await import("{VERIFIER}/certlogic.js"),
    cbor: await import("{VERIFIER}/cbor.js"),
    base45: await import("{VERIFIER}/base45.js"),
    inflate: await import("{VERIFIER}/inflate.js"),
    cose: await import("{VERIFIER}/cose.js"),
    codec: await import("{VERIFIER}/codec.js"),
    bundle: await import("{VERIFIER}/bundle.js"),
    rules: await import("{VERIFIER}/rules.js"),
    codes: await import("{VERIFIER}/codes.js"),
  }};
  return Object.keys(window.verifier.certlogic);
}}"""

# How both sides write a decoded value as JSON (see phaodai/passes/tests/data/cbor_vectors.json).
TAGGED_JSON = """
  const hex = (text) => Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
  const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const { Tagged, Simple } = window.verifier.cbor;
  const { DateTime } = window.verifier.certlogic;
  const tagged = (v) => {
    if (v === undefined) return { $undefined: true };
    if (v instanceof DateTime) return { $datetime: v.isoformat() };
    if (v instanceof Simple) return { $simple: v.value };
    if (v instanceof Tagged) return { $tag: v.tag, value: tagged(v.value) };
    if (v instanceof Uint8Array) return { $bytes: toHex(v) };
    if (typeof v === "number") {
      if (Number.isNaN(v)) return { $float: "NaN" };
      if (!Number.isFinite(v)) return { $float: v > 0 ? "Infinity" : "-Infinity" };
      return Object.is(v, -0) ? { $float: "-0" } : v;
    }
    if (Array.isArray(v)) return v.map(tagged);
    if (v instanceof Map) return { $map: [...v].map(([key, value]) => [tagged(key), tagged(value)]) };
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([key, value]) => [key, tagged(value)]));
    }
    return v;
  };
  // Equal as JSON: true is not 1, -0 is 0 (as JSON writes it), objects by content whatever the key order.
  const same = (a, b) => {
    if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (Array.isArray(a)) return a.length === b.length && a.every((item, i) => same(item, b[i]));
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && same(a[key], b[key]));
  };
"""

RUN_RULE_VECTORS = (
    """(text) => {"""
    + TAGGED_JSON
    + """
  const { apply, RuleError } = window.verifier.certlogic;
  const failures = [];
  const vectors = JSON.parse(text);
  for (const vector of vectors) {
    let got;
    try {
      got = { expected: tagged(apply(vector.rule, vector.data)) };
    } catch (error) {
      got = error instanceof RuleError ? { error: true } : { crash: `${error.name}: ${error.message}` };
    }
    const want = vector.error ? { error: true } : { expected: vector.expected };
    if (!same(got, want)) failures.push({ name: vector.name, want, got });
  }
  return { count: vectors.length, failures };
}"""
)

RUN_CBOR_VECTORS = (
    """(text) => {"""
    + TAGGED_JSON
    + """
  const { decode, CborError } = window.verifier.cbor;
  const { valid, invalid } = JSON.parse(text);
  const failures = [];
  for (const vector of valid) {
    try {
      const got = tagged(decode(hex(vector.hex)));
      if (!same(got, vector.decoded)) failures.push({ hex: vector.hex, want: vector.decoded, got });
    } catch (error) {
      failures.push({ hex: vector.hex, want: vector.decoded, threw: String(error) });
    }
  }
  for (const vector of invalid) {
    try {
      failures.push({ hex: vector.hex, why: vector.why, accepted: tagged(decode(hex(vector.hex))) });
    } catch (error) {
      if (!(error instanceof CborError)) failures.push({ hex: vector.hex, threw: String(error) });
    }
  }
  return { count: valid.length + invalid.length, failures };
}"""
)

RUN_BASE45_VECTORS = (
    """(text) => {"""
    + TAGGED_JSON
    + """
  const { encode, decode, Base45Error } = window.verifier.base45;
  const { valid, invalid } = JSON.parse(text);
  const failures = [];
  for (const vector of valid) {
    let decoded;
    try {
      decoded = toHex(decode(vector.text));
    } catch (error) {
      decoded = String(error);
    }
    const encoded = encode(hex(vector.bytes));
    if (decoded !== vector.bytes || encoded !== vector.text) failures.push({ vector, decoded, encoded });
  }
  for (const vector of invalid) {
    try {
      failures.push({ vector, accepted: toHex(decode(vector.text)) });
    } catch (error) {
      if (!(error instanceof Base45Error)) failures.push({ vector, threw: String(error) });
    }
  }
  return { count: valid.length + invalid.length, failures };
}"""
)

# Each case: zlib data as hex and a cap (null: the default); the answer: the output's length or the error.
RUN_INFLATE = (
    """async (cases) => {"""
    + TAGGED_JSON
    + """
  const { inflate, InflateError } = window.verifier.inflate;
  const results = [];
  for (const { data, cap } of cases) {
    try {
      const out = await inflate(hex(data), cap === null ? {} : { maxOutput: cap });
      results.push({ length: out.length });
    } catch (error) {
      results.push({ error: error instanceof InflateError ? "InflateError" : String(error) });
    }
  }
  return results;
}"""
)

# A QR text through every decoding step: prefix, Base45, zlib, COSE_Sign1, CWT claims, hcert (-260/1).
RUN_HCERT = (
    """async (texts) => {"""
    + TAGGED_JSON
    + """
  const { cbor, base45, inflate } = window.verifier;
  const results = [];
  for (const text of texts) {
    const steps = {};
    try {
      steps.prefix = text.startsWith("HC1:");
      const compressed = base45.decode(text.slice(4));
      steps.base45 = true;
      const envelope = await inflate.inflate(compressed);
      steps.zlib = true;
      const sign1 = cbor.decode(envelope);
      const [, , payload] = sign1 instanceof cbor.Tagged ? sign1.value : sign1;
      const claims = cbor.decode(payload);
      steps.cose = true;
      steps.payload = tagged(claims.get(-260).get(1));
      steps.issuer = claims.get(1) ?? null;
    } catch (error) {
      steps.error = error.name;
    }
    results.push(steps);
  }
  return results;
}"""
)


@pytest.fixture
def verifier(page: Any, live_server: Any) -> Any:
    """A blank page on the live server's origin with the verifier's modules loaded."""
    page.route(
        f"{live_server.url}{BLANK_PAGE}",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            body="<!doctype html><meta charset=utf-8><title>verifier</title>",
        ),
    )
    page.goto(BLANK_PAGE)
    exported = page.evaluate(LOAD_MODULES)
    assert {"apply", "RuleError", "DateTime"} <= set(exported)
    return page


def test_the_js_rules_engine_gives_the_python_engines_answer_on_every_vector(verifier):
    # given the vectors the Python engine answered (phaodai/core/rules/vectors/engine.json)
    text = ENGINE_VECTORS.read_text(encoding="utf-8")
    # when Chromium runs each one through certlogic.js
    outcome = verifier.evaluate(RUN_RULE_VECTORS, text)
    # then every answer, value or RuleError, is the same
    assert outcome["count"] == len(json.loads(text)) >= 500
    assert outcome["failures"] == []


def test_cbor_decodes_the_rfc_examples_and_refuses_what_is_ill_formed_or_out_of_policy(verifier):
    text = (PASSES_DATA / "cbor_vectors.json").read_text(encoding="utf-8")
    outcome = verifier.evaluate(RUN_CBOR_VECTORS, text)
    assert outcome["count"] > 150
    assert outcome["failures"] == []


def test_base45_round_trips_the_rfc_examples_and_refuses_invalid_text_as_python_does(verifier):
    vectors = json.loads((PASSES_DATA / "base45_vectors.json").read_text(encoding="utf-8"))
    # the Python codec agrees with every vector ...
    for vector in vectors["valid"]:
        assert base45.encode(bytes.fromhex(vector["bytes"])) == vector["text"]
        assert base45.decode(vector["text"]).hex() == vector["bytes"]
    for vector in vectors["invalid"]:
        with pytest.raises(base45.Base45Error):
            base45.decode(vector["text"])
    # ... and so does the browser's
    outcome = verifier.evaluate(RUN_BASE45_VECTORS, json.dumps(vectors))
    assert outcome["failures"] == []


def test_inflate_stops_at_its_cap_and_refuses_broken_truncated_or_trailing_data(verifier):
    pass_sized = json.dumps({"ver": "1.3.0", "nam": "Nguyễn Văn An", "pad": "x" * 900}).encode()
    cap = 16 * 1024
    cases = [
        (zlib.compress(pass_sized), None),  # a pass: inflates
        (zlib.compress(b""), None),  # nothing in, nothing out
        (zlib.compress(bytes(cap)), None),  # exactly the cap
        (zlib.compress(bytes(cap + 1)), None),  # one byte over
        (zlib.compress(bytes(50_000_000), 9), None),  # a bomb: 50 MB from about 50 KB
        (zlib.compress(bytes(4096)), 1000),  # a caller's smaller cap
        (zlib.compress(pass_sized)[:-6], None),  # truncated
        (zlib.compress(pass_sized) + b"junk", None),  # trailing data
        (zlib.compress(pass_sized) + b"\0\0\0\0", None),
        (b"\x78\x9c not deflate", None),  # a zlib header over garbage
        (pass_sized, None),  # not compressed at all
        (b"", None),
    ]
    results = verifier.evaluate(RUN_INFLATE, [{"data": data.hex(), "cap": limit} for data, limit in cases])
    refused = {"error": "InflateError"}
    assert results[0]["length"] == len(pass_sized)
    assert results[1]["length"] == 0
    assert results[2]["length"] == cap
    assert results[3:6] == [refused] * 3
    assert results[6:] == [refused] * 6


def test_the_eu_test_certificates_decode_to_the_payload_python_reads(verifier):
    cases = sorted((PASSES_DATA / "dgc-testdata").glob("*.json"))
    if not cases:
        pytest.skip("no dgc-testdata in phaodai/passes/tests/data")
    tests = [json.loads(path.read_text(encoding="utf-8")) for path in cases]
    results = verifier.evaluate(RUN_HCERT, [test["PREFIX"] for test in tests])
    decoded = 0
    for path, test, result in zip(cases, tests, results, strict=True):
        expected = test["EXPECTEDRESULTS"]
        if expected.get("EXPECTEDB45DECODE") is False:
            assert result == {"prefix": True, "error": "Base45Error"}, path.name
        elif expected.get("EXPECTEDCOMPRESSION") is False:
            assert result == {"prefix": True, "base45": True, "error": "InflateError"}, path.name
        else:
            assert "error" not in result, (path.name, result)
            assert result["payload"] == _python_payload(test["PREFIX"]), path.name
            decoded += 1
    assert decoded >= 5


def _python_payload(text: str) -> Any:
    """The hcert payload (claim -260, key 1) as cbor2 reads it, in the vectors' tagged JSON."""
    sign1 = cbor2.loads(zlib.decompress(base45.decode(text[4:])))
    claims = cbor2.loads((sign1.value if isinstance(sign1, cbor2.CBORTag) else sign1)[2])
    return json.loads(json.dumps(claims[-260][1], default=lambda value: {"$bytes": value.hex()}))


PASS_VECTORS = PASSES_DATA / "vectors.json"

# Every code of vectors.json verified against its trust list at its clock: the report, as Python's.
RUN_CODE_VECTORS = """async (text) => {
  const { cose, codec, codes } = window.verifier;
  const vectors = JSON.parse(text);
  const trust = await cose.TrustList.fromJson(vectors.trust_list);
  const clock = codes.parseIso(vectors.clock);
  const failures = [];
  for (const vector of vectors.codes) {
    let got;
    try {
      got = (await codec.verify(vector.qr, trust, clock)).report();
    } catch (error) {
      got = { crash: `${error.name}: ${error.message}` };
    }
    if (JSON.stringify(sortKeys(got)) !== JSON.stringify(sortKeys(vector.expected))) {
      failures.push({ name: vector.name, want: vector.expected, got });
    }
  }
  return { count: vectors.codes.length, failures };
}"""

# Bundle acceptance: held (opened with the anchors) and offered, at each case's clock.
RUN_BUNDLE_VECTORS = """async (text) => {
  const { cose, bundle, codes } = window.verifier;
  const { anchors, documents, cases } = JSON.parse(text).bundles;
  const pinned = await cose.TrustList.fromJson(anchors);
  const failures = [];
  for (const vector of cases) {
    let got;
    try {
      const held = vector.held ? await bundle.openSigned(documents[vector.held], pinned) : null;
      const clock = codes.parseIso(vector.clock);
      const answer = await bundle.accept(held, documents[vector.offered], { clock, anchors: pinned });
      got = { accepted: answer.accepted, error: answer.error, warnings: answer.warnings };
    } catch (error) {
      got = { crash: `${error.name}: ${error.message}` };
    }
    if (JSON.stringify(got) !== JSON.stringify(vector.expected)) {
      failures.push({ name: vector.name, want: vector.expected, got });
    }
  }
  return { count: cases.length, failures };
}"""

# RuleSet.evaluate over a test bundle's rules (no declaration), as test_vectors.py runs it.
RUN_DECISION_VECTORS = """async (text) => {
  const { cose, codec, bundle, rules, codes } = window.verifier;
  const vectors = JSON.parse(text);
  const trust = await cose.TrustList.fromJson(vectors.trust_list);
  const pinned = await cose.TrustList.fromJson(vectors.bundles.anchors);
  const failures = [];
  for (const vector of vectors.decisions) {
    let got;
    try {
      const opened = await bundle.openSigned(vectors.bundles.documents[vector.bundle], pinned);
      const clock = codes.parseIso(vector.clock);
      const checked = await codec.verify(vector.qr, trust, clock);
      const ruleSet = new rules.RuleSet(opened.rules, opened.valueSets, opened.timezone);
      const decision = ruleSet.evaluate(checked.payload, {
        passType: checked.payload.t, clock, checkpoint: vector.checkpoint,
      });
      got = {
        allowed: decision.allowed,
        passed: decision.passed.map((o) => o.identifier),
        failed: decision.failed.map((o) => o.identifier),
        errors: decision.failed.filter((o) => o.error).map((o) => o.identifier),
      };
    } catch (error) {
      got = { crash: `${error.name}: ${error.message}` };
    }
    if (JSON.stringify(got) !== JSON.stringify(vector.expected)) {
      failures.push({ name: vector.name, want: vector.expected, got });
    }
  }
  return { count: vectors.decisions.length, failures };
}"""

# A whole check at a checkpoint (checking.py): pass + declaration + the S23 bundle's rules.
RUN_CHECKPOINT_VECTORS = """async (text) => {
  const { cose, bundle, rules, codes } = window.verifier;
  const vectors = JSON.parse(text);
  const section = vectors.checkpoint_decisions;
  const trust = await cose.TrustList.fromJson(vectors.trust_list);
  const pinned = await cose.TrustList.fromJson(vectors.bundles.anchors);
  const opened = await bundle.openSigned(section.bundle, pinned);
  const ruleSet = new rules.RuleSet(opened.rules, opened.valueSets, opened.timezone);
  const notes = rules.noteIdentifiers(opened.rules);
  const failures = [];
  for (const vector of section.cases) {
    let got;
    try {
      const answer = await rules.check(vector.qr, vector.declaration, {
        trust, rules: ruleSet, notes, checkpoint: vector.checkpoint, clock: codes.parseIso(vector.clock),
        bundleVersion: opened.version,
      });
      got = {
        decision: answer.decision,
        error: answer.error ? answer.error.code : null,
        failed: [...answer.failedOutcomes.map((o) => o.identifier)].sort(),
        notes: answer.notes.map((n) => n.rule),
        declaration_error: answer.declaration_error ? answer.declaration_error.code : null,
        pass_id: answer.pass_id,
        pass_type: answer.pass_type,
        plate: answer.plate,
        holder: answer.holder,
        bundle_version: answer.bundle_version,
      };
    } catch (error) {
      got = { crash: `${error.name}: ${error.message}` };
    }
    if (JSON.stringify(sortKeys(got)) !== JSON.stringify(sortKeys(vector.expected))) {
      failures.push({ name: vector.name, want: vector.expected, got });
    }
  }
  return { count: section.cases.length, failures };
}"""

SORT_KEYS = """
window.sortKeys = (value) => {
  if (Array.isArray(value)) return value.map(window.sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, window.sortKeys(value[key])]));
  }
  return value;
};
"""


@pytest.fixture
def pass_verifier(verifier: Any) -> Any:
    """The verifier page with sortKeys(value) (objects compared whatever their key order)."""
    verifier.evaluate(f"() => {{ {SORT_KEYS} }}")
    return verifier


def test_every_code_of_the_shared_vectors_gives_the_python_report(pass_verifier):
    text = PASS_VECTORS.read_text(encoding="utf-8")
    outcome = pass_verifier.evaluate(RUN_CODE_VECTORS, text)
    assert outcome["count"] == len(json.loads(text)["codes"]) >= 26
    assert outcome["failures"] == []


def test_every_bundle_case_is_accepted_or_refused_as_python_does(pass_verifier):
    text = PASS_VECTORS.read_text(encoding="utf-8")
    outcome = pass_verifier.evaluate(RUN_BUNDLE_VECTORS, text)
    assert outcome["count"] >= 8
    assert outcome["failures"] == []


def test_every_rule_decision_of_the_shared_vectors_is_the_python_one(pass_verifier):
    text = PASS_VECTORS.read_text(encoding="utf-8")
    outcome = pass_verifier.evaluate(RUN_DECISION_VECTORS, text)
    assert outcome["count"] >= 7
    assert outcome["failures"] == []


def test_every_checkpoint_decision_of_the_s23_rules_is_the_python_one(pass_verifier):
    text = PASS_VECTORS.read_text(encoding="utf-8")
    if "checkpoint_decisions" not in json.loads(text):
        pytest.skip("vectors.json has no checkpoint_decisions yet")
    outcome = pass_verifier.evaluate(RUN_CHECKPOINT_VECTORS, text)
    assert outcome["count"] >= 1
    assert outcome["failures"] == []


# --- Differential: codes nobody wrote by hand, answered by Python and by the browser -------------------

BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
ODD_VALUES: list[Any] = [
    None, True, False, 0, 1, 2, -1, 2.0, 2.5, "", " ", "x", "2", "001******234", "29C-123.45", "24:00",
    ["08:00", "17:00"], ["17:00", "08:00"], ["004"], [], {}, {"a": 1}, b"\x01", 10**20, 1900, 2101,
    "2021-09-08T23:00:00Z", "2021-09-08T23:00:00", "2021-02-30T00:00:00Z", "permit", "declaration",
]  # fmt: skip


def damaged_codes(rng: random.Random, count: int) -> list[str]:
    """Authentic codes of the vectors with a character, a compressed byte or an envelope byte changed."""
    seeds = [case["qr"] for case in json.loads(PASS_VECTORS.read_text(encoding="utf-8"))["codes"]]
    seeds = [qr for qr in seeds if qr[:4] in ("PD1:", "HC1:") and len(qr) < 1000]
    out = []
    for _ in range(count):
        qr = rng.choice(seeds)
        prefix, body = qr[:4], qr[4:]
        try:
            envelope = bytearray(zlib.decompress(base45.decode(body)))
        except (ValueError, zlib.error):
            continue
        how = rng.randrange(4)
        if how == 0:
            at = rng.randrange(len(body))
            out.append(prefix + body[:at] + rng.choice(BASE45_ALPHABET) + body[at + 1 :])
            continue
        if how == 1:
            compressed = bytearray(base45.decode(body))
            compressed[rng.randrange(len(compressed))] ^= 1 << rng.randrange(8)
            out.append(prefix + base45.encode(bytes(compressed)))
            continue
        if how == 2:
            envelope[rng.randrange(min(48, len(envelope)))] ^= 1 << rng.randrange(8)
        else:
            envelope = envelope[: rng.randrange(len(envelope))] + bytes([rng.randrange(256)])
        out.append(prefix + base45.encode(zlib.compress(bytes(envelope))))
    return out


def signed_odd_passes(rng: random.Random, count: int) -> list[str]:
    """Codes our own pass key signs over pass maps and claims with odd values: past the signature."""
    from phaodai.passes.tests.data import make_vectors

    vectors = json.loads(PASS_VECTORS.read_text(encoding="utf-8"))
    clock = datetime.fromisoformat(vectors["clock"])
    entry = next(e for e in vectors["trust_list"] if e["usage"] == "PD1" and len(e["types"]) > 1)
    signer, kid = make_vectors.keys()["signer"], base64.b64decode(entry["kid"])
    permit = builders.permit(valid_from=clock - timedelta(hours=1)).to_map()
    keys = [*permit, "og", "cg", "hr", "mk", "sy", "xp", "rt", "zz", 1]
    iat, exp = int((clock - timedelta(hours=1)).timestamp()), int((clock + timedelta(days=2)).timestamp())
    # ... and issued 4 minutes ahead of the clock (tolerated), 6 minutes ahead (not yet valid)
    odd_instants: list[Any] = [None, -5, 0.5, 7258118401, True, "x", float(exp), iat + 3840, iat + 3960]
    out = []
    for _ in range(count):
        value: dict[Any, Any] = dict(
            permit, t=rng.choice(["permit", "permit", "vehicle", "shipper", "market"])
        )
        for _change in range(rng.randrange(1, 3)):
            if rng.random() < 0.75:
                value[rng.choice(keys)] = rng.choice(ODD_VALUES)
            else:
                value.pop(rng.choice(list(value)), None)
        claims: dict[Any, Any] = {1: "VN", 6: iat, 4: exp, -84000: value}
        if rng.random() < 0.3:
            claims[rng.choice([1, 4, 6])] = rng.choice(odd_instants)
        envelope = builders.sign(signer, cbor2.dumps(claims), protected={1: -7, 4: kid})
        out.append("PD1:" + base45.encode(zlib.compress(envelope)))
    return out


def test_damaged_and_odd_codes_get_the_python_report_in_the_browser(pass_verifier):
    # given codes no vector holds: damaged at every layer, and authentic ones carrying odd contents
    from phaodai.passes.codec import verify
    from phaodai.passes.trust import TrustList

    vectors = json.loads(PASS_VECTORS.read_text(encoding="utf-8"))
    trust, clock = TrustList.from_json(vectors["trust_list"]), datetime.fromisoformat(vectors["clock"])
    rng = random.Random(20210909)
    codes = damaged_codes(rng, 400) + signed_odd_passes(rng, 300)
    cases: list[dict[str, Any]] = [
        {"name": str(i), "qr": qr, "expected": verify(qr, trust, clock).report()}
        for i, qr in enumerate(codes)
    ]
    errors = {case["expected"]["error"]["code"] for case in cases if case["expected"]["error"]}
    assert {"bad_signature", "bad_payload", "bad_claims", "bad_cose", "not_yet_valid"} <= errors
    # when the browser verifies each, then its report is Python's, step by step
    text = json.dumps({"trust_list": vectors["trust_list"], "clock": vectors["clock"], "codes": cases})
    outcome = pass_verifier.evaluate(RUN_CODE_VECTORS, text)
    assert outcome["count"] == len(cases)
    assert outcome["failures"] == []
