"""COSE_Sign1 (RFC 9052) with ES256 and PS256: build one, take one apart, check its signature."""

from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final, NamedTuple

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from phaodai.passes import cbor
from phaodai.passes.codes import CodecError

ES256: Final = -7
PS256: Final = -37
ALGORITHMS: Final = frozenset({ES256, PS256})
HEADER_ALG: Final = 1
HEADER_KID: Final = 4
TAG_SIGN1: Final = 18
KID_BYTES: Final = 8
ES256_SIGNATURE_BYTES: Final = 64
# RFC 8230 §2: PS256 uses MGF1 with SHA-256 and a salt as long as the hash.
_PSS: Final = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
_ECDSA: Final = ec.ECDSA(hashes.SHA256())

PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey


class Sign1(NamedTuple):
    """A COSE_Sign1 taken apart; `protected` is the header exactly as signed (a tuple: one per scan)."""

    protected: bytes
    alg: int
    kid: bytes
    payload: bytes
    signature: bytes


def parse(data: bytes) -> Sign1:
    """The parts of a (tagged or untagged) COSE_Sign1; CodecError for anything else.

    The key id and algorithm may sit in the protected or (as the EU allows) the unprotected
    header; where both carry one, the protected header's wins, since only it is signed.
    """
    plain = _plain_sign1(data)
    if plain is not None:  # the layout every signer we know writes: no general decoder needed
        protected, payload, signature = plain
        alg, kid = _small_protected_alg_kid(protected) if len(protected) <= 64 else (None, None)
        if type(alg) is int and alg in ALGORITHMS and type(kid) is bytes and len(kid) == KID_BYTES:
            return Sign1(protected, alg, kid, payload, signature)
        # otherwise the general path below gives the same answer (and the same error)
    item = cbor.decode_whole(data, "bad_cose")
    if isinstance(item, cbor2.CBORTag):
        if item.tag != TAG_SIGN1:
            raise CodecError("bad_cose")
        item = item.value
    if not isinstance(item, (list, tuple)) or len(item) != 4:  # a tuple inside a tag
        raise CodecError("bad_cose")
    protected, unprotected, payload, signature = item
    if not (isinstance(protected, bytes) and isinstance(payload, bytes) and isinstance(signature, bytes)):
        raise CodecError("bad_cose")
    if not isinstance(unprotected, Mapping):  # cbor2 gives maps inside a tag as frozendict
        raise CodecError("bad_cose")
    # Every code a key signs carries the same few protected bytes: read them once.
    header = _small_protected_header(protected) if len(protected) <= 64 else _protected_header(protected)
    alg = _header(header, unprotected, HEADER_ALG)
    kid = _header(header, unprotected, HEADER_KID)
    if type(alg) is not int or alg not in ALGORITHMS:
        raise CodecError("unsupported_algorithm")
    if not isinstance(kid, bytes) or len(kid) != KID_BYTES:
        raise CodecError("bad_kid")
    return Sign1(protected, alg, kid, payload, signature)


def _protected_header(protected: bytes) -> Mapping[Any, Any]:
    header = cbor.decode_whole(protected, "bad_cose") if protected else {}
    if not isinstance(header, Mapping):
        raise CodecError("bad_cose")
    return MappingProxyType(header)  # may be shared between calls (below): read-only


_small_protected_header = lru_cache(maxsize=256)(_protected_header)


@lru_cache(maxsize=256)
def _small_protected_alg_kid(protected: bytes) -> tuple[Any, Any]:
    """alg and kid of a protected header when the unprotected one is empty; (None, None) if unreadable."""
    try:
        header = _small_protected_header(protected)
    except CodecError:
        return None, None
    return _header(header, {}, HEADER_ALG), _header(header, {}, HEADER_KID)


def _plain_sign1(data: bytes) -> tuple[bytes, bytes, bytes] | None:
    """(protected, payload, signature) if `data` is exactly tag 18 (or none) + [bstr, {}, bstr, bstr].

    Definite lengths only and nothing after; None for any other layout, which parse() then reads
    with the general decoder (so this shortcut never accepts what the decoder would refuse).
    """
    at = 1 if data[:1] == b"\xd2" else 0  # tag 18 in its one-byte form
    if data[at : at + 1] != b"\x84":  # an array of 4
        return None
    protected, at = _bstr_at(data, at + 1)
    if protected is None or data[at : at + 1] != b"\xa0":  # an empty map
        return None
    payload, at = _bstr_at(data, at + 1)
    if payload is None:
        return None
    signature, at = _bstr_at(data, at)
    if signature is None or at != len(data):
        return None
    return protected, payload, signature


def _bstr_at(data: bytes, at: int) -> tuple[bytes | None, int]:
    """The definite-length byte string starting at `at` and where it ends; None if there is none."""
    if at >= len(data):
        return None, at
    head = data[at]
    if 0x40 <= head <= 0x57:
        length, start = head - 0x40, at + 1
    elif 0x58 <= head <= 0x5A:
        size = 1 << (head - 0x58)  # 1, 2 or 4 bytes of length
        start = at + 1 + size
        if start > len(data):
            return None, at
        length = int.from_bytes(data[at + 1 : start], "big")
    else:
        return None, at
    end = start + length
    if end > len(data):
        return None, at
    return data[start:end], end


