"""One check at a checkpoint: verify the pass and the health declaration, then run the bundle's rules.

Pure Python (no Django), shared by the server's verification endpoint and `passes verify`; the
offline page does the same in JavaScript. The steps:

1. The pass code is verified against the trust list (codec.verify). Until its signature holds,
   nothing in it is used: the answer is "denied" with the codec's code. An authentic EU HC1
   certificate is no pass here ("not_a_pass"). An authentic pass that fails a later step (expired,
   key usage) is denied with that code, its holder still shown.
2. The declaration code, when given, is verified the same way; only a valid declaration (every
   step, type "declaration") becomes external.declaration, else it is null and
   `declaration_error` says why.
3. The rules of the pass's type (and General) valid at the clock run over the data of
   docs/decisions/0023; the pass is allowed when none fails and at least one applied ("no_rules"
   otherwise: a bundle whose rules have all lapsed lets nobody through). Notes are the applicable
   rules whose Logic is exactly true (they only carry their description, e.g. transit "no stop").
"""

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from phaodai.passes.codec import Verification, verify
from phaodai.passes.codes import MESSAGES
from phaodai.passes.rules import RuleOutcome, RuleSet
from phaodai.passes.trust import TrustList, Usage

ALLOWED: Final = "allowed"
DENIED: Final = "denied"
DECLARATION: Final = "declaration"
# At most this many unit codes describe where a checkpoint stands (its side's path, the other side's).
MAX_UNITS: Final = 5


def note_identifiers(rules: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """The rules that only carry a message: their Logic is exactly true."""
    return frozenset(str(rule.get("Identifier")) for rule in rules if rule.get("Logic") is True)


def checkpoint_facts(kind: str, code: str, unit_paths: Iterable[str]) -> dict[str, Any]:
    """external.checkpoint: the kind, the code and the unit codes on the paths of its sides, in order.

    "/01/004/00139/" and "/01/004/00133/" give ["01", "004", "00139", "00133"].
    """
    units: list[str] = []
    for path in unit_paths:
        for unit_code in (path or "").strip("/").split("/"):
            if unit_code and unit_code not in units:
                units.append(unit_code)
    return {"kind": kind, "code": code, "units": units[:MAX_UNITS]}


@dataclass(frozen=True)
class Check:
    """The answer to one scan; `error` is the code that denied it before the rules, if any."""

    decision: str
    error: str | None = None
    payload: Mapping[str, Any] | None = None
    failed: tuple[RuleOutcome, ...] = ()
    notes: tuple[RuleOutcome, ...] = ()
    declaration_error: str | None = None
    bundle_version: int | None = None
    verification: Verification | None = field(default=None, repr=False, compare=False)

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    @property
    def pass_id(self) -> str | None:
        return _text(self.payload, "id")

    @property
    def pass_type(self) -> str | None:
        return _text(self.payload, "t")

    @property
    def plate(self) -> str | None:
        return _text(self.payload, "pl")

    def holder(self) -> dict[str, Any] | None:
        """What the officer compares with the person's ID card; None for an unreadable code."""
        if self.payload is None:
            return None
        return {
            "name": self.payload.get("n"),
            "birth_year": self.payload.get("yb"),
            "cccd_masked": self.payload.get("cc"),
        }

    def failed_rule_ids(self) -> list[str]:
        """What the crossing log stores as failed: the rules, or the code that denied before them."""
        if self.error is not None:
            return [self.error]
        return [outcome.identifier for outcome in self.failed]

    def reasons(self, language: str, message: Callable[[str], str]) -> list[dict[str, str]]:
        """Why it was denied, each as {"rule", "description"} in `language` (`message` words a code)."""
        if self.error is not None:
            return [{"rule": self.error, "description": message(self.error)}]
        return [{"rule": o.identifier, "description": o.description(language)} for o in self.failed]

    def as_json(
        self, language: str = "en", message: Callable[[str], str] = MESSAGES.__getitem__
    ) -> dict[str, Any]:
        """The decision as the API and the command line print it."""
        return {
            "decision": self.decision,
            "error": None if self.error is None else {"code": self.error, "message": message(self.error)},
            "reasons": self.reasons(language, message),
            "notes": [{"rule": o.identifier, "description": o.description(language)} for o in self.notes],
            "holder": self.holder(),
            "plate": self.plate,
            "pass_type": self.pass_type,
            "pass_id": self.pass_id,
            "bundle_version": self.bundle_version,
            "declaration_error": (
                None
                if self.declaration_error is None
                else {"code": self.declaration_error, "message": message(self.declaration_error)}
            ),
        }


def check(
    code: str,
    declaration: str | None,
    *,
    trust: TrustList,
    rules: RuleSet,
    notes: Collection[str],
    checkpoint: Mapping[str, Any],
    clock: datetime,
    bundle_version: int | None = None,
) -> Check:
    """Verify `code` (and `declaration`) at `clock` and decide with `rules` at `checkpoint`; never raises."""
    verified = verify(code, trust, clock)
    if verified.signature_ok is not True:
        return Check(DENIED, verified.error, bundle_version=bundle_version, verification=verified)
    if verified.usage != Usage.PASS or verified.payload is None:
        error = verified.error if verified.payload is None else "not_a_pass"
        return Check(DENIED, error or "not_a_pass", bundle_version=bundle_version, verification=verified)
    payload = verified.payload
    if not verified.ok:
        return Check(DENIED, verified.error, payload, bundle_version=bundle_version, verification=verified)
    declared, declaration_error = _declaration(declaration, trust, clock)
    decision = rules.evaluate(
        payload, pass_type=str(payload["t"]), clock=clock, checkpoint=checkpoint, declaration=declared
    )
    if not decision.passed and not decision.failed:
        return Check(
            DENIED, "no_rules", payload, declaration_error=declaration_error,
            bundle_version=bundle_version, verification=verified,
        )  # fmt: skip
    return Check(
        ALLOWED if decision.allowed else DENIED,
        None,
        payload,
        failed=decision.failed,
        notes=tuple(o for o in decision.passed if o.identifier in notes),
        declaration_error=declaration_error,
        bundle_version=bundle_version,
        verification=verified,
    )


def _declaration(
    text: str | None, trust: TrustList, clock: datetime
) -> tuple[dict[str, Any] | None, str | None]:
    """The declaration's map if it is fully valid, else (None, why); (None, None) when none was shown."""
    if text is None or text == "":
        return None, None
    verified = verify(text, trust, clock)
    if not verified.ok or verified.payload is None:
        return None, verified.error or "bad_payload"
    if verified.usage != Usage.PASS or verified.payload.get("t") != DECLARATION:
        return None, "not_a_declaration"
    return verified.payload, None


def _text(payload: Mapping[str, Any] | None, key: str) -> str | None:
    value = None if payload is None else payload.get(key)
    return value if isinstance(value, str) else None
