"""Base45 (RFC 9285): the RFC's examples, round trips, and every malformed text refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phaodai.passes import base45


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"AB", "BB8"),
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),
        (b"", ""),
        (b"\x00", "00"),
        (b"\xff\xff", "FGW"),
    ],
)
def test_the_rfc_examples_encode_and_decode(data, text):
    assert base45.encode(data) == text
    assert base45.decode(text) == data


@pytest.mark.parametrize(
    "text",
    [
        "GGW",  # 65536, one above the largest pair
        "U6",  # 270, above the largest single byte
        "A",  # length 3n+1
        "BB8A",
        "bb8",  # lower case is outside the alphabet
        "BB\u00c8",
        "AB#",
    ],
)
def test_malformed_base45_is_refused(text):
    with pytest.raises(base45.Base45Error):
        base45.decode(text)


@given(st.binary(max_size=600))
def test_any_bytes_round_trip(data):
    text = base45.encode(data)
    assert set(text) <= set(base45.ALPHABET)
    assert len(text) == len(data) // 2 * 3 + len(data) % 2 * 2
    assert base45.decode(text) == data


@given(st.text(max_size=60))
def test_any_text_decodes_to_bytes_or_is_refused_and_never_raises_anything_else(text):
    try:
        data = base45.decode(text)
    except base45.Base45Error:
        return
    # what decodes is exactly what encode would have written
    assert base45.encode(data) == text


@given(st.text(alphabet=base45.ALPHABET, max_size=60).filter(lambda t: len(t) % 3 != 1))
def test_text_in_the_alphabet_is_refused_only_for_groups_out_of_range(text):
    groups = [text[i : i + 3] for i in range(0, len(text), 3)]
    values = [sum(base45.ALPHABET.index(c) * 45**i for i, c in enumerate(group)) for group in groups]
    in_range = all(v <= (0xFFFF if len(g) == 3 else 0xFF) for g, v in zip(groups, values, strict=True))
    if in_range:
        assert base45.encode(base45.decode(text)) == text
    else:
        with pytest.raises(base45.Base45Error):
            base45.decode(text)


def test_texts_longer_than_any_code_decode_too():
    data = bytes(range(256)) * 40  # 10,240 bytes: 15,360 characters, past the masks made in advance
    assert base45.decode(base45.encode(data)) == data
    with pytest.raises(base45.Base45Error):
        base45.decode(base45.encode(data)[:-3] + ":::")
