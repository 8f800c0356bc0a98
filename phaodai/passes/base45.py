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

    Every step runs inside C (translate, strided slices, big-integer arithmetic) rather than a
    Python loop per group: decoding is on the hot path of every scan (bench/passes_verify.py).
    """
    if len(text) % 3 == 1:
        raise Base45Error("Base45 text cannot have a length of 3n+1")
    if not text.isascii():
        raise Base45Error("a character outside the Base45 alphabet")
    values = text.encode("ascii").translate(_DIGITS)
    if _NOT_A_DIGIT in values:
        raise Base45Error("a character outside the Base45 alphabet")
    whole = len(values) - len(values) % 3
    out = _groups(values[:whole])
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

    The digits read as one little-endian big integer put each group in its own 24-bit lane
    (c + 256d + 65536e); masks pick c, d and e out of every lane, and one multiply-add computes each
    group's value in its lane (at most 91,124 < 2**24, so no lane carries into the next). A lane's
    third byte is zero exactly when the group is at most 65,535; its low two bytes are the output.
    """
    count = len(values) // 3
    if count == 0:
        return bytearray()
    whole = int.from_bytes(values, "little")
    lanes = (whole & _LOW) + (whole >> 8 & _LOW) * 45 + (whole >> 16 & _LOW) * 2025
    total = lanes.to_bytes(3 * count, "little")
    if total[2::3].count(0) != count:
        raise Base45Error("a Base45 group above 65535")
    out = bytearray(2 * count)
    out[0::2] = total[1::3]
    out[1::2] = total[0::3]
    return out


# The low byte of every 24-bit lane, for any text up to the longest code (8,192 characters; `&`
# with a shorter integer costs only that integer's length).
_LOW: Final = int.from_bytes(b"\xff\x00\x00" * 3000, "little")
