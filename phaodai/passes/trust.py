"""Trust lists: the signer certificates a verifier accepts, for what, and over which window.

An entry is one certificate (DER) with its key id (the first 8 bytes of SHA-256 of the DER), its
usage (our `PD1` passes, foreign `HC1` certificates, or signing rule bundles), the kinds it may sign
(pass types for PD1; "t", "v", "r" for HC1, from the EU extended key usages) and the window in which
codes it signed are accepted. The public key is read once, when the entry is built.
"""

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from phaodai.passes.cose import KID_BYTES, Checker, PublicKey, checker


class Usage(StrEnum):
    PASS = "PD1"  # noqa: S105 - a code prefix, not a password
    HCERT = "HC1"
    BUNDLE = "bundle"


# The EU DCC's extended key usages: a signer carrying any of them signs only those kinds.
# The EU's own test data (and the EU verifier apps) also use the variant with ".0." after the arc 1.
HCERT_KINDS: Final = {
    "1.3.6.1.4.1.1847.2021.1.1": "t",  # test
    "1.3.6.1.4.1.1847.2021.1.2": "v",  # vaccination
    "1.3.6.1.4.1.1847.2021.1.3": "r",  # recovery
    "1.3.6.1.4.1.0.1847.2021.1.1": "t",
    "1.3.6.1.4.1.0.1847.2021.1.2": "v",
    "1.3.6.1.4.1.0.1847.2021.1.3": "r",
}
ALL_HCERT_KINDS: Final = frozenset(HCERT_KINDS.values())


class TrustListError(ValueError):
    """A trust list or entry that cannot be read (bad base64, bad certificate, wrong key id...)."""


def kid_of(certificate: bytes) -> bytes:
    """The key id of a signer certificate: the first 8 bytes of SHA-256 of its DER."""
    return hashlib.sha256(certificate).digest()[:KID_BYTES]


def load_certificate(der: bytes) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as error:
        raise TrustListError("not a DER X.509 certificate") from error


def hcert_kinds(certificate: x509.Certificate) -> frozenset[str]:
    """The DCC kinds an EU signer may sign: those its extended key usages name, all when none does."""
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return ALL_HCERT_KINDS
    kinds = frozenset(HCERT_KINDS[oid.dotted_string] for oid in usages if oid.dotted_string in HCERT_KINDS)
    return kinds or ALL_HCERT_KINDS


@dataclass(frozen=True)
class TrustEntry:
    """One trusted signer."""

    kid: bytes
    usage: Usage
    certificate: bytes
    types: frozenset[str]
    valid_from: datetime
    valid_to: datetime
    public_key: PublicKey = field(compare=False, repr=False)

    @cached_property
    def check(self) -> Checker:
        """cose.verify with this entry's key, its kind and curve read once for every scan."""
        return checker(self.public_key)

    @classmethod
    def from_certificate(
        cls,
        der: bytes,
        usage: Usage,
        *,
        types: Iterable[str] | None = None,
        valid_from: datetime | None = None,
        valid_to: datetime | None = None,
    ) -> "TrustEntry":
        """An entry for a certificate; window and HC1 kinds default to what the certificate says."""
        certificate = load_certificate(der)
        key = certificate.public_key()
        if not isinstance(key, (ec.EllipticCurvePublicKey, rsa.RSAPublicKey)):
            raise TrustListError("the certificate's key is neither EC nor RSA")
        if types is None:
            types = hcert_kinds(certificate) if usage == Usage.HCERT else ()
        return cls(
            kid=kid_of(der),
            usage=Usage(usage),
            certificate=der,
            types=frozenset(types),
            valid_from=valid_from or certificate.not_valid_before_utc,
            valid_to=valid_to or certificate.not_valid_after_utc,
            public_key=key,
        )

    def to_json(self) -> dict[str, Any]:
        spki = self.public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "kid": _b64(self.kid),
            "usage": str(self.usage),
            "certificate": _b64(self.certificate),
            # WebCrypto imports an SPKI directly; it cannot read a certificate.
            "public_key": _b64(spki),
            "types": sorted(self.types),
            "valid_from": iso(self.valid_from),
            "valid_to": iso(self.valid_to),
        }

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> "TrustEntry":
        try:
            der = _unb64(entry["certificate"])
            built = cls.from_certificate(
                der,
                Usage(entry["usage"]),
                types=[str(t) for t in entry["types"]],
                valid_from=parse_iso(entry["valid_from"]),
                valid_to=parse_iso(entry["valid_to"]),
            )
            if _unb64(entry["kid"]) != built.kid:
                raise TrustListError("the key id does not match the certificate")
        except (KeyError, TypeError, ValueError) as error:
            raise TrustListError("malformed trust list entry") from error
        return built


class TrustList:
    """The entries a verifier trusts, found by usage and key id."""

    def __init__(self, entries: Iterable[TrustEntry] = ()) -> None:
        self.entries: tuple[TrustEntry, ...] = tuple(entries)
        self._index = {(entry.usage, entry.kid): entry for entry in self.entries}

    def find(self, usage: Usage, kid: bytes) -> TrustEntry | None:
        return self._index.get((usage, kid))

    def to_json(self) -> list[dict[str, Any]]:
        return [entry.to_json() for entry in sorted(self.entries, key=lambda e: (e.usage, e.kid))]

    @classmethod
    def from_json(cls, entries: Any) -> "TrustList":
        if not isinstance(entries, list):
            raise TrustListError("a trust list is a list of entries")
        return cls(TrustEntry.from_json(entry) for entry in entries)


def iso(moment: datetime) -> str:
    """UTC, seconds, "Z": the one date-time form our JSON and payloads use."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: Any) -> datetime:
    """An aware datetime from ISO 8601 text; naive text is refused rather than guessed."""
    if not isinstance(text, str):
        raise ValueError("a date-time must be text")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a date-time needs an offset")
    return moment


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise TrustListError("expected base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise TrustListError("not base64") from error
