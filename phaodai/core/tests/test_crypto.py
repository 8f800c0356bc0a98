"""Field encryption with rotating keys, and keyed blind indexes."""

import base64
import os

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from phaodai.core.crypto import BlindIndex, DecryptionError, FieldCipher, blind_index, field_cipher

COLUMN = b"people.person.cccd"
CCCD = "001090012345"


def key() -> bytes:
    return os.urandom(32)


def spec(*keys: tuple[int, bytes]) -> str:
    return ",".join(f"{key_id}:{base64.urlsafe_b64encode(raw).decode()}" for key_id, raw in keys)


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher({1: key()}, current=1)


def test_round_trip(cipher):
    blob = cipher.encrypt(CCCD, COLUMN)
    assert CCCD.encode() not in blob
    assert cipher.decrypt(blob, COLUMN) == CCCD
    assert cipher.decrypt(memoryview(blob), COLUMN) == CCCD  # as PostgreSQL returns a BinaryField


def test_the_same_value_encrypts_differently_each_time(cipher):
    assert cipher.encrypt(CCCD, COLUMN) != cipher.encrypt(CCCD, COLUMN)


@given(st.text(max_size=200))
def test_any_text_round_trips(value):
    cipher = FieldCipher({7: bytes(range(32))}, current=7)
    assert cipher.decrypt(cipher.encrypt(value, COLUMN), COLUMN) == value


@pytest.mark.parametrize(
    "position", [0, 1, 2, 13, 14, -1], ids=["format", "key id", "nonce", "nonce end", "body", "tag"]
)
def test_any_altered_byte_fails_to_decrypt(cipher, position):
    blob = bytearray(cipher.encrypt(CCCD, COLUMN))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionError):
        cipher.decrypt(bytes(blob), COLUMN)


def test_a_ciphertext_moved_to_another_column_fails_to_decrypt(cipher):
    blob = cipher.encrypt(CCCD, COLUMN)
    with pytest.raises(DecryptionError, match="authenticate"):
        cipher.decrypt(blob, b"people.person.phone")


@pytest.mark.parametrize("blob", [b"", b"\x01", b"\x01\x01" + bytes(11)])
def test_a_truncated_ciphertext_fails_to_decrypt(cipher, blob):
    with pytest.raises(DecryptionError):
        cipher.decrypt(blob, COLUMN)


def test_decryption_errors_are_value_errors_for_older_callers(cipher):
    with pytest.raises(ValueError):
        cipher.decrypt(b"garbage", COLUMN)


def test_after_rotation_old_ciphertexts_still_decrypt_and_new_ones_use_the_new_key():
    old_key, new_key = key(), key()
    before = FieldCipher.from_setting(spec((1, old_key)))
    old_blob = before.encrypt(CCCD, COLUMN)

    rotated = FieldCipher.from_setting(spec((2, new_key), (1, old_key)))
    assert rotated.current_key_id == 2
    assert rotated.decrypt(old_blob, COLUMN) == CCCD
    new_blob = rotated.encrypt(CCCD, COLUMN)
    assert (FieldCipher.key_id_of(old_blob), FieldCipher.key_id_of(new_blob)) == (1, 2)
    assert rotated.decrypt(new_blob, COLUMN) == CCCD

    # Once every row is re-encrypted and the old key dropped, old ciphertexts no longer open.
    retired = FieldCipher.from_setting(spec((2, new_key)))
    assert retired.decrypt(new_blob, COLUMN) == CCCD
    with pytest.raises(DecryptionError, match="key"):
        retired.decrypt(old_blob, COLUMN)


@pytest.mark.parametrize(
    "setting",
    [
        "",
        " , ",
        spec((0, bytes(32))),
        spec((256, bytes(32))),
        spec((1, bytes(16))),
        spec((1, bytes(32)), (1, bytes(range(32)))),
        "1:not base64!!",
        "x:" + base64.urlsafe_b64encode(bytes(32)).decode(),
        base64.urlsafe_b64encode(bytes(32)).decode(),
    ],
    ids=[
        "empty",
        "blank items",
        "id 0",
        "id 256",
        "short key",
        "duplicate id",
        "bad base64",
        "bad id",
        "no id",
    ],
)
def test_bad_key_settings_refuse_to_start(setting):
    with pytest.raises(ImproperlyConfigured):
        FieldCipher.from_setting(setting)


def test_the_blind_index_is_stable_for_the_same_key():
    secret = key()
    assert BlindIndex(secret)(CCCD, "cccd") == BlindIndex(secret)(CCCD, "cccd")


def test_the_blind_index_depends_on_the_key_the_value_and_the_purpose():
    index = BlindIndex(key())
    value = index(CCCD, "cccd")
    assert len(value) == 64 and int(value, 16) >= 0
    assert CCCD not in value
    assert BlindIndex(key())(CCCD, "cccd") != value
    assert index("001090012346", "cccd") != value
    assert index(CCCD, "phone") != value


def test_an_empty_blind_index_key_is_refused():
    with pytest.raises(ImproperlyConfigured):
        BlindIndex(b"")


def test_the_shared_cipher_and_index_follow_the_settings():
    first, second = key(), key()
    with override_settings(PHAODAI_FIELD_KEYS=spec((1, first)), PHAODAI_BLIND_INDEX_KEY="one"):
        blob = field_cipher().encrypt(CCCD, COLUMN)
        one = blind_index()(CCCD, "cccd")
    with override_settings(PHAODAI_FIELD_KEYS=spec((2, second), (1, first)), PHAODAI_BLIND_INDEX_KEY="two"):
        assert field_cipher().current_key_id == 2
        assert field_cipher().decrypt(blob, COLUMN) == CCCD
        assert blind_index()(CCCD, "cccd") != one
    assert blind_index()(CCCD, "cccd") == BlindIndex(settings.PHAODAI_BLIND_INDEX_KEY.encode())(CCCD, "cccd")
