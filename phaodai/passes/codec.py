"""Signed pass codes: `PD1:` (ours) and `HC1:` (EU DCC) = prefix + Base45(zlib(COSE_Sign1(CWT))).

verify() walks the steps in order and records each one's outcome; a step not reached stays None:

    prefix_ok  base45_ok  zlib_ok  cose_ok  signature_ok  |  expiry_ok  payload  key_usage_ok

Up to the signature, the first failure stops the walk: nothing inside the envelope is read before
the signature is known to be good. After it, the remaining checks all run (an expired but authentic
pass is still shown to the officer), and `error` names the first failure. Every step is bounded:
the code's length, the inflated size, CBOR nesting (cbor2's own limit) and the payload's depth.
"""

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric import ec

from phaodai.passes import base45, cbor, cose, cwt
from phaodai.passes.codes import MESSAGES, CodecError
from phaodai.passes.payload import PassPayload, PayloadError, check_map
from phaodai.passes.trust import TrustEntry, TrustList, Usage

PASS_PREFIX: Final = "PD1:"  # noqa: S105 - a code prefix, not a password
HCERT_PREFIX: Final = "HC1:"
PREFIXES: Final = {PASS_PREFIX: Usage.PASS, HCERT_PREFIX: Usage.HCERT}
# A version-40 QR code holds 4,296 alphanumeric characters; twice that is no pass.
MAX_CODE_CHARS: Final = 8192
# Our passes inflate to well under 1 KiB and EU certificates to 1-2 KiB.
MAX_INFLATED_BYTES: Final = 16384
# How far in the future an issued-at may be before the device's clock (or the pass) is suspect.
CLOCK_SKEW: Final = timedelta(minutes=5)
_SKEW_SECONDS: Final = CLOCK_SKEW.total_seconds()
_MAX_DEPTH: Final = 16
STEPS: Final = ("prefix_ok", "base45_ok", "zlib_ok", "cose_ok", "signature_ok", "expiry_ok", "key_usage_ok")


@dataclass(slots=True)  # one per scan
class Verification:
    """The outcome of each step (None: not reached), the payload once authentic, the first error."""

    prefix_ok: bool | None = None
    base45_ok: bool | None = None
    zlib_ok: bool | None = None
    cose_ok: bool | None = None
    signature_ok: bool | None = None
    expiry_ok: bool | None = None
    key_usage_ok: bool | None = None
    payload: dict[str, Any] | None = None
    error: str | None = None
    usage: Usage | None = None
    kid: bytes | None = None
    claims: cwt.Claims | None = None

    @property
    def issuer(self) -> str | None:
        return None if self.claims is None else self.claims.issuer

    @property
    def issued_at(self) -> datetime | None:
        return None if self.claims is None else self.claims.issued_at

    @property
    def expires_at(self) -> datetime | None:
        return None if self.claims is None else self.claims.expires_at

    @property
    def pass_payload(self) -> PassPayload | None:
        """Our pass as an object (read on demand: the verifier's path needs only the checked map)."""
        if self.usage != Usage.PASS or self.payload is None:
            return None
        return PassPayload.from_map(self.payload)

    @property
    def ok(self) -> bool:
        # Spelled out (not a loop over STEPS): it is asked once per scan.
        return (
            self.error is None
            and self.prefix_ok is True
            and self.base45_ok is True
            and self.zlib_ok is True
            and self.cose_ok is True
            and self.signature_ok is True
            and self.expiry_ok is True
            and self.key_usage_ok is True
        )

    @property
    def message(self) -> str | None:
        return None if self.error is None else MESSAGES[self.error]

    def report(self) -> dict[str, Any]:
        """The nine keys of `phaodai passes verify-hcert`; `error` is {"code", "message"} or null."""
        out: dict[str, Any] = {step: getattr(self, step) for step in STEPS}
        out["payload"] = self.payload
        out["error"] = None if self.error is None else {"code": self.error, "message": self.message}
        return out

    def fail(self, step: str, code: str) -> None:
        setattr(self, step, False)
        if self.error is None:
            self.error = code


def verify(text: str, trust: TrustList, clock: datetime) -> Verification:
    """Check a scanned code against a trust list at `clock`; never raises for any text.

    Written as one pass over the steps with the outcome built once at the end (it runs for every
    scan, and bench/passes_verify.py measures it): `reached` is the step under way when a step up to
    the signature refuses the code, and `_refused` marks the steps before it passed and it failed.
    """
    if not isinstance(text, str) or len(text) > MAX_CODE_CHARS:
        return Verification(error="too_long")
    usage = PREFIXES.get(text[:4])
    if usage is None:
        return Verification(prefix_ok=False, error="bad_prefix")
    reached = _BASE45
    try:
        compressed = base45.decode(text[4:])
        reached = _ZLIB
        envelope = inflate(compressed)
        reached = _COSE
        sign1 = cose.parse(envelope)
        reached = _SIGNATURE
        entry = trust.find(usage, sign1.kid)
        if entry is None:
            raise CodecError("unknown_kid")
        entry.check(sign1)  # cose.verify with the entry's key
    except base45.Base45Error:
        return _refused(usage, reached, "bad_base45", None)
    except CodecError as error:
        return _refused(usage, reached, error.code, sign1.kid if reached == _SIGNATURE else None)
    return _read_contents(sign1, entry, clock, usage)


