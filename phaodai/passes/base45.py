"""Base45 (RFC 9285): bytes as the characters a QR code's alphanumeric mode stores compactly."""

from typing import Final

ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE: Final = {char: value for value, char in enumerate(ALPHABET)}


class Base45Error(ValueError):
    """Text that is not Base45: a character outside the alphabet, a bad length or a group out of range."""


def encode(data: bytes) -> str:
    """Each pair of bytes as three characters (least significant first), a last lone byte as two."""
    out = []
    for i in range(0, len(data) - 1, 2):
        value = data[i] << 8 | data[i + 1]
        value, c = divmod(value, 45)
        e, d = divmod(value, 45)
        out.append(ALPHABET[c] + ALPHABET[d] + ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out.append(ALPHABET[c] + ALPHABET[d])
    return "".join(out)


def decode(text: str) -> bytes:
    """The bytes `text` encodes; Base45Error for anything encode() could not have produced.

    Every step runs inside C (translate, big-integer arithmetic, one strided delete) rather than a
    Python loop per group, in as few steps as possible: decoding is on the hot path of every scan
    (bench/passes_verify.py).
    """
    if len(text) % 3 == 1:
        raise Base45Error("Base45 text cannot have a length of 3n+1")
    if not text.isascii():
        raise Base45Error("a character outside the Base45 alphabet")
    values = text.encode("ascii").translate(_DIGITS)
    if _NOT_A_DIGIT in values:
        raise Base45Error("a character outside the Base45 alphabet")
    whole = len(values) - len(values) % 3
    out = _groups(values[:whole] if whole < len(values) else values)
    if whole < len(values):
        value = values[whole] + values[whole + 1] * 45
        if value > 0xFF:
            raise Base45Error("a final Base45 pair above 255")
        out.append(value)
    return bytes(out)


_NOT_A_DIGIT: Final = b"\xff"
_DIGITS: Final = bytes(ALPHABET.index(chr(c)) if chr(c) in ALPHABET else 0xFF for c in range(256))


def _groups(values: bytes) -> bytearray:
    """Each 3 digits (c, d, e) as the 2 bytes of c + 45d + 2025e, for all groups at once.

    The digits read as one big-endian integer put each group in its own 24-bit lane
    (65536c + 256d + e); masks pick c, d and e out of every lane, and one multiply-add computes each
    group's value in its lane (at most 91,124 < 2**24, so no lane carries into the next). A lane's
    top byte is zero exactly when the group is at most 65,535; its low two bytes are the output, in
    order once every lane's top byte is deleted.
    """
    low, high = (_LOW, _HIGH) if len(values) <= _MASKED else _masks(len(values) // 3)
    whole = int.from_bytes(values, "big")
    lanes = (whole & low) * 2025 + (whole >> 8 & low) * 45 + (whole >> 16 & low)
    if lanes & high:
        raise Base45Error("a Base45 group above 65535")
    out = bytearray(lanes.to_bytes(len(values), "big"))
    del out[::3]
    return out


def _masks(lanes: int) -> tuple[int, int]:
    """The low and the top byte of every one of `lanes` 24-bit lanes, from the least significant end."""
    return int.from_bytes(b"\x00\x00\xff" * lanes, "big"), int.from_bytes(b"\xff\x00\x00" * lanes, "big")


# Made once for any text up to the longest code (8,192 characters; `&` with a shorter integer costs
# only its length); a longer text gets its own.
_MASKED: Final = 9000
_LOW, _HIGH = _masks(_MASKED // 3)
