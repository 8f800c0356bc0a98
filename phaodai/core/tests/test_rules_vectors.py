"""The shared test vectors: the Python engine gives every recorded answer, through apply and compile_rule.

The same vectors run against the JavaScript twin in tests/browser/test_verifier_js.py, so the offline
verifier and the server decide alike. The vectors come from phaodai/core/rules/vectors/cases.json
through generate.py; a failure here means the engine changed (regenerate and review the diff) or
engine.json was edited by hand.
"""

import json
from datetime import datetime
from typing import Any

import pytest

from phaodai.core.rules import OPERATORS, RuleError, apply, compile_rule
from phaodai.core.rules.vectors.generate import CASES, VECTORS, build, render

VECTOR_LIST: list[dict[str, Any]] = json.loads(VECTORS.read_text(encoding="utf-8"))
CASE_LIST: list[dict[str, Any]] = json.loads(CASES.read_text(encoding="utf-8"))


def as_json(value: Any) -> Any:
    """A result as the vectors record it: a date-time as {"$datetime": isoformat}."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    return value


def same(a: Any, b: Any) -> bool:
    """Equal as JSON values: true is not 1, 1 is 1.0, lists and objects by content."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    return type(a) is type(b) and a == b


def check(vector: dict[str, Any], compute: Any) -> None:
    if vector.get("error"):
        with pytest.raises(RuleError):
            compute()
    else:
        result = as_json(compute())
        assert same(result, vector["expected"]), f"{vector['name']}: got {result!r}"


@pytest.mark.parametrize("vector", VECTOR_LIST, ids=[vector["name"] for vector in VECTOR_LIST])
def test_apply_gives_the_recorded_answer(vector):
    check(vector, lambda: apply(vector["rule"], vector["data"]))


@pytest.mark.parametrize("vector", VECTOR_LIST, ids=[vector["name"] for vector in VECTOR_LIST])
def test_compile_rule_gives_the_recorded_answer_or_refuses_an_invalid_rule(vector):
    if vector.get("invalid"):
        # validate() refuses the rule, so compile_rule does too, even where apply never reaches the fault
        with pytest.raises(RuleError):
            compile_rule(vector["rule"])
    else:
        compiled = compile_rule(vector["rule"])
        check(vector, lambda: compiled(vector["data"]))


def test_the_vectors_are_generated_from_the_cases_as_they_stand():
    # given the cases file, when the generator runs again, then it writes engine.json unchanged
    assert render(build(CASE_LIST)) == VECTORS.read_text(encoding="utf-8")


def test_every_operator_has_vectors_and_so_do_errors():
    used = {op for vector in VECTOR_LIST for op in _operators(vector["rule"])}
    assert used >= OPERATORS, f"operators without a vector: {sorted(OPERATORS - used)}"
    assert sum(1 for vector in VECTOR_LIST if vector.get("error")) >= 100
    assert sum(1 for vector in VECTOR_LIST if "$datetime" in json.dumps(vector.get("expected"))) >= 50


def _operators(rule: Any) -> set[str]:
    if isinstance(rule, list):
        return set().union(*map(_operators, rule)) if rule else set()
    if isinstance(rule, dict):
        return set(rule).union(*map(_operators, rule.values()))
    return set()
