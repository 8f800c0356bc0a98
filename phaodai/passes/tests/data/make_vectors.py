"""Write vectors.json: codes, bundles and rule decisions with the answers the Python verifier gives.

    .venv/bin/python phaodai/passes/tests/data/make_vectors.py

The JS verifier is tested against the same file (Python and JS must agree); test_vectors.py checks
that Python still gives every answer recorded here. Each case also states the error it is built to
provoke, and this script refuses to write a file where Python disagrees with that intent.
Keys are derived from fixed numbers (test keys, never for real use); ES256 signatures are random,
so two runs differ byte for byte but not in any answer.
"""

import json
import sys
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[4]))

from cryptography.hazmat.primitives.asymmetric import rsa

from phaodai.passes import base45, bundles, cbor, checking, cose, cwt
from phaodai.passes.codec import encode_pass, verify
from phaodai.passes.payload import PassPayload, PassType
from phaodai.passes.rules import RuleSet
from phaodai.passes.tests import builders as b
from phaodai.passes.trust import TrustEntry, TrustList, Usage, iso

OUT = Path(__file__).with_name("vectors.json")
CLOCK = b.CLOCK
S23_RULES = Path(__file__).resolve().parents[3] / "checkpoints" / "data" / "rules-s23.json"
ABOUT = """Shared test vectors for the Python and JS pass verifiers (see docs/decisions/0023).
All times are UTC ("...Z"); `clock` (2021-09-08T23:30:00Z) is 06:30 on 9/9/2021 in Hà Nội.
- trust_list: the signers (published trust-list entries) every code below is verified against.
- codes: [{name, qr, expected}], expected = the codec report {prefix_ok, base45_ok, zlib_ok, cose_ok,
  signature_ok, expiry_ok, key_usage_ok, payload, error: {code, message} | null} at `clock`.
- bundles: {anchors (bundle signers to pin), documents {name: signed {bundle, kid, sig}},
  cases [{name, held, offered, clock, expected {accepted, error, warnings}}]}.
- decisions: [{name, qr, clock, checkpoint, bundle (a name in bundles.documents), expected {allowed,
  passed, failed, errors}}]: RuleSet.evaluate over a test bundle's rules, no declaration.
- checkpoint_decisions: the S23 rule set (phaodai/checkpoints/data/rules-s23.json) as shipped.
  {bundle: a signed document (verify it with bundles.anchors), cases: [{name, qr, declaration (a PD1
  code or null), clock, checkpoint {kind, code, units}, expected}]}. A case is decided as
  passes/checking.py does: verify qr against trust_list at clock (until the signature holds nothing is
  used: decision denied, error = the codec's code; an authentic HC1 is "not_a_pass"; an authentic pass
  failing a later step is denied with that code); verify the declaration the same way and take its
  payload as external.declaration only if every step passed and its t is "declaration" (else null,
  declaration_error = the codec's code or "not_a_declaration"); run the bundle's rules for payload.t
  over {payload, external: {validationClock, localDate, localTime (Hà Nội), checkpoint, valueSets
  (the bundle's value_sets, incl. "revoked-passes"), declaration}}; allowed when no rule failed and at
  least one applied (none: denied, error "no_rules"). expected = {decision "allowed"|"denied", error
  (code or null), failed [rule Identifiers, sorted], notes [Identifiers of applied rules whose Logic is
  exactly true], declaration_error (code or null), pass_id, pass_type, plate, holder {name,
  birth_year, cccd_masked} | null, bundle_version}.
  external.checkpoint.units = the unit codes on the checkpoint's unit path, then its other side's
  (distinct, at most 5): "/01/004/00139/" gives ["01", "004", "00139"]."""


def keys() -> dict[str, Any]:
    return {
        "signer": b.ec_key(1),  # our pass key: every type
        "vehicles_only": b.ec_key(2),  # a pass key allowed to sign vehicle passes only
        "stranger": b.ec_key(3),  # not in the trust list
        "dsc_ec": b.ec_key(4),  # a foreign DCC signer, ES256, every kind
        "dsc_test_only": b.ec_key(5),  # a foreign DCC signer whose key usage says tests only
        "dsc_rsa": b.rsa_key(2048),  # a foreign DCC signer, PS256
        "bundle": b.ec_key(6),  # signs rule bundles
    }


