"""cose.parse's shortcut for the usual layout gives exactly what the general CBOR path gives."""

from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given
from hypothesis import strategies as st

from phaodai.passes import cose
from phaodai.passes.codes import CodecError

KID = b"\x01\x02\x03\x04\x05\x06\x07\x08"
PROTECTED = cbor2.dumps({1: -7, 4: KID})
PAYLOAD = b"\xa1\x01bVN" * 10
SIGNATURE = bytes(range(64))


def general(data: bytes) -> Any:
    """parse() with the shortcut disabled: the reference answer (a Sign1 or the error code)."""
    original = cose._plain_sign1
    cose._plain_sign1 = lambda _data: None  # type: ignore[assignment]
    try:
        return cose.parse(data)
    except CodecError as error:
        return error.code
    finally:
        cose._plain_sign1 = original


def answer(data: bytes) -> Any:
    try:
        return cose.parse(data)
    except CodecError as error:
        return error.code


def envelope(*, tagged: bool = True, unprotected: Any = None, protected: bytes = PROTECTED) -> bytes:
    item = [protected, unprotected or {}, PAYLOAD, SIGNATURE]
    return cbor2.dumps(cbor2.CBORTag(18, item) if tagged else item)


GOOD = envelope()
CASES = {
    "tagged": GOOD,
    "untagged": envelope(tagged=False),
    "two-byte tag head": b"\xd8\x12" + GOOD[1:],
    "other tag": b"\xd1" + GOOD[1:],
    "trailing byte": GOOD + b"\x00",
    "truncated": GOOD[:-1],
    "only the tag": GOOD[:1],
    "empty": b"",
    "array of 3": b"\xd2\x83" + GOOD[2:],
    "non-shortest length": b"\xd2\x84\x58" + bytes([len(PROTECTED)]) + GOOD[3:],
    "4-byte length past the end": b"\xd2\x84\x5a\xff\xff\xff\xff" + GOOD[3:],
    "indefinite byte string": b"\xd2\x84\x5f" + GOOD[2:] + b"\xff",
    "kid in the unprotected header": envelope(protected=cbor2.dumps({1: -7}), unprotected={4: KID}),
    "no kid": envelope(protected=cbor2.dumps({1: -7})),
    "short kid": envelope(protected=cbor2.dumps({1: -7, 4: b"\x01"})),
    "RSA-PSS": envelope(protected=cbor2.dumps({1: -37, 4: KID})),
    "unknown algorithm": envelope(protected=cbor2.dumps({1: -8, 4: KID})),
    "boolean label": envelope(protected=cbor2.dumps({True: -7, 4: KID})),
    "protected not a map": envelope(protected=cbor2.dumps([1, -7])),
    "protected garbage": envelope(protected=b"\xff\xff"),
    "empty protected": envelope(protected=b""),
}


@pytest.mark.parametrize("name", CASES)
def test_shortcut_agrees_with_the_general_decoder(name: str) -> None:
    assert answer(CASES[name]) == general(CASES[name])


def test_shortcut_reads_the_usual_layout() -> None:
    assert cose._plain_sign1(GOOD) == (PROTECTED, PAYLOAD, SIGNATURE)
    assert cose.parse(GOOD) == cose.Sign1(PROTECTED, -7, KID, PAYLOAD, SIGNATURE)


EDGES = [
    b"\x00" * 32,
    b"\x00" * 31 + b"\x01",
    b"\x80" + b"\x00" * 31,
    b"\x00\x7f" + b"\xff" * 30,
    b"\xff" * 32,
]


@pytest.mark.parametrize("r", EDGES)
@pytest.mark.parametrize("s", EDGES)
def test_the_hand_written_der_signature_is_encode_dss_signatures(r: bytes, s: bytes) -> None:
    expected = encode_dss_signature(int.from_bytes(r, "big"), int.from_bytes(s, "big"))
    assert cose.der_signature(r + s) == expected


@given(st.binary(min_size=64, max_size=64))
def test_any_raw_signature_gives_the_same_der_as_encode_dss_signature(raw: bytes) -> None:
    expected = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    assert cose.der_signature(raw) == expected
