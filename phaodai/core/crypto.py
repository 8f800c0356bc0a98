"""Field encryption (AES-256-GCM) and keyed blind indexes for identifiers such as the CCCD.

Keys come from settings (the environment), never from the database. A ciphertext starts with a
one-byte format version and the id of the key that wrote it, so keys can rotate.
"""

import base64
import binascii
import hashlib
import os
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

_FORMAT = 1
_HEADER_BYTES = 2
_NONCE_BYTES = 12
_KEY_BYTES = 32
_BAD_SPEC = "PHAODAI_FIELD_KEYS entries must be '<1-255>:<base64 of 32 bytes>', with distinct ids."


class DecryptionError(ValueError):
    """A ciphertext that is malformed, written with an unknown key, or altered."""


class FieldCipher:
    """Encrypts short text fields; `associated` binds a ciphertext to its column."""

    def __init__(self, keys: dict[int, bytes], current: int) -> None:
        if current not in keys:
            raise ImproperlyConfigured("the current field key id has no key")
        self._aead = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = current

    @classmethod
    def from_setting(cls, spec: str) -> "FieldCipher":
        """Parse "id:base64key,id:base64key"; the first key encrypts, all of them decrypt."""
        keys: dict[int, bytes] = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key_id, _, encoded = item.partition(":")
            try:
                raw = base64.urlsafe_b64decode(encoded.encode())
            except (binascii.Error, ValueError) as exc:
                raise ImproperlyConfigured(_BAD_SPEC) from exc
            valid_id = key_id.isascii() and key_id.isdigit() and 0 < int(key_id) < 256
            if not valid_id or len(raw) != _KEY_BYTES or int(key_id) in keys:
                raise ImproperlyConfigured(_BAD_SPEC)
            keys[int(key_id)] = raw
        if not keys:
            raise ImproperlyConfigured(_BAD_SPEC)
        return cls(keys, current=next(iter(keys)))

    @property
    def current_key_id(self) -> int:
        """The id of the key new ciphertexts are written with."""
        return self._current

    def encrypt(self, plaintext: str, associated: bytes = b"") -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead[self._current].encrypt(nonce, plaintext.encode(), associated)
        return bytes((_FORMAT, self._current)) + nonce + sealed

    def decrypt(self, blob: bytes | memoryview, associated: bytes = b"") -> str:
        data = bytes(blob)  # PostgreSQL hands BinaryField values back as memoryview
        if len(data) < _HEADER_BYTES + _NONCE_BYTES or data[0] != _FORMAT or data[1] not in self._aead:
            raise DecryptionError("unknown ciphertext format or key")
        body = data[_HEADER_BYTES:]
        nonce, sealed = body[:_NONCE_BYTES], body[_NONCE_BYTES:]
        try:
            # A different key id in the header selects another key, so the tag fails as for any alteration.
            plain = self._aead[data[1]].decrypt(nonce, sealed, associated)
        except InvalidTag as exc:
            raise DecryptionError("ciphertext does not authenticate") from exc
        return plain.decode()

    @staticmethod
    def key_id_of(blob: bytes | memoryview) -> int:
        """The id of the key a ciphertext was written with (to find rows still on an old key)."""
        data = bytes(blob[:_HEADER_BYTES])
        if len(data) < _HEADER_BYTES or data[0] != _FORMAT:
            raise DecryptionError("unknown ciphertext format")
        return data[1]


_PAD_INNER = bytes(byte ^ 0x36 for byte in range(256))
_PAD_OUTER = bytes(byte ^ 0x5C for byte in range(256))


class BlindIndex:
    """HMAC-SHA256 of a normalised value: equal values match, the value itself cannot be read back.

    The key's inner and outer hash states (RFC 2104) are computed once: a call copies them and hashes
    the message, half the work of hmac.new per value (an import indexes a CCCD a row).
    """

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ImproperlyConfigured("the blind-index key is empty")
        block = hashlib.sha256().block_size
        padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
        self._inner = hashlib.sha256(padded.translate(_PAD_INNER))
        self._outer = hashlib.sha256(padded.translate(_PAD_OUTER))

    def __call__(self, value: str, purpose: str) -> str:
        # The purpose separates indexes of different columns: equal values in two columns do not match.
        inner = self._inner.copy()
        inner.update(f"{purpose}:{value}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


@cache
def field_cipher() -> FieldCipher:
    """The cipher built from PHAODAI_FIELD_KEYS."""
    return FieldCipher.from_setting(settings.PHAODAI_FIELD_KEYS)


@cache
def blind_index() -> BlindIndex:
    """The blind index keyed with PHAODAI_BLIND_INDEX_KEY."""
    return BlindIndex(settings.PHAODAI_BLIND_INDEX_KEY.encode())


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    # override_settings in tests (and key rotation drills) must not keep serving the old keys.
    if setting in {"PHAODAI_FIELD_KEYS", "PHAODAI_BLIND_INDEX_KEY"}:
        field_cipher.cache_clear()
        blind_index.cache_clear()
