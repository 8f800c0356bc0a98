"""Pass rules: CertLogic rules (the EU rule fields) chosen by pass type and date, and evaluated on a pass.

Pure Python (no Django), the same on the server, in the bench and, through its JS twin, on the
device. Each rule is evaluated with the core engine over the data CertLogic rules expect:

    {"payload": <the pass map (PD1) or the DGC (HC1)>,
     "external": {"validationClock": "...Z", "localDate": "YYYY-MM-DD", "localTime": "HH:MM",
                  "checkpoint": {"kind", "code", "units"}, "valueSets": {...},
                  "declaration": <the holder's verified health declaration map, or null>}}

A rule passes only when it gives exactly true; false, any other value and an engine error all fail it
(an error is reported, never raised).
"""

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Final, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from phaodai.core.rules import RuleError, compile_rule
from phaodai.passes.trust import iso, parse_iso

RULE_FIELDS: Final = (
    "Identifier",
    "Type",
    "Version",
    "CertificateType",
    "ValidFrom",
    "ValidTo",
    "AffectedFields",
    "Description",
    "Logic",
)
RULE_TYPES: Final = frozenset({"Acceptance", "Invalidation"})
GENERAL: Final = "General"
# HC1 certificates are typed by the DGC they hold, as EU rules name them.
HCERT_TYPES: Final = {"v": "Vaccination", "t": "Test", "r": "Recovery"}
_VERSION = re.compile(r"\d{1,4}\.\d{1,4}\.\d{1,4}")
_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class RuleDefinitionError(ValueError):
    """A rule whose fields are missing, mistyped or whose logic the engine refuses."""


def check_rule(rule: Mapping[str, Any]) -> None:
    """Raise RuleDefinitionError unless `rule` has the CertLogic rule fields, well typed, and valid logic."""
    missing = [name for name in RULE_FIELDS if name not in rule]
    if missing:
        raise RuleDefinitionError(f"missing rule fields: {', '.join(missing)}")
    if not isinstance(rule["Identifier"], str) or not _IDENTIFIER.fullmatch(rule["Identifier"]):
        raise RuleDefinitionError("Identifier: 1-64 letters, digits, '.', '_' or '-'")
    if rule["Type"] not in RULE_TYPES:
        raise RuleDefinitionError("Type must be Acceptance or Invalidation")
    if not isinstance(rule["Version"], str) or not _VERSION.fullmatch(rule["Version"]):
        raise RuleDefinitionError("Version must look like 1.0.0")
    if not isinstance(rule["CertificateType"], str) or not rule["CertificateType"]:
        raise RuleDefinitionError("CertificateType must name a pass type or General")
    try:
        valid_from, valid_to = parse_iso(rule["ValidFrom"]), parse_iso(rule["ValidTo"])
    except ValueError as error:
        raise RuleDefinitionError(
            "ValidFrom and ValidTo must be ISO 8601 date-times with an offset"
        ) from error
    if valid_to <= valid_from:
        raise RuleDefinitionError("ValidTo must be after ValidFrom")
    fields = rule["AffectedFields"]
    if not isinstance(fields, list) or not all(isinstance(name, str) for name in fields):
        raise RuleDefinitionError("AffectedFields must be a list of field names")
    descriptions = rule["Description"]
    if not isinstance(descriptions, list) or not all(
        isinstance(d, Mapping) and isinstance(d.get("lang"), str) and isinstance(d.get("desc"), str)
        for d in descriptions
    ):
        raise RuleDefinitionError('Description must be a list of {"lang", "desc"}')
    try:
        compile_rule(rule["Logic"])
    except RuleError as error:
        raise RuleDefinitionError(f"Logic: {error}") from error


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


class RuleOutcome(NamedTuple):
    """One rule's verdict on a pass and what to show when it failed (a tuple: one per rule per scan)."""

    identifier: str
    version: str
    passed: bool
    descriptions: Mapping[str, str]
    error: str | None = None

    def description(self, language: str) -> str:
        return self.descriptions.get(language) or self.descriptions.get("en") or self.identifier