def trust_list(k: dict[str, Any]) -> TrustList:
    return TrustList(
        [
            b.pass_entry(k["signer"], name="PD signer"),
            b.pass_entry(k["vehicles_only"], types=["vehicle"], name="PD vehicles"),
            TrustEntry.from_certificate(b.certificate(k["dsc_ec"], name="DSC EC"), Usage.HCERT),
            TrustEntry.from_certificate(
                b.certificate(k["dsc_test_only"], name="DSC test", kinds=["t"]), Usage.HCERT
            ),
            TrustEntry.from_certificate(b.certificate(k["dsc_rsa"], name="DSC RSA"), Usage.HCERT),
            TrustEntry.from_certificate(b.certificate(k["bundle"], name="Bundles"), Usage.BUNDLE),
        ]
    )


def kid(k: Any, name: str, **kw: Any) -> bytes:
    return b.kid_for(k, name=name, **kw)


def code_cases(k: dict[str, Any]) -> list[dict[str, Any]]:
    signer_kid = kid(k["signer"], "PD signer")
    dsc_kid = kid(k["dsc_ec"], "DSC EC")
    permit = b.permit()
    good = cbor.encode(
        cwt.build(
            issuer="VN",
            issued_at=CLOCK - timedelta(hours=1),
            expires_at=permit.valid_to,
            claim=cwt.PASS_CLAIM,
            value=permit.to_map(),
        )
    )
    protected = {cose.HEADER_ALG: cose.ES256, cose.HEADER_KID: signer_kid}
    envelope = b.sign(k["signer"], good, protected=protected)
    item = cbor2_loads(envelope)

    def with_signature(signature: bytes) -> bytes:
        return b.sign(k["signer"], good, protected=protected, signature=signature)

    tampered_payload = good.replace("Nguyễn Văn An".encode(), "Nguyễn Văn Ân".encode())
    declaration = PassPayload(
        type=PassType.DECLARATION,
        pass_id="KBYT-20210908-77",
        valid_from=CLOCK - timedelta(hours=2),
        valid_to=CLOCK + timedelta(hours=70),
        holder="Trần Thị Bình",
        birth_year=1990,
        cccd_masked="001******876",
        symptoms=False,
        exposure=False,
    )
    vehicle = PassPayload(
        type=PassType.VEHICLE,
        pass_id="LX-29C12345",
        valid_from=CLOCK - timedelta(days=10),
        valid_to=CLOCK + timedelta(days=20),
        plate="29C-123.45",
        organisation="Công ty Vận tải Thăng Long",
        cargo="Rau củ quả",
        route="QL6 - Hà Đông - Long Biên",
    )
    bomb = "PD1:" + base45.encode(zlib.compress(b"\0" * 1_000_000, 9))
    return [
        case("valid permit", issue(k["signer"], signer_kid, permit), None),
        case("valid health declaration", issue(k["signer"], signer_kid, declaration), None),
        case(
            "valid green-lane vehicle",
            issue(k["vehicles_only"], kid(k["vehicles_only"], "PD vehicles"), vehicle),
            None,
        ),
        case("valid HC1 ES256 vaccination", hcert(k["dsc_ec"], dsc_kid, "v"), None),
        case("valid HC1 PS256 test", hcert(k["dsc_rsa"], kid(k["dsc_rsa"], "DSC RSA"), "t"), None),
        case(
            "valid HC1 with the kid in the unprotected header",
            b.qr(
                b.sign(
                    k["dsc_ec"],
                    b.hcert_claims("r"),
                    protected={cose.HEADER_ALG: cose.ES256},
                    unprotected={cose.HEADER_KID: dsc_kid},
                ),
                "HC1:",
            ),
            None,
        ),
        case(
            "tampered signature", b.qr(with_signature(bytes([item[3][0] ^ 1]) + item[3][1:])), "bad_signature"
        ),
        case(
            "tampered payload",
            b.qr(b.sign(k["signer"], tampered_payload, protected=protected, signature=item[3])),
            "bad_signature",
        ),
        case("unknown kid", issue(k["stranger"], kid(k["stranger"], "stranger"), permit), "unknown_kid"),
        case(
            "PD1 signed with a foreign DCC signer's key", issue(k["dsc_ec"], dsc_kid, permit), "unknown_kid"
        ),
        case(
            "wrong kid length",
            b.qr(
                b.sign(
                    k["signer"],
                    good,
                    protected={cose.HEADER_ALG: cose.ES256, cose.HEADER_KID: signer_kid[:7]},
                )
            ),
            "bad_kid",
        ),
        case(
            "algorithm mismatch (PS256 header, EC key)",
            b.qr(
                b.sign(
                    k["signer"],
                    good,
                    protected={cose.HEADER_ALG: cose.PS256, cose.HEADER_KID: signer_kid},
                    alg=cose.ES256,
                )
            ),
            "algorithm_mismatch",
        ),
        case(
            "unsupported algorithm (EdDSA)",
            b.qr(
                b.sign(
                    k["signer"],
                    good,
                    protected={cose.HEADER_ALG: -8, cose.HEADER_KID: signer_kid},
                    alg=cose.ES256,
                )
            ),
            "unsupported_algorithm",
        ),
        case("malformed signature (63 bytes)", b.qr(with_signature(item[3][:63])), "malformed_signature"),
        case(
            "expired",
            issue(
                k["signer"],
                signer_kid,
                b.permit(valid_from=CLOCK - timedelta(days=9), valid_to=CLOCK - timedelta(minutes=1)),
            ),
            "expired",
        ),
        case(
            "not yet valid (issued tomorrow)",
            issue(k["signer"], signer_kid, permit, issued_at=CLOCK + timedelta(days=1)),
            "not_yet_valid",
        ),
        case(
            "key usage: vehicle-only key signs a permit",
            issue(k["vehicles_only"], kid(k["vehicles_only"], "PD vehicles"), permit),
            "key_usage",
        ),
        case(
            "key usage: test-only DCC signer signs a vaccination",
            hcert(k["dsc_test_only"], kid(k["dsc_test_only"], "DSC test", kinds=["t"]), "v"),
            "key_usage",
        ),
        case(
            "bad payload: unknown key",
            b.qr(b.sign(k["signer"], b.claims({**permit.to_map(), "zz": 1}), protected=protected)),
            "bad_payload",
        ),
        case(
            "bad claims: not a map",
            b.qr(b.sign(k["signer"], cbor.encode([1, 2]), protected=protected)),
            "bad_claims",
        ),
        case("wrong prefix", "PD2:" + issue(k["signer"], signer_kid, permit)[4:], "bad_prefix"),
        case("invalid Base45", issue(k["signer"], signer_kid, permit)[:20] + "a" + "AA", "bad_base45"),
        case("broken zlib", "PD1:" + base45.encode(b"not zlib at all"), "bad_zlib"),
        case("zlib bomb", bomb, "inflated_too_large"),
        case(
            "truncated CBOR",
            "PD1:" + base45.encode(zlib.compress(envelope[: len(envelope) // 2])),
            "bad_cose",
        ),
        case("oversized code", "PD1:" + "A" * 9000, "too_long"),
    ]


def cbor2_loads(envelope: bytes) -> list[Any]:
    import cbor2

    return list(cbor2.loads(envelope).value)


def issue(
    key: Any, key_id: bytes, payload: PassPayload, issued_at: datetime = CLOCK - timedelta(hours=1)
) -> str:
    return encode_pass(payload, private_key=key, kid=key_id, issuer="VN", issued_at=issued_at)


def hcert(key: Any, key_id: bytes, kind: str) -> str:
    alg = cose.PS256 if isinstance(key, rsa.RSAPrivateKey) else cose.ES256
    return b.qr(
        b.sign(key, b.hcert_claims(kind), protected={cose.HEADER_ALG: alg, cose.HEADER_KID: key_id}), "HC1:"
    )


def case(name: str, qr: str, error: str | None) -> dict[str, Any]:
    return {"name": name, "qr": qr, "intended_error": error}


RULES: list[dict[str, Any]] = [
    {
        "Identifier": "PD-ALL-0001",
        "Type": "Acceptance",
        "Version": "1.0.0",
        "CertificateType": "General",
        "ValidFrom": "2021-09-01T00:00:00Z",
        "ValidTo": "2021-12-31T00:00:00Z",
        "AffectedFields": ["vf", "vt"],
        "Description": [
            {"lang": "vi", "desc": "Giấy còn hiệu lực tại thời điểm kiểm tra."},
            {"lang": "en", "desc": "The pass is valid at the time of the check."},
        ],
        "Logic": {
            "and": [
                {
                    "not-before": [
                        {"plusTime": [{"var": "external.validationClock"}, 0, "hour"]},
                        {"plusTime": [{"var": "payload.vf"}, 0, "hour"]},
                    ]
                },
                {
                    "before": [
                        {"plusTime": [{"var": "external.validationClock"}, 0, "hour"]},
                        {"plusTime": [{"var": "payload.vt"}, 0, "hour"]},
                    ]
                },
            ]
        },
    },
    {
        "Identifier": "PD-PERMIT-0001",
        "Type": "Acceptance",
        "Version": "1.0.0",
        "CertificateType": "permit",
        "ValidFrom": "2021-09-01T00:00:00Z",
        "ValidTo": "2021-12-31T00:00:00Z",
        "AffectedFields": ["vd"],
        "Description": [
            {"lang": "vi", "desc": "Đã tiêm đủ 2 mũi vắc xin."},
            {"lang": "en", "desc": "Two vaccine doses."},
        ],
        "Logic": {">=": [{"var": "payload.vd"}, 2]},
    },
    {
        "Identifier": "PD-PERMIT-0002",
        "Type": "Acceptance",
        "Version": "1.0.0",
        "CertificateType": "permit",
        "ValidFrom": "2021-09-01T00:00:00Z",
        "ValidTo": "2021-12-31T00:00:00Z",
        "AffectedFields": ["pg"],
        "Description": [
            {"lang": "vi", "desc": "Mục đích được phép qua chốt."},
            {"lang": "en", "desc": "A purpose allowed through the checkpoint."},
        ],
        "Logic": {"in": [{"var": "payload.pg"}, {"var": "external.valueSets.allowed-groups"}]},
    },
    {  # superseded by 1.1.0 below: only the highest version valid at the clock applies
        "Identifier": "PD-SHIPPER-0001",
        "Type": "Acceptance",
        "Version": "1.0.0",
        "CertificateType": "shipper",
        "ValidFrom": "2021-09-01T00:00:00Z",
        "ValidTo": "2021-12-31T00:00:00Z",
        "AffectedFields": ["hr"],
        "Description": [{"lang": "en", "desc": "Never (old version)."}],
        "Logic": False,
    },
    {
        "Identifier": "PD-SHIPPER-0001",
        "Type": "Acceptance",
        "Version": "1.1.0",
        "CertificateType": "shipper",
        "ValidFrom": "2021-09-01T00:00:00Z",
        "ValidTo": "2021-12-31T00:00:00Z",
        "AffectedFields": ["hr"],
        "Description": [
            {"lang": "vi", "desc": "Trong giờ được phép giao hàng."},
            {"lang": "en", "desc": "Within the allowed delivery hours."},
        ],
        "Logic": {"<=": [{"var": "payload.hr.0"}, {"var": "external.localTime"}, {"var": "payload.hr.1"}]},
    },
    {
        "Identifier": "PD-MARKET-0001",
        "Type": "Acceptance",
        "Version": "1.0.0",
        "CertificateType": "market",
        "ValidFrom": "2021-09-01T00:00:00Z",
        "ValidTo": "2021-12-31T00:00:00Z",
        "AffectedFields": ["n"],
        "Description": [
            {"lang": "en", "desc": "A rule the engine cannot evaluate: it fails, never crashes."}
        ],
        "Logic": {"+": [{"var": "payload.n"}, 1]},
    },
]


def bundle_doc(
    k: dict[str, Any],
    trust: TrustList,
    version: int,
    issued_at: datetime,
    not_after: datetime,
    key: Any = None,
) -> dict[str, Any]:
    content = bundles.build(
        scope="checkpoints",
        version=version,
        issued_at=issued_at,
        not_after=not_after,
        timezone="Asia/Ho_Chi_Minh",
        trust=trust,
        value_sets={"allowed-groups": [1, 2, 3, 4, 6]},
        rules=RULES,
    )
    signer = key or k["bundle"]
    return bundles.sign(
        content, private_key=signer, kid=kid(k["bundle"], "Bundles") if key is None else kid(key, "stranger")
    )


def bundle_cases(k: dict[str, Any], trust: TrustList) -> dict[str, Any]:
    week = timedelta(days=7)
    v1 = bundle_doc(k, trust, 1, CLOCK - 2 * week, CLOCK - week)
    v2 = bundle_doc(k, trust, 2, CLOCK - timedelta(days=1), CLOCK + week)
    v3_future = bundle_doc(k, trust, 3, CLOCK + timedelta(days=2), CLOCK + 2 * week)
    forged = bundle_doc(k, trust, 4, CLOCK - timedelta(hours=1), CLOCK + week, key=k["stranger"])
    tampered = json.loads(json.dumps(v2))
    tampered["bundle"]["value_sets"]["allowed-groups"].append(5)
    anchors = TrustList(e for e in trust.entries if e.usage == Usage.BUNDLE)
    documents = {"v1": v1, "v2": v2, "v3_future": v3_future, "forged": forged, "tampered": tampered}
    cases = [
        ("first bundle", None, "v2", CLOCK, True, None),
        ("newer bundle", "v1", "v2", CLOCK, True, None),
        ("older bundle than the one held", "v2", "v1", CLOCK, False, "older_version"),
        ("same version again", "v2", "v2", CLOCK, False, "older_version"),
        ("bundle past its not-after is taken with a warning", None, "v1", CLOCK, True, None),
        (
            "device clock earlier than the bundle's signing time",
            "v2",
            "v3_future",
            CLOCK,
            False,
            "device_time_invalid",
        ),
        ("signed by a key the device does not trust", "v2", "forged", CLOCK, False, "bundle_bad_signature"),
        ("tampered bundle", None, "tampered", CLOCK, False, "bundle_bad_signature"),
    ]
    out = []
    for name, held_name, offered_name, clock, accepted, error in cases:
        held = bundles.open_signed(documents[held_name], anchors) if held_name else None
        answer = bundles.accept(held, documents[offered_name], clock=clock, anchors=anchors)
        assert (answer.accepted, answer.error) == (accepted, error), name
        out.append(
            {
                "name": name,
                "held": held_name,
                "offered": offered_name,
                "clock": iso(clock),
                "expected": {
                    "accepted": answer.accepted,
                    "error": answer.error,
                    "warnings": list(answer.warnings),
                },
            }
        )
    return {"anchors": anchors.to_json(), "documents": documents, "cases": out}


def decision_cases(k: dict[str, Any], trust: TrustList, v2: dict[str, Any]) -> list[dict[str, Any]]:
    opened = bundles.open_signed(v2, TrustList(e for e in trust.entries if e.usage == Usage.BUNDLE))
    rules = RuleSet(opened.rules, opened.value_sets, opened.timezone)
    signer_kid = kid(k["signer"], "PD signer")
    shipper = PassPayload(
        type=PassType.SHIPPER,
        pass_id="SP-0042",
        valid_from=CLOCK - timedelta(days=1),
        valid_to=CLOCK + timedelta(days=6),
        holder="Lê Văn Cường",
        organisation="Grab",
        hours=("07:00", "21:00"),
    )
    market = PassPayload(
        type=PassType.MARKET,
        pass_id="CHO-00139-15",
        valid_from=CLOCK - timedelta(days=1),
        valid_to=CLOCK + timedelta(days=6),
        holder="Phạm Thị Dung",
        market="CHO-BODE",
    )
    scenarios = [
        ("permit with two doses at 06:30", b.permit(), CLOCK),
        ("permit with one dose", b.permit(doses=1), CLOCK),
        ("permit of group 5 (not allowed through)", b.permit(purpose_group=5), CLOCK),
        ("permit not valid yet", b.permit(valid_from=CLOCK + timedelta(hours=1)), CLOCK),
        ("shipper at 06:30, before the allowed hours", shipper, CLOCK),
        ("shipper at 09:00", shipper, CLOCK + timedelta(hours=2, minutes=30)),
        ("market pass: a rule the engine cannot evaluate", market, CLOCK),
    ]
    out = []
    for name, payload, clock in scenarios:
        code = issue(k["signer"], signer_kid, payload)
        checked = verify(code, trust, clock)
        assert checked.payload is not None, name
        decision = rules.evaluate(
            checked.payload,
            pass_type=str(payload.type),
            clock=clock,
            checkpoint={"kind": "gateway", "code": "CK-QL6-01"},
        )
        out.append(
            {
                "name": name,
                "qr": code,
                "clock": iso(clock),
                "checkpoint": {"kind": "gateway", "code": "CK-QL6-01"},
                "bundle": "v2",
                "expected": {
                    "allowed": decision.allowed,
                    "passed": [o.identifier for o in decision.passed],
                    "failed": [o.identifier for o in decision.failed],
                    "errors": [o.identifier for o in decision.failed if o.error],
                },
            }
        )
    return out


GATEWAY = checking.checkpoint_facts("city_gateway", "CN-05", ["/01/268/"])
PROVINCE_BORDER = checking.checkpoint_facts("province_border", "250-03", ["/01/250/"])
DISTRICT = checking.checkpoint_facts("district", "004-02", ["/01/004/"])
WARD = checking.checkpoint_facts("ward", "00139-01", ["/01/004/00139/", "/01/004/00133/"])


def s23_bundle(k: dict[str, Any], trust: TrustList) -> dict[str, Any]:
    rules = json.loads(S23_RULES.read_text(encoding="utf-8"))["rules"]
    content = bundles.build(
        scope="checkpoints",
        version=7,
        issued_at=CLOCK - timedelta(days=1),
        not_after=CLOCK + timedelta(days=7),
        timezone="Asia/Ho_Chi_Minh",
        trust=trust,
        value_sets={"revoked-passes": ["GDD-00139-REVOKED", "LX-29C99999"]},
        rules=rules,
    )
    return bundles.sign(content, private_key=k["bundle"], kid=kid(k["bundle"], "Bundles"))


def checkpoint_cases(k: dict[str, Any], trust: TrustList) -> dict[str, Any]:
    document = s23_bundle(k, trust)
    opened = bundles.open_signed(document, TrustList(e for e in trust.entries if e.usage == Usage.BUNDLE))
    rules = RuleSet(opened.rules, opened.value_sets, opened.timezone)
    notes = checking.note_identifiers(opened.rules)
    signer_kid = kid(k["signer"], "PD signer")

    def code(payload: PassPayload, **kw: Any) -> str:
        return issue(k["signer"], signer_kid, payload, **kw)

    def declaration(**changes: Any) -> str:
        values: dict[str, Any] = {
            "type": PassType.DECLARATION,
            "pass_id": "KBYT-20210908-12",
            "valid_from": CLOCK - timedelta(hours=2),
            "valid_to": CLOCK + timedelta(hours=70),
            "holder": "Nguyễn Văn An",
            "birth_year": 1985,
            "cccd_masked": "001******234",
            "symptoms": False,
            "exposure": False,
        }
        values.update(changes)
        return code(PassPayload(**values))

    def vehicle(kind: PassType, pass_id: str, **changes: Any) -> PassPayload:
        values: dict[str, Any] = {
            "type": kind,
            "pass_id": pass_id,
            "valid_from": CLOCK - timedelta(days=2),
            "valid_to": CLOCK + timedelta(days=20),
            "plate": "29C-123.45",
            "organisation": "Công ty Vận tải Thăng Long",
            "cargo": "Rau củ quả",
        }
        values.update(changes)
        return PassPayload(**values)

    shipper = PassPayload(
        type=PassType.SHIPPER,
        pass_id="SP-0042",
        valid_from=CLOCK - timedelta(days=1),
        valid_to=CLOCK + timedelta(days=6),
        holder="Lê Văn Cường",
        birth_year=1995,
        cccd_masked="001******555",
        organisation="Grab",
        plate="29H1-555.55",
        hours=("09:00", "20:00"),
        zones=("00139", "00133"),
    )
    ten = CLOCK + timedelta(hours=3, minutes=30)  # 10:00 in Hà Nội
    good = declaration()
    scenarios: list[tuple[str, str, str | None, Any, dict[str, Any]]] = [
        ("permit, 2 doses, own declaration, gateway at 06:30", code(b.permit()), good, CLOCK, GATEWAY),
        ("permit, 2 doses, own declaration, province border", code(b.permit()), good, CLOCK, PROVINCE_BORDER),
        ("permit with one dose at the gateway", code(b.permit(doses=1)), good, CLOCK, GATEWAY),
        ("permit without a dose count at the gateway", code(b.permit(doses=None)), good, CLOCK, GATEWAY),
        ("permit without a health declaration", code(b.permit()), None, CLOCK, GATEWAY),
        (
            "permit with someone else's declaration",
            code(b.permit()),
            declaration(holder="Trần Thị Bình", cccd_masked="001******876", birth_year=1990),
            CLOCK,
            GATEWAY,
        ),
        ("declaration reporting symptoms", code(b.permit()), declaration(symptoms=True), CLOCK, GATEWAY),
        (
            "expired declaration",
            code(b.permit()),
            declaration(valid_from=CLOCK - timedelta(hours=80), valid_to=CLOCK - timedelta(hours=8)),
            CLOCK,
            GATEWAY,
        ),
        ("a permit shown as the declaration", code(b.permit()), code(b.permit()), CLOCK, GATEWAY),
        ("group 5 permit at the gateway", code(b.permit(purpose_group=5)), good, CLOCK, GATEWAY),
        ("revoked permit", code(b.permit(pass_id="GDD-00139-REVOKED")), good, CLOCK, GATEWAY),
        (
            "permit not valid yet",
            code(b.permit(valid_from=CLOCK + timedelta(hours=2))),
            good,
            CLOCK,
            GATEWAY,
        ),
        (
            "permit, one dose, no declaration, at an inner checkpoint",
            code(b.permit(doses=1)),
            None,
            CLOCK,
            DISTRICT,
        ),
        (
            "green-lane truck at the gateway",
            code(vehicle(PassType.VEHICLE, "LX-29C12345")),
            None,
            CLOCK,
            GATEWAY,
        ),
        (
            "revoked green-lane truck",
            code(vehicle(PassType.VEHICLE, "LX-29C99999")),
            None,
            CLOCK,
            GATEWAY,
        ),
        (
            "transit vehicle at the gateway: allowed, no stop",
            code(vehicle(PassType.TRANSIT, "QC-51C67890", plate="51C-678.90", route="Lạng Sơn → Ninh Bình")),
            None,
            CLOCK,
            GATEWAY,
        ),
        ("shipper at 06:30, before the allowed hours", code(shipper), None, CLOCK, WARD),
        ("shipper at 10:00 within the zones", code(shipper), None, ten, WARD),
        ("shipper at 10:00 outside the zones", code(shipper), None, ten, DISTRICT),
        ("shipper at the city gateway", code(shipper), None, ten, GATEWAY),
        ("health declaration alone at the gateway", good, None, CLOCK, GATEWAY),
        (
            "expired permit",
            code(b.permit(valid_from=CLOCK - timedelta(days=9), valid_to=CLOCK - timedelta(minutes=1))),
            good,
            CLOCK,
            GATEWAY,
        ),
        (
            "tampered permit",
            tamper(code(b.permit())),
            good,
            CLOCK,
            GATEWAY,
        ),
        (
            "EU vaccination certificate",
            hcert(k["dsc_ec"], kid(k["dsc_ec"], "DSC EC"), "v"),
            None,
            CLOCK,
            GATEWAY,
        ),
    ]
    cases = []
    for name, qr, declared, clock, checkpoint in scenarios:
        result = checking.check(
            qr,
            declared,
            trust=trust,
            rules=rules,
            notes=notes,
            checkpoint=checkpoint,
            clock=clock,
            bundle_version=opened.version,
        )
        cases.append(
            {
                "name": name,
                "qr": qr,
                "declaration": declared,
                "clock": iso(clock),
                "checkpoint": checkpoint,
                "expected": expected_check(result),
            }
        )
    check_intent(cases)
    return {"bundle": document, "cases": cases}


def tamper(qr: str) -> str:
    """The same code with one bit of its signature flipped (re-compressed, so only the signature fails)."""
    import cbor2

    tagged = cbor2.loads(zlib.decompress(base45.decode(qr[4:])))
    protected, unprotected, payload, signature = tagged.value
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    envelope = cbor2.dumps(cbor2.CBORTag(tagged.tag, [protected, unprotected, payload, flipped]))
    return qr[:4] + base45.encode(zlib.compress(envelope, 9))


def expected_check(result: checking.Check) -> dict[str, Any]:
    return {
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
    }


# What each S23 case is built to show: (decision, error, failed rules, notes, declaration error).
S23_INTENT: dict[str, tuple[str, str | None, list[str], list[str], str | None]] = {
    "permit, 2 doses, own declaration, gateway at 06:30": ("allowed", None, [], [], None),
    "permit, 2 doses, own declaration, province border": ("allowed", None, [], [], None),
    "permit with one dose at the gateway": ("denied", None, ["PD-S23-PERMIT-0002"], [], None),
    "permit without a dose count at the gateway": ("denied", None, ["PD-S23-PERMIT-0002"], [], None),
    "permit without a health declaration": ("denied", None, ["PD-S23-PERMIT-0003"], [], None),
    "permit with someone else's declaration": ("denied", None, ["PD-S23-PERMIT-0004"], [], None),
    "declaration reporting symptoms": ("denied", None, ["PD-S23-PERMIT-0005"], [], None),
    "expired declaration": ("denied", None, ["PD-S23-PERMIT-0003"], [], "expired"),
    "a permit shown as the declaration": ("denied", None, ["PD-S23-PERMIT-0003"], [], "not_a_declaration"),
    "group 5 permit at the gateway": ("denied", None, ["PD-S23-PERMIT-0001"], [], None),
    "revoked permit": ("denied", None, ["PD-S23-GEN-0002"], [], None),
    "permit not valid yet": ("denied", None, ["PD-S23-GEN-0001"], [], None),
    "permit, one dose, no declaration, at an inner checkpoint": ("allowed", None, [], [], None),
    "green-lane truck at the gateway": ("allowed", None, [], [], None),
    "revoked green-lane truck": ("denied", None, ["PD-S23-GEN-0002"], [], None),
    "transit vehicle at the gateway: allowed, no stop": ("allowed", None, [], ["PD-S23-TRANSIT-0001"], None),
    "shipper at 06:30, before the allowed hours": ("denied", None, ["PD-S23-SHIPPER-0001"], [], None),
    "shipper at 10:00 within the zones": ("allowed", None, [], [], None),
    "shipper at 10:00 outside the zones": ("denied", None, ["PD-S23-SHIPPER-0002"], [], None),
    "shipper at the city gateway": ("denied", None, ["PD-S23-GEN-0003"], [], None),
    "health declaration alone at the gateway": ("denied", None, ["PD-S23-GEN-0003"], [], None),
    "expired permit": ("denied", "expired", [], [], None),
    "tampered permit": ("denied", "bad_signature", [], [], None),
    "EU vaccination certificate": ("denied", "not_a_pass", [], [], None),
}


def check_intent(cases: list[dict[str, Any]]) -> None:
    for item in cases:
        e = item["expected"]
        got = (e["decision"], e["error"], e["failed"], e["notes"], e["declaration_error"])
        if got != S23_INTENT[item["name"]]:
            sys.exit(f"{item['name']}: built for {S23_INTENT[item['name']]}, Python says {got}")


def main() -> None:
    k = keys()
    trust = trust_list(k)
    codes = []
    for item in code_cases(k):
        result = verify(item["qr"], trust, CLOCK)
        if result.error != item["intended_error"]:
            sys.exit(f"{item['name']}: built for {item['intended_error']}, Python says {result.error}")
        codes.append({"name": item["name"], "qr": item["qr"], "expected": result.report()})
    bundle_part = bundle_cases(k, trust)
    vectors = {
        "about": ABOUT,
        "generated_by": "phaodai/passes/tests/data/make_vectors.py",
        "clock": iso(CLOCK),
        "trust_list": trust.to_json(),
        "codes": codes,
        "bundles": bundle_part,
        "decisions": decision_cases(k, trust, bundle_part["documents"]["v2"]),
        "checkpoint_decisions": checkpoint_cases(k, trust),
    }
    OUT.write_text(json.dumps(vectors, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(codes)} codes, {len(bundle_part['cases'])} bundle cases)")


if __name__ == "__main__":
    main()
