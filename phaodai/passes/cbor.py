"""Decoding untrusted CBOR: the whole input must be exactly one item, and every failure is one error."""

import io
from typing import Any

import cbor2

from phaodai.passes.codes import CodecError


def decode_whole(data: bytes, code: str) -> Any:
    """The one CBOR item `data` holds; CodecError(code) for garbage, truncation or trailing bytes."""
    stream = io.BytesIO(data)
    try:
        item = cbor2.CBORDecoder(stream).decode()
    # cbor2 wraps its own failures in CBORDecodeError (a ValueError); the others guard odd inputs
    # (unhashable map keys, numbers out of range) that reach Python before cbor2 can wrap them.
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError):
        raise CodecError(code) from None
    if stream.tell() != len(data):
        raise CodecError(code)
    return item


def encode(item: Any) -> bytes:
    """Deterministic CBOR (RFC 8949 §4.2: shortest forms, sorted map keys)."""
    return cbor2.dumps(item, canonical=True)