class Decision(NamedTuple):
    """Every rule that applied, split into passed and failed; a pass is allowed when none failed.

    A tuple, as RuleOutcome: one is built per scan, and a frozen dataclass costs several times more.
    """

    passed: tuple[RuleOutcome, ...]
    failed: tuple[RuleOutcome, ...]

    @property
    def allowed(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class _Compiled:
    rule: Mapping[str, Any]
    valid_from: datetime
    valid_to: datetime
    run: Callable[[Mapping[str, Any]], Any] | None
    compile_error: str | None
    descriptions: Mapping[str, str]

    @cached_property
    def outcomes(self) -> tuple[RuleOutcome, RuleOutcome]:
        """The verdicts without an engine error, (failed, passed): built once, shared by every scan."""
        identifier = str(self.rule.get("Identifier", "?"))
        version = str(self.rule.get("Version", ""))
        return (
            RuleOutcome(identifier, version, False, self.descriptions, self.compile_error),
            RuleOutcome(identifier, version, True, self.descriptions),
        )


# The applicable rules, and for each its function and its two verdicts (failed, passed).
_Step = tuple[Callable[[Mapping[str, Any]], Any] | None, RuleOutcome, RuleOutcome]
# ... and the decisions already given, by which of the rules passed (bit i: the i-th rule).
_Plan = tuple[tuple[_Compiled, ...], tuple[_Step, ...], dict[int, "Decision"]]


_HELD_DECISIONS: Final = 256  # per plan: far more than the verdicts a bundle's rules give in practice


class RuleSet:
    """A bundle's rules compiled once, evaluated on many passes."""

    def __init__(
        self, rules: Sequence[Mapping[str, Any]], value_sets: Mapping[str, Any], timezone: str
    ) -> None:
        self.value_sets = dict(value_sets)
        try:
            self.zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise RuleDefinitionError(f"unknown time zone {timezone!r}") from error
        self._by_type: dict[str, list[_Compiled]] = {}
        # A device scans many passes at about the same clock: keep the last answers per clock.
        self._applicable: dict[tuple[str, datetime], _Plan] = {}
        self._held_external: tuple[Any, ...] | None = None
        for rule in rules:
            try:
                check_rule(rule)
            except RuleDefinitionError as error:
                # A bundle is signed, so this is our own mistake: the rule fails loudly, never silently.
                compiled = _Compiled(rule, datetime.min, datetime.max, None, str(error), {})
                self._by_type.setdefault(str(rule.get("CertificateType", GENERAL)), []).append(compiled)
                continue
            compiled = _Compiled(
                rule=rule,
                valid_from=parse_iso(rule["ValidFrom"]),
                valid_to=parse_iso(rule["ValidTo"]),
                run=compile_rule(rule["Logic"]),
                compile_error=None,
                descriptions={d["lang"]: d["desc"] for d in rule["Description"]},
            )
            self._by_type.setdefault(rule["CertificateType"], []).append(compiled)

    def applicable(self, pass_type: str, clock: datetime) -> list[_Compiled]:
        """The rules for this type (and General) valid at `clock`, only the highest version of each."""
        return list(self._plan(pass_type, clock)[0])

    def _plan(self, pass_type: str, clock: datetime) -> _Plan:
        """applicable(), and each rule as (run, failed, passed) for evaluate: kept per type and clock."""
        memo = (pass_type, clock)
        plan = self._applicable.get(memo)
        if plan is None:
            if len(self._applicable) > 64:
                self._applicable.clear()
            chosen = tuple(self._choose(pass_type, clock))
            steps = tuple((compiled.run, *compiled.outcomes) for compiled in chosen)
            plan = self._applicable[memo] = (chosen, steps, {})
        return plan

    def _choose(self, pass_type: str, clock: datetime) -> list[_Compiled]:
        chosen: dict[str, _Compiled] = {}
        for compiled in (*self._by_type.get(pass_type, ()), *self._by_type.get(GENERAL, ())):
            if compiled.run is not None and not compiled.valid_from <= clock <= compiled.valid_to:
                continue
            identifier = str(compiled.rule.get("Identifier", "?"))
            held = chosen.get(identifier)
            if held is None or _version(compiled) > _version(held):
                chosen[identifier] = compiled
        return sorted(chosen.values(), key=lambda c: str(c.rule.get("Identifier", "")))

    def evaluate(
        self,
        payload: Mapping[str, Any],
        *,
        pass_type: str,
        clock: datetime,
        checkpoint: Mapping[str, Any] | None = None,
        declaration: Mapping[str, Any] | None = None,
    ) -> Decision:
        """Run every applicable rule on the pass; an engine error fails the rule and is reported.

        `declaration` is the map of the holder's health declaration, a second code scanned with the
        pass and verified (signature, expiry) by the caller; rules read it as external.declaration.
        """
        # The held external map and plan are looked up here, not through a call each: this runs for
        # every scan (bench/passes_verify.py).
        held = self._held_external
        if held is not None and held[0] == clock and held[1] == checkpoint and held[2] == declaration:
            external = held[3]
        else:
            external = self._external(clock, checkpoint, declaration)
        plan = self._applicable.get((pass_type, clock)) or self._plan(pass_type, clock)
        data = {"payload": payload, "external": external}
        passed = 0  # bit i set: the i-th rule gave exactly true (a rule passes only then)
        errors: dict[int, RuleOutcome] | None = None
        bit = 1
        for run, refusal, _approval in plan[1]:
            if run is not None:
                try:
                    if run(data) is True:
                        passed |= bit
                except RuleError as error:
                    errors = errors or {}
                    errors[bit] = refusal._replace(error=str(error))
            bit <<= 1
        if errors is not None:
            return _decision(plan[1], passed, errors)
        # Scans mostly end in the same few decisions: each is built once per plan.
        decision = plan[2].get(passed)
        if decision is None:
            decision = _decision(plan[1], passed, {})
            if len(plan[2]) < _HELD_DECISIONS:
                plan[2][passed] = decision
        return decision

    def _external(
        self,
        clock: datetime,
        checkpoint: Mapping[str, Any] | None,
        declaration: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        """The `external` data, rebuilt only when the clock, the checkpoint or the declaration changes.

        A device scans many passes at one clock and one checkpoint; rules only read this map, and
        checkpoint and declaration are copied (a caller changing its own map later changes nothing
        here, and the next scan with a changed map is not answered from the held one).
        """
        held = self._held_external
        if held is not None and held[0] == clock and held[1] == checkpoint and held[2] == declaration:
            return held[3]
        local = clock.astimezone(self.zone)
        external = {
            "validationClock": iso(clock),
            "localDate": local.strftime("%Y-%m-%d"),
            "localTime": local.strftime("%H:%M"),
            "checkpoint": copy.deepcopy(dict(checkpoint or {})),
            "valueSets": self.value_sets,
            "declaration": copy.deepcopy(dict(declaration)) if declaration is not None else None,
        }
        self._held_external = (
            clock,
            copy.deepcopy(dict(checkpoint)) if checkpoint is not None else None,
            copy.deepcopy(dict(declaration)) if declaration is not None else None,
            external,
        )
        return external


def _version(compiled: _Compiled) -> tuple[int, ...]:
    try:
        return version_key(str(compiled.rule.get("Version", "0.0.0")))
    except ValueError:
        return (-1,)


def _decision(steps: tuple[_Step, ...], passed: int, errors: Mapping[int, RuleOutcome]) -> Decision:
    """The Decision of the rules `steps` when those whose bit is set in `passed` passed."""
    approved: list[RuleOutcome] = []
    refused: list[RuleOutcome] = []
    for i, (_run, refusal, approval) in enumerate(steps):
        bit = 1 << i
        if passed & bit:
            approved.append(approval)
        else:
            refused.append(errors.get(bit, refusal))  # a compile error rides on the refusal already
    return Decision(tuple(approved), tuple(refused))
