"""Field encryption (AES-256-GCM) and keyed blind indexes for identifiers such as the CCCD.

Keys come from settings (the environment), never from the database. A ciphertext starts with a
one-byte format version and the id of the key that wrote it, so keys can rotate.
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_FORMAT = 1
_NONCE_BYTES = 12


class FieldCipher:
    """Encrypts short text fields; `associated` binds a ciphertext to its column."""

    def __init__(self, keys: dict[int, bytes], current: int) -> None:
        self._aead = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = current

    @classmethod
    def from_setting(cls, spec: str) -> "FieldCipher":
        keys: dict[int, bytes] = {}
        order: list[int] = []
        for item in spec.split(","):
            key_id, _, encoded = item.strip().partition(":")
            raw = base64.urlsafe_b64decode(encoded.encode())
            if len(raw) != 32 or not key_id.isdigit() or not 0 < int(key_id) < 256:
                raise ImproperlyConfigured("PHAODAI_FIELD_KEYS entries must be '<1-255>:<base64 of 32 bytes>'.")
            keys[int(key_id)] = raw
            order.append(int(key_id))
        return cls(keys, current=order[0])

    def encrypt(self, plaintext: str, associated: bytes = b"") -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead[self._current].encrypt(nonce, plaintext.encode(), associated)
        return bytes((_FORMAT, self._current)) + nonce + sealed

    def decrypt(self, blob: bytes, associated: bytes = b"") -> str:
        blob = bytes(blob)
        if len(blob) < 2 + _NONCE_BYTES or blob[0] != _FORMAT or blob[1] not in self._aead:
            raise ValueError("unknown ciphertext format or key")
        try:
            return (
                self._aead[blob[1]]
                .decrypt(blob[2 : 2 + _NONCE_BYTES], blob[2 + _NONCE_BYTES :], associated)
                .decode()
            )
        except InvalidTag as exc:
            raise ValueError("ciphertext does not authenticate") from exc


class BlindIndex:
    """HMAC-SHA256 of a normalised value: equal values match, the value itself cannot be read back."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, value: str, purpose: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


@cache
def field_cipher() -> FieldCipher:
    return FieldCipher.from_setting(settings.PHAODAI_FIELD_KEYS)


@cache
def blind_index() -> BlindIndex:
    return BlindIndex(settings.PHAODAI_BLIND_INDEX_KEY.encode())
