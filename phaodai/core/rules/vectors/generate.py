"""Fill in the rules engine's test vectors from the Python engine: cases.json in, engine.json out.

Run `python -m phaodai.core.rules.vectors.generate` after changing cases.json (or the engine), review
the diff of engine.json, and commit both; `--check` only reports whether engine.json is up to date.
Each case is {"name", "rule", "data"} (and an optional "note"); each vector adds what
`phaodai.core.rules.apply` gives: "expected" (a date-time as {"$datetime": its isoformat()}) or
"error": true for a RuleError, and "invalid": true when `validate` refuses the rule, so that
`compile_rule` raises for it even though `apply` may not (apply checks only the branches it takes).

A case is refused, naming it, when both sides could not agree on it through JSON: a result that is
not JSON (NaN, infinity), an integer beyond ±2^53, an exception other than RuleError, or an answer
that changes when integral floats are read as integers (JavaScript's JSON.parse reads 1.0 as 1).
"""

import argparse
import json
import math
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from phaodai.core.rules import RuleError, apply, validate

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases.json"
VECTORS = HERE / "engine.json"
SAFE_INTEGER = 2**53 - 1


class UnsharedCase(ValueError):
    """A case whose answer the JavaScript twin could not see the same way through JSON."""


def encode(value: Any) -> Any:
    """A result as JSON: date-times tagged, anything JSON cannot carry refused."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        if abs(value) > SAFE_INTEGER:
            raise UnsharedCase(f"an integer beyond 2^53: {value}")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnsharedCase(f"a result JSON cannot carry: {value!r}")
        return value
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    raise UnsharedCase(f"a result that is not JSON: {value!r}")


def as_javascript_reads(value: Any) -> Any:
    """The value as JSON.parse gives it: integral floats become integers."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= SAFE_INTEGER:
        return int(value)
    if isinstance(value, list):
        return [as_javascript_reads(item) for item in value]
    if isinstance(value, dict):
        return {key: as_javascript_reads(item) for key, item in value.items()}
    return value


def _integers(value: Any) -> Iterator[int]:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _integers(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _integers(item)


def outcome(rule: Any, data: Any) -> dict[str, Any]:
    """{"expected": ...} or {"error": True}, as apply gives it."""
    try:
        return {"expected": encode(apply(rule, data))}
    except RuleError:
        return {"error": True}
    except UnsharedCase:
        raise
    except Exception as error:  # the engine promises RuleError for every rule it cannot evaluate
        raise UnsharedCase(f"apply raised {type(error).__name__}: {error}") from error


def vector(case: dict[str, Any]) -> dict[str, Any]:
    """One case with the Python engine's answer added."""
    name, rule, data = case["name"], case["rule"], case.get("data")
    try:
        if any(abs(number) > SAFE_INTEGER for number in _integers([rule, data])):
            raise UnsharedCase("an integer beyond 2^53 in the rule or data")
        result = outcome(rule, data)
        if outcome(as_javascript_reads(rule), as_javascript_reads(data)) != result:
            raise UnsharedCase("the answer changes when integral floats are read as integers")
    except UnsharedCase as problem:
        raise UnsharedCase(f"case {name!r}: {problem}") from None
    built: dict[str, Any] = {"name": name, "rule": rule, "data": data, **result}
    try:
        validate(rule)
    except RuleError:
        built["invalid"] = True
    if "note" in case:
        built["note"] = case["note"]
    return built


def build(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = [case["name"] for case in cases]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise UnsharedCase(f"case names used twice: {', '.join(duplicates)}")
    return [vector(case) for case in cases]


def render(vectors: list[dict[str, Any]]) -> str:
    """One vector per line, so a change in the engine shows as a readable diff."""
    lines = ",\n".join("  " + json.dumps(item, ensure_ascii=True) for item in vectors)
    return f"[\n{lines}\n]\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether engine.json is up to date")
    args = parser.parse_args(argv)
    try:
        text = render(build(json.loads(CASES.read_text(encoding="utf-8"))))
    except UnsharedCase as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    current = VECTORS.read_text(encoding="utf-8") if VECTORS.exists() else ""
    if args.check:
        if text != current:
            print(f"{VECTORS.name} is out of date: run python -m phaodai.core.rules.vectors.generate")
            return 1
        return 0
    VECTORS.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10)) - 2} vectors to {VECTORS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