# The steps up to the signature, as their places in STEPS.
_BASE45, _ZLIB, _COSE, _SIGNATURE = 1, 2, 3, 4


def _refused(usage: Usage, reached: int, code: str, kid: bytes | None) -> Verification:
    """The outcome of a code refused at step `reached`: the steps before it passed, later ones not reached."""
    out = Verification(error=code, usage=usage, kid=kid)
    for step in STEPS[:reached]:
        setattr(out, step, True)
    setattr(out, STEPS[reached], False)
    return out


def inflate(data: bytes) -> bytes:
    """zlib-inflate at most MAX_INFLATED_BYTES; a truncated, trailing or oversized stream is refused."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_INFLATED_BYTES)
    except zlib.error:
        raise CodecError("bad_zlib") from None
    if inflater.unconsumed_tail or (len(out) >= MAX_INFLATED_BYTES and not inflater.eof):
        raise CodecError("inflated_too_large")
    if not inflater.eof or inflater.unused_data:
        raise CodecError("bad_zlib")
    return out


def _read_contents(sign1: cose.Sign1, entry: TrustEntry, clock: datetime, usage: Usage) -> Verification:
    """Steps after the signature: claims and expiry, then the payload, then key usage."""
    try:
        claims = cwt.read(cbor.decode_whole(sign1.payload, "bad_claims"))
    except CodecError as refusal:
        return Verification(True, True, True, True, True, error=refusal.code, usage=usage, kid=sign1.kid)
    expiry: str | None = None  # why the dates refuse the pass, if they do
    now = clock.timestamp()  # compared with the claims' epoch seconds as they are
    if clock < entry.valid_from:
        expiry = "signer_not_yet_valid"
    elif clock > entry.valid_to:
        expiry = "signer_expired"
    elif claims.iat > now + _SKEW_SECONDS:
        expiry = "not_yet_valid"
    elif now > claims.exp:
        expiry = "expired"
    try:
        if entry.usage is Usage.PASS:  # our pass, read here rather than in a helper: every scan comes here
            raw: Any = claims.raw.get(cwt.PASS_CLAIM)
            kind: str = check_map(raw)
            # check_map accepted exactly a map to_map could have written: the map itself is the payload.
            payload = dict(raw)
        else:
            kind, payload = _read_hcert(claims)
    except (PayloadError, CodecError):
        return Verification(
            True,
            True,
            True,
            True,
            True,
            expiry is None,
            None,
            None,
            expiry or "bad_payload",
            usage,
            sign1.kid,
            claims,
        )
    usage_ok = kind in entry.types
    first = expiry or (None if usage_ok else "key_usage")
    return Verification(
        True, True, True, True, True, expiry is None, usage_ok, payload, first, usage, sign1.kid, claims
    )


def _read_hcert(claims: cwt.Claims) -> tuple[str, dict[str, Any]]:
    """The DGC in claim -260/1; exactly one of v (vaccination), t (test), r (recovery), one entry."""
    hcert = claims.get(cwt.HCERT_CLAIM)
    dgc = hcert.get(cwt.HCERT_DGC) if isinstance(hcert, Mapping) else None
    plain = as_json(dgc)
    if not isinstance(plain, dict):
        raise PayloadError("no DGC in the certificate")
    kinds = [kind for kind in ("v", "t", "r") if kind in plain]
    if len(kinds) != 1 or not isinstance(plain[kinds[0]], list) or len(plain[kinds[0]]) != 1:
        raise PayloadError("a DGC holds exactly one vaccination, test or recovery")
    return kinds[0], plain


def as_json(value: Any, depth: int = 0) -> Any:
    """`value` if it is plain JSON (text-keyed maps, lists, text, numbers, booleans, null), bounded in depth.

    CBOR can carry dates, sets, bignums, shared (even cyclic) references: none of them belongs in a
    payload, and the depth bound also stops a cycle.
    """
    if depth > _MAX_DEPTH:
        raise PayloadError("payload nested too deeply")
    if value is None or type(value) in (str, bool, int, float):
        return value
    if isinstance(value, (list, tuple)):
        return [as_json(item, depth + 1) for item in value]
    if isinstance(value, Mapping) and all(type(key) is str for key in value):
        return {key: as_json(item, depth + 1) for key, item in value.items()}
    raise PayloadError("payload holds a value that is not plain JSON")


def encode_pass(
    payload: PassPayload,
    *,
    private_key: ec.EllipticCurvePrivateKey,
    kid: bytes,
    issuer: str,
    issued_at: datetime,
) -> str:
    """The `PD1:` code of a pass, signed ES256; it expires when the pass does."""
    claims = cwt.build(
        issuer=issuer,
        issued_at=issued_at,
        expires_at=payload.valid_to,
        claim=cwt.PASS_CLAIM,
        value=payload.to_map(),
    )
    envelope = cose.sign_es256(private_key, kid, cbor.encode(claims))
    return PASS_PREFIX + base45.encode(zlib.compress(envelope, 9))
