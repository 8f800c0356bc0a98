"""Test keys, certificates and codes, including the malformed ones no signer of ours would make."""

import zlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from phaodai.passes import base45, cbor, cose, cwt
from phaodai.passes.payload import PassPayload, PassType
from phaodai.passes.trust import TrustEntry, Usage, kid_of

HANOI_OFFSET = timedelta(hours=7)
CLOCK = datetime(2021, 9, 8, 23, 30, tzinfo=UTC)  # 06:30 on 9/9/2021 in Hà Nội
CERT_FROM = datetime(2021, 1, 1, tzinfo=UTC)
CERT_TO = datetime(2022, 12, 31, tzinfo=UTC)
HCERT_OIDS = {
    "t": "1.3.6.1.4.1.1847.2021.1.1",
    "v": "1.3.6.1.4.1.1847.2021.1.2",
    "r": "1.3.6.1.4.1.1847.2021.1.3",
}


def ec_key(seed: int) -> ec.EllipticCurvePrivateKey:
    """A P-256 key derived from a small number: the same key in every run (never for real use)."""
    return ec.derive_private_key(0x5EED0000 + seed, ec.SECP256R1())


_RSA_KEYS: dict[int, rsa.RSAPrivateKey] = {}


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    if bits not in _RSA_KEYS:
        _RSA_KEYS[bits] = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return _RSA_KEYS[bits]


_CERTIFICATES: dict[tuple[Any, ...], bytes] = {}


def certificate(
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
    *,
    name: str = "test signer",
    kinds: Iterable[str] | None = None,
    valid_from: datetime = CERT_FROM,
    valid_to: datetime = CERT_TO,
) -> bytes:
    """A self-signed certificate (DER); `kinds` adds the EU DCC extended key usages for t/v/r.

    Made once per key and arguments: its signature is random, and the key id hashes the DER.
    """
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    memo = (spki, name, None if kinds is None else tuple(kinds), valid_from, valid_to)
    if memo not in _CERTIFICATES:
        _CERTIFICATES[memo] = _new_certificate(key, name, kinds, valid_from, valid_to)
    return _CERTIFICATES[memo]


def _new_certificate(
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
    name: str,
    kinds: Iterable[str] | None,
    valid_from: datetime,
    valid_to: datetime,
) -> bytes:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1000 + len(name))
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
    )
    if kinds is not None:
        usages = [x509.ObjectIdentifier(HCERT_OIDS[kind]) for kind in kinds]
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def pass_entry(
    key: ec.EllipticCurvePrivateKey, types: Iterable[str] = tuple(PassType), **kw: Any
) -> TrustEntry:
    return TrustEntry.from_certificate(certificate(key, **kw), Usage.PASS, types=types)


def kid_for(key: Any, **kw: Any) -> bytes:
    return kid_of(certificate(key, **kw))


def permit(**changes: Any) -> PassPayload:
    values: dict[str, Any] = {
        "type": PassType.PERMIT,
        "pass_id": "GDD-00139-000123",
        "valid_from": datetime(2021, 9, 8, 23, 0, tzinfo=UTC),
        "valid_to": datetime(2021, 9, 15, 17, 0, tzinfo=UTC),
        "holder": "Nguyễn Văn An",
        "birth_year": 1985,
        "cccd_masked": "001******234",
        "purpose_group": 2,
        "purpose": "Cung ứng lương thực",
        "zones": ["004", "001"],
        "plate": "29C-123.45",
        "doses": 2,
    }
    values.update(changes)
    return PassPayload(**values)


def sign(
    key: Any,
    payload: bytes,
    *,
    protected: dict[int, Any],
    unprotected: dict[int, Any] | None = None,
    alg: int | None = None,
    signature: bytes | None = None,
) -> bytes:
    """A tagged COSE_Sign1 with any headers; signed with `alg` (default: the key's own), or `signature`."""
    protected_bytes = cbor.encode(protected) if protected else b""
    message = cose.to_be_signed(protected_bytes, payload)
    if signature is None:
        alg = (
            alg
            if alg is not None
            else (cose.ES256 if isinstance(key, ec.EllipticCurvePrivateKey) else cose.PS256)
        )
        if alg == cose.ES256:
            signature = cose.raw_es256(key, message)
        else:
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
            signature = key.sign(message, pss, hashes.SHA256())
    return cbor2.dumps(
        cbor2.CBORTag(cose.TAG_SIGN1, [protected_bytes, unprotected or {}, payload, signature])
    )


def claims(
    value: Any,
    *,
    claim: int = cwt.PASS_CLAIM,
    issued_at: datetime = CLOCK - timedelta(hours=1),
    expires_at: datetime = CLOCK + timedelta(days=3),
    issuer: str = "VN",
) -> bytes:
    return cbor.encode(
        cwt.build(issuer=issuer, issued_at=issued_at, expires_at=expires_at, claim=claim, value=value)
    )


def dgc(kind: str = "v") -> dict[str, Any]:
    entry = {
        "v": {
            "tg": "840539006",
            "vp": "1119349007",
            "mp": "EU/1/20/1528",
            "ma": "ORG-100030215",
            "dn": 2,
            "sd": 2,
            "dt": "2021-07-01",
            "co": "VN",
            "is": "Bộ Y tế",
            "ci": "URN:UVCI:01:VN:ABC123#X",
        },
        "t": {
            "tg": "840539006",
            "tt": "LP6464-4",
            "sc": "2021-09-08T08:00:00Z",
            "tr": "260415000",
            "tc": "CDC Hà Nội",
            "co": "VN",
            "is": "Bộ Y tế",
            "ci": "URN:UVCI:01:VN:T1#Y",
        },
        "r": {
            "tg": "840539006",
            "fr": "2021-07-01",
            "co": "VN",
            "is": "Bộ Y tế",
            "df": "2021-07-12",
            "du": "2021-12-28",
            "ci": "URN:UVCI:01:VN:R1#Z",
        },
    }[kind]
    return {
        "ver": "1.3.0",
        "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Văn An", "gnt": "VAN<AN"},
        "dob": "1985-04-02",
        kind: [entry],
    }


def hcert_claims(kind: str = "v", **kw: Any) -> bytes:
    return claims({cwt.HCERT_DGC: dgc(kind)}, claim=cwt.HCERT_CLAIM, **kw)


def qr(envelope: bytes, prefix: str = "PD1:") -> str:
    return prefix + base45.encode(zlib.compress(envelope, 9))
