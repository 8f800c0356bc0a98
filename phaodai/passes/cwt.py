"""CWT claims (RFC 8392) of a pass: issuer, issued-at, expiry, and the claim holding the pass itself."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

from phaodai.passes.codes import CodecError

ISS: Final = 1
EXP: Final = 4
IAT: Final = 6
# EU DCC: claim -260 holds {1: <the DGC>}.
HCERT_CLAIM: Final = -260
HCERT_DGC: Final = 1
# Ours: a private-use claim key (RFC 8392 §9.1 reserves integers below -65536 for private use);
# 84000 for Việt Nam's +84, far from the EU's -260, so a pass is never read as a DCC or the reverse.
PASS_CLAIM: Final = -84000

# Epoch seconds a CWT may carry (years 1970-2200): anything else is malformed, not "far future".
_LAST_SECOND: Final = 7258118400


class Claims(NamedTuple):
    """The standard claims, and the claims with integer labels as decoded (for the private claim)."""

    issuer: str | None
    iat: float  # seconds since the epoch, as the claims carry them
    exp: float
    raw: Mapping[Any, Any]

    def get(self, key: int) -> Any:
        return self.raw.get(key)

    @property
    def issued_at(self) -> datetime:
        return datetime.fromtimestamp(self.iat, tz=UTC)

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.exp, tz=UTC)


def read(claims: Any) -> Claims:
    """The claims of a decoded CWT; CodecError("bad_claims") without a map, iat and exp."""
    if type(claims) is not dict and not isinstance(claims, Mapping):
        raise CodecError("bad_claims")
    # Integer labels only: a boolean key (True == 1 in Python) is not the issuer.
    labelled = {label: value for label, value in claims.items() if type(label) is int}
    issuer, iat, exp = labelled.get(ISS), labelled.get(IAT), labelled.get(EXP)
    if issuer is not None and not isinstance(issuer, str):
        raise CodecError("bad_claims")
    # _instant() written out for the usual integers: this runs for every scan.
    if (
        type(iat) is not int
        or type(exp) is not int
        or not 0 <= iat <= _LAST_SECOND
        or not 0 <= exp <= _LAST_SECOND
    ):
        iat, exp = _instant(iat), _instant(exp)
    return Claims(issuer, iat, exp, labelled)


def build(
    *, issuer: str, issued_at: datetime, expires_at: datetime, claim: int, value: Any
) -> dict[int, Any]:
    return {ISS: issuer, IAT: int(issued_at.timestamp()), EXP: int(expires_at.timestamp()), claim: value}


def _instant(value: Any) -> float:
    # NumericDate may be a float (RFC 8392 §2); booleans and out-of-range numbers are malformed.
    if type(value) not in (int, float) or not 0 <= value <= _LAST_SECOND:
        raise CodecError("bad_claims")
    return value
