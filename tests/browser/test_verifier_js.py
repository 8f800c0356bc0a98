"""The offline verifier's JavaScript in headless Chromium: the rules engine's twin and the decoders.

The modules load from the live server's static files, as a phone would fetch them, into a blank
page on the same origin (a route answers it, so no Django view is needed). Each test hands the
vectors over as JSON text, runs them all in one evaluation and gets back the ones that failed:
- every vector of phaodai/core/rules/vectors/engine.json gives what the Python engine gives;
- CBOR and Base45 vectors (RFC 8949, RFC 9285) decode or are refused as recorded;
- zlib inflates within its cap and refuses bombs, truncation and trailing data;
- the EU test certificates (dgc-testdata) decode to the payload Python reads from them.
"""

import json
import zlib
from pathlib import Path
from typing import Any

import cbor2
import pytest

from phaodai.passes import base45

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