def _header(protected: Mapping[Any, Any], unprotected: Mapping[Any, Any], label: int) -> Any:
    for header in (protected, unprotected):
        for key, value in header.items():
            if type(key) is int and key == label:  # not True, which equals 1 in Python
                return value
    return None


def to_be_signed(protected: bytes, payload: bytes) -> bytes:
    """The Sig_structure both signer and verifier sign: context, protected header, no AAD, payload.

    Written by hand (it is the same as cbor2.dumps(["Signature1", protected, b"", payload])): it
    is built for every scan.
    """
    # Cached for the short headers signers write; an odd long one is not kept.
    prefix = _sig1_prefix(protected) if len(protected) <= 64 else _sig1_prefix.__wrapped__(protected)
    return prefix + _bstr_head(len(payload)) + payload


@lru_cache(maxsize=256)
def _sig1_prefix(protected: bytes) -> bytes:
    """Everything before the payload's head: the same for every code a key signs."""
    return _SIG1_HEAD + _bstr_head(len(protected)) + protected + b"\x40"


# A 4-item array, then the 10-character text "Signature1".
_SIG1_HEAD: Final = b"\x84\x6aSignature1"


def _bstr_head(length: int) -> bytes:
    """The CBOR head of a byte string of `length` bytes (major type 2, shortest form)."""
    if length < 24:
        return bytes([0x40 | length])
    if length < 0x100:
        return bytes([0x58, length])
    if length < 0x10000:
        return b"\x59" + length.to_bytes(2, "big")
    return b"\x5a" + length.to_bytes(4, "big")


def verify(sign1: Sign1, key: PublicKey) -> None:
    """Return if the signature is the key's over the envelope; CodecError saying why otherwise."""
    checker(key)(sign1)


Checker = Callable[[Sign1], None]


def checker(key: PublicKey) -> Checker:
    """verify() for one key, with the key's kind and curve read once (a trust entry keeps its checker)."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        return _es256_checker(key) if isinstance(key.curve, ec.SECP256R1) else _mismatch
    if isinstance(key, rsa.RSAPublicKey):
        return _ps256_checker(key)
    return _mismatch


def _mismatch(sign1: Sign1) -> None:
    raise CodecError("algorithm_mismatch")


def _es256_checker(key: ec.EllipticCurvePublicKey) -> Checker:
    verify_der = key.verify

    def check(sign1: Sign1) -> None:
        if sign1.alg != ES256:
            raise CodecError("algorithm_mismatch")
        signature = sign1.signature
        if len(signature) != ES256_SIGNATURE_BYTES:
            raise CodecError("malformed_signature")
        try:
            verify_der(der_signature(signature), to_be_signed(sign1.protected, sign1.payload), _ECDSA)
        except InvalidSignature:
            raise CodecError("bad_signature") from None

    return check


def der_signature(raw: bytes) -> bytes:
    """The DER ECDSA-Sig-Value of a raw r||s signature (64 bytes), as encode_dss_signature writes it.

    Written with bytes operations rather than through two integers: it runs for every scan.
    """
    r, s = _der_integer(raw[:32]), _der_integer(raw[32:])
    return b"\x30" + bytes((len(r) + len(s),)) + r + s


def _der_integer(magnitude: bytes) -> bytes:
    """A DER INTEGER of an unsigned big-endian value: fewest bytes, a 0 first if the top bit is set."""
    value = magnitude.lstrip(b"\x00") or b"\x00"
    if value[0] & 0x80:
        value = b"\x00" + value
    return b"\x02" + bytes((len(value),)) + value


def _ps256_checker(key: rsa.RSAPublicKey) -> Checker:
    signature_bytes = (key.key_size + 7) // 8

    def check(sign1: Sign1) -> None:
        if sign1.alg != PS256:
            raise CodecError("algorithm_mismatch")
        if len(sign1.signature) != signature_bytes:
            raise CodecError("malformed_signature")
        try:
            key.verify(sign1.signature, to_be_signed(sign1.protected, sign1.payload), _PSS, hashes.SHA256())
        except InvalidSignature:
            raise CodecError("bad_signature") from None

    return check


def sign_es256(private_key: ec.EllipticCurvePrivateKey, kid: bytes, payload: bytes) -> bytes:
    """A tagged COSE_Sign1 over `payload`: protected {alg: ES256, kid}, empty unprotected, raw r||s."""
    protected = cbor.encode({HEADER_ALG: ES256, HEADER_KID: kid})
    signature = raw_es256(private_key, to_be_signed(protected, payload))
    return cbor2.dumps(cbor2.CBORTag(TAG_SIGN1, [protected, {}, payload, signature]))


def raw_es256(private_key: ec.EllipticCurvePrivateKey, message: bytes) -> bytes:
    """An ES256 signature as COSE and WebCrypto want it: r and s, 32 bytes each, not DER."""
    r, s = decode_dss_signature(private_key.sign(message, _ECDSA))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def verify_raw_es256(key: ec.EllipticCurvePublicKey, signature: bytes, message: bytes) -> bool:
    """Whether `signature` (raw r||s) is the key's ES256 signature of `message`."""
    if len(signature) != ES256_SIGNATURE_BYTES or not isinstance(key.curve, ec.SECP256R1):
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    try:
        key.verify(encode_dss_signature(r, s), message, _ECDSA)
    except InvalidSignature:
        return False
    return True
