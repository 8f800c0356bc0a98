"""Rule bundles: what a checkpoint device needs offline, signed so it can tell a good one.

A bundle is a JSON object (format, scope, version, issued_at, not_after, timezone, trust_list,
value_sets, rules). It travels as {"bundle": {...}, "kid": <base64>, "sig": <base64 r||s>}, the
signature ES256 over canonical(bundle): the UTF-8 of the JSON with keys sorted, no spaces and no
ASCII escaping (Python's json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False);
a JavaScript verifier rebuilds the same text with a sorted-key stringify). To keep that text the
same in both languages, numbers are integers or short decimals (no exponent, no 2.0).

A device keeps the last good bundle: accept() takes a newer one only if a bundle signer it
already trusts signed it, its version is higher, and the device's clock is not before its
issued_at; past its not_after it still works, with a warning.
"""

import base64
import binascii
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric import ec

from phaodai.passes import cose
from phaodai.passes.codes import MESSAGES, CodecError
from phaodai.passes.trust import TrustList, TrustListError, Usage, iso, parse_iso

FORMAT: Final = "phaodai-bundle/1"
CLOCK_SKEW: Final = timedelta(minutes=5)
_KEYS: Final = frozenset(
    {"format", "scope", "version", "issued_at", "not_after", "timezone", "trust_list", "value_sets", "rules"}
)
_MAX_DEPTH: Final = 64


def canonical(bundle: Mapping[str, Any]) -> bytes:
    """The bytes a bundle's signature covers."""
    _check_json(bundle, 0)
    return json.dumps(bundle, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _check_json(value: Any, depth: int) -> None:
    """Refuse what would print differently in JavaScript or is not JSON at all."""
    if depth > _MAX_DEPTH:
        raise ValueError("bundle nested too deeply")
    if isinstance(value, float):
        text = repr(value)
        if not math.isfinite(value) or value.is_integer() or "e" in text:
            raise ValueError("bundle numbers must be integers or short decimals")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError("bundle keys must be text")
            _check_json(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_json(item, depth + 1)
    elif not (value is None or isinstance(value, (str, int, bool))):
        raise ValueError(f"not a JSON value in a bundle: {type(value).__name__}")


def sign(bundle: Mapping[str, Any], *, private_key: ec.EllipticCurvePrivateKey, kid: bytes) -> dict[str, Any]:
    """The signed document a device downloads."""
    signature = cose.raw_es256(private_key, canonical(bundle))
    return {"bundle": dict(bundle), "kid": _b64(kid), "sig": _b64(signature)}


@dataclass(frozen=True)
class Bundle:
    """A bundle whose signature checked out, its fields read."""

    content: Mapping[str, Any] = field(repr=False)
    scope: str
    version: int
    issued_at: datetime
    not_after: datetime
    trust: TrustList = field(repr=False)
    signed_by: bytes

    @property
    def rules(self) -> list[dict[str, Any]]:
        return list(self.content["rules"])

    @property
    def value_sets(self) -> dict[str, Any]:
        return dict(self.content["value_sets"])

    @property
    def timezone(self) -> str:
        return str(self.content["timezone"])


def open_signed(document: Any, anchors: TrustList) -> Bundle:
    """The bundle in a signed document, if a bundle signer among `anchors` signed it; CodecError otherwise.

    The signature is checked before any field of the bundle is read.
    """
    if not isinstance(document, Mapping) or not isinstance(document.get("bundle"), Mapping):
        raise CodecError("bad_bundle")
    try:
        kid, signature = _unb64(document.get("kid")), _unb64(document.get("sig"))
        message = canonical(document["bundle"])
    except ValueError:
        raise CodecError("bad_bundle") from None
    entry = anchors.find(Usage.BUNDLE, kid)
    key = entry.public_key if entry is not None else None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not cose.verify_raw_es256(key, signature, message):
        raise CodecError("bundle_bad_signature")
    return _read(document["bundle"], kid)


def _read(content: Mapping[str, Any], kid: bytes) -> Bundle:
    try:
        if set(content) != _KEYS or content["format"] != FORMAT:
            raise ValueError("unknown bundle format")
        version = content["version"]
        if type(version) is not int or version < 1:
            raise ValueError("bad version")
        if not isinstance(content["scope"], str) or not isinstance(content["timezone"], str):
            raise ValueError("bad scope or timezone")
        if not isinstance(content["rules"], list) or not isinstance(content["value_sets"], Mapping):
            raise ValueError("bad rules or value sets")
        return Bundle(
            content=content,
            scope=content["scope"],
            version=version,
            issued_at=parse_iso(content["issued_at"]),
            not_after=parse_iso(content["not_after"]),
            trust=TrustList.from_json(content["trust_list"]),
            signed_by=kid,
        )
    except (TrustListError, ValueError, TypeError, KeyError):
        raise CodecError("bad_bundle") from None


@dataclass(frozen=True)
class Acceptance:
    """A device's answer to an offered bundle: take it or keep the one held, and why."""

    accepted: bool
    bundle: Bundle | None
    error: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def message(self) -> str | None:
        return None if self.error is None else MESSAGES[self.error]


def accept(held: Bundle | None, offered: Any, *, clock: datetime, anchors: TrustList) -> Acceptance:
    """Whether a device holding `held` (and trusting `anchors`) takes `offered` at its clock."""
    trusted = TrustList([*anchors.entries, *(held.trust.entries if held is not None else ())])
    try:
        bundle = open_signed(offered, trusted)
    except CodecError as error:
        return Acceptance(False, held, error.code)
    if clock + CLOCK_SKEW < bundle.issued_at:
        return Acceptance(False, held, "device_time_invalid")
    if held is not None and bundle.scope == held.scope and bundle.version <= held.version:
        return Acceptance(False, held, "older_version")
    return Acceptance(True, bundle, None, warnings(bundle, clock))


def warnings(bundle: Bundle, clock: datetime) -> tuple[str, ...]:
    """What a device shows about the bundle it holds: its clock behind the bundle, or the bundle stale."""
    if clock + CLOCK_SKEW < bundle.issued_at:
        return ("device_time_invalid",)
    if clock > bundle.not_after:
        return ("past_not_after",)
    return ()


def build(
    *,
    scope: str,
    version: int,
    issued_at: datetime,
    not_after: datetime,
    timezone: str,
    trust: TrustList,
    value_sets: Mapping[str, Any],
    rules: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """A bundle's content, ready to sign."""
    return {
        "format": FORMAT,
        "scope": scope,
        "version": version,
        "issued_at": iso(issued_at),
        "not_after": iso(not_after),
        "timezone": timezone,
        "trust_list": trust.to_json(),
        "value_sets": dict(value_sets),
        "rules": [dict(rule) for rule in rules],
    }


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise ValueError("not base64") from error
