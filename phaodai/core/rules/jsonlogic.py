"""The interpreter: apply() and evaluate() walk a rule's JSON, checking only the branches they take."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from phaodai.core.rules import certlogic
from phaodai.core.rules.errors import RuleError
from phaodai.core.rules.operators import ARITIES, MAX_DEPTH, arity_text
from phaodai.core.rules.paths import MISSING, Record, lookup, missing_keys, path_key
from phaodai.core.rules.values import (
    Number,
    contains,
    divide,
    finite,
    js_str,
    less,
    less_or_equal,
    loose_equals,
    merge,
    modulo,
    require_integer,
    require_number,
    strict_equals,
    substring,
    truthy,
)

Op = Callable[[list[Any], Any, Record, int], Any]


@dataclass(frozen=True)
class Evaluation:
    """A rule's result and the value of each data path read while computing it."""

    result: Any
    values: Mapping[str, Any]


def apply(logic: Any, data: Mapping[str, Any] | None = None) -> Any:
    """The value of a JsonLogic rule over `data`."""
    return _eval(logic, data, None, 0)


def evaluate(logic: Any, data: Mapping[str, Any] | None = None) -> Evaluation:
    """The value of a rule over `data`, with the value of each `var` path it actually read."""
    values: dict[str, Any] = {}
    result = _eval(logic, data, values, 0)
    return Evaluation(result, MappingProxyType(values))


def _eval(logic: Any, data: Any, rec: Record, depth: int) -> Any:
    kind = type(logic)
    if kind is dict:
        if len(logic) != 1:
            raise RuleError(f"a rule object needs exactly one operator, got keys {list(logic)[:5]}")
        for op in logic:  # the one key; cheaper than unpacking .items()
            args = logic[op]
        if op == "var" and type(args) is str:
            # The commonest node, {"var": "a.b"}, skips the generic path (same depth check).
            if depth >= MAX_DEPTH:
                raise RuleError(f"rule nested deeper than {MAX_DEPTH} levels")
            if type(data) is dict and args and "." not in args:
                value = data.get(args)
            else:
                value = lookup(data, args)
                value = None if value is MISSING else value
            if rec is not None:
                rec[args] = value
            return value
        entry = _TABLE.get(op)
        if entry is None:
            raise RuleError(f"unknown operator {op!r}")
        depth += 1
        if type(args) is list or isinstance(args, tuple):
            depth += 1
            args = list(args) if type(args) is not list else args
        else:
            args = [args]  # unary sugar: {"var": "a"} is {"var": ["a"]}
        if depth > MAX_DEPTH:
            raise RuleError(f"rule nested deeper than {MAX_DEPTH} levels")
        fn, least, most = entry
        if not least <= len(args) <= most:
            raise RuleError(f"{op!r} takes {arity_text(least, most)} arguments, got {len(args)}")
        try:
            return fn(args, data, rec, depth)
        except RuleError:
            raise
        except (ArithmeticError, ValueError) as error:
            # Overflow, huge-int conversions and bad dates become rule errors naming the operator.
            raise RuleError(f"{op}: {error}") from error
    if kind is str or kind is int or kind is float or kind is bool or logic is None:
        return logic
    if kind is list or isinstance(logic, tuple):
        depth += 1
        if depth > MAX_DEPTH:
            raise RuleError(f"rule nested deeper than {MAX_DEPTH} levels")
        return [_eval(item, data, rec, depth) for item in logic]
    if isinstance(logic, Mapping):
        return _eval(dict(logic), data, rec, depth)
    if isinstance(logic, (str, int, float)):
        return logic
    raise RuleError(f"not a JSON value in a rule: {logic!r}")


# --- data access --------------------------------------------------------------------------------


def _var(args: list[Any], data: Any, rec: Record, depth: int) -> Any:
    key = path_key(args[0] if args else None)
    value = lookup(data, key)
    if value is MISSING:
        value = _eval(args[1], data, rec, depth) if len(args) > 1 else None
    if rec is not None:
        rec[key] = value
    return value


def _missing(args: list[Any], data: Any, rec: Record, depth: int) -> list[Any]:
    keys = [_eval(arg, data, rec, depth) for arg in args]
    # {"missing": {"merge": [...]}} hands over one list; {"missing": ["a", "b"]} lists the keys.
    if keys and isinstance(keys[0], (list, tuple)):
        keys = list(keys[0])
    return missing_keys(keys, data, rec)


def _missing_some(args: list[Any], data: Any, rec: Record, depth: int) -> list[Any]:
    need = require_integer(_eval(args[0], data, rec, depth), "missing_some")
    keys = _eval(args[1], data, rec, depth)
    absent = missing_keys(keys, data, rec)
    return [] if len(keys) - len(absent) >= need else absent


# --- logic and comparison -----------------------------------------------------------------------


def _if(args: list[Any], data: Any, rec: Record, depth: int) -> Any:
    last = len(args) - 1
    i = 0
    while i < last:
        if truthy(_eval(args[i], data, rec, depth)):
            return _eval(args[i + 1], data, rec, depth)
        i += 2
    return _eval(args[last], data, rec, depth) if i == last else None


def _and(args: list[Any], data: Any, rec: Record, depth: int) -> Any:
    value = None
    for arg in args:
        value = _eval(arg, data, rec, depth)
        if not truthy(value):
            return value
    return value


def _or(args: list[Any], data: Any, rec: Record, depth: int) -> Any:
    value = None
    for arg in args:
        value = _eval(arg, data, rec, depth)
        if truthy(value):
            return value
    return value


def _not(args: list[Any], data: Any, rec: Record, depth: int) -> bool:
    return not truthy(_eval(args[0], data, rec, depth))


def _double_not(args: list[Any], data: Any, rec: Record, depth: int) -> bool:
    return truthy(_eval(args[0], data, rec, depth))


def _binary(compare: Callable[[Any, Any], bool]) -> Op:
    def op(args: list[Any], data: Any, rec: Record, depth: int) -> bool:
        return compare(_eval(args[0], data, rec, depth), _eval(args[1], data, rec, depth))

    return op


def _greater(args: list[Any], data: Any, rec: Record, depth: int) -> bool:
    if len(args) == 3:  # CertLogic's ternary form: a > b and b > c
        a, b, c = (_eval(arg, data, rec, depth) for arg in args)
        return less(b, a) and less(c, b)
    return less(_eval(args[1], data, rec, depth), _eval(args[0], data, rec, depth))


def _greater_or_equal(args: list[Any], data: Any, rec: Record, depth: int) -> bool:
    if len(args) == 3:
        a, b, c = (_eval(arg, data, rec, depth) for arg in args)
        return less_or_equal(b, a) and less_or_equal(c, b)
    return less_or_equal(_eval(args[1], data, rec, depth), _eval(args[0], data, rec, depth))


def _chain(compare: Callable[[Any, Any], bool]) -> Op:
    """An operator true when each operand relates to the next (the 3-argument "between" form)."""

    def op(args: list[Any], data: Any, rec: Record, depth: int) -> bool:
        a, b = _eval(args[0], data, rec, depth), _eval(args[1], data, rec, depth)
        if len(args) == 2:
            return compare(a, b)
        c = _eval(args[2], data, rec, depth)  # evaluated even when a < b fails, as in JsonLogic
        return compare(a, b) and compare(b, c)

    return op


# --- arithmetic ---------------------------------------------------------------------------------


def _plus(args: list[Any], data: Any, rec: Record, depth: int) -> Number:
    total: Number = 0
    for arg in args:
        total += require_number(_eval(arg, data, rec, depth), "+")
    return finite(total, "+")


def _times(args: list[Any], data: Any, rec: Record, depth: int) -> Number:
    product: Number = 1
    for arg in args:
        product *= require_number(_eval(arg, data, rec, depth), "*")
    return finite(product, "*")


def _minus(args: list[Any], data: Any, rec: Record, depth: int) -> Number:
    first = require_number(_eval(args[0], data, rec, depth), "-")
    if len(args) == 1:
        return -first
    return finite(first - require_number(_eval(args[1], data, rec, depth), "-"), "-")


def _division(operation: Callable[[Number, Number], Number], name: str) -> Op:
    def op(args: list[Any], data: Any, rec: Record, depth: int) -> Number:
        a = require_number(_eval(args[0], data, rec, depth), name)
        return finite(operation(a, require_number(_eval(args[1], data, rec, depth), name)), name)

    return op


def _extreme(pick: Callable[..., Any], name: str) -> Op:
    def op(args: list[Any], data: Any, rec: Record, depth: int) -> Number:
        return pick(require_number(_eval(arg, data, rec, depth), name) for arg in args)

    return op


# --- strings and lists --------------------------------------------------------------------------


def _in(args: list[Any], data: Any, rec: Record, depth: int) -> bool:
    return contains(_eval(args[0], data, rec, depth), _eval(args[1], data, rec, depth))


def _cat(args: list[Any], data: Any, rec: Record, depth: int) -> str:
    return "".join(js_str(_eval(arg, data, rec, depth)) for arg in args)


def _substr(args: list[Any], data: Any, rec: Record, depth: int) -> str:
    text = js_str(_eval(args[0], data, rec, depth))
    start = require_integer(_eval(args[1], data, rec, depth), "substr")
    length = require_integer(_eval(args[2], data, rec, depth), "substr") if len(args) > 2 else None
    return substring(text, start, length)


def _merge(args: list[Any], data: Any, rec: Record, depth: int) -> list[Any]:
    return merge(_eval(arg, data, rec, depth) for arg in args)


def _items(args: list[Any], data: Any, rec: Record, depth: int) -> list[Any] | tuple[Any, ...]:
    items = _eval(args[0], data, rec, depth)
    return items if isinstance(items, (list, tuple)) else ()


# Per-item logic reads the item, not the data, so it runs with no record (rec=None).
def _map(args: list[Any], data: Any, rec: Record, depth: int) -> list[Any]:
    return [_eval(args[1], item, None, depth) for item in _items(args, data, rec, depth)]


def _filter(args: list[Any], data: Any, rec: Record, depth: int) -> list[Any]:
    return [item for item in _items(args, data, rec, depth) if truthy(_eval(args[1], item, None, depth))]


def _all(args: list[Any], data: Any, rec: Record, depth: int) -> bool:
    items = _items(args, data, rec, depth)
    return len(items) > 0 and all(truthy(_eval(args[1], item, None, depth)) for item in items)


def _some(args: list[Any], data: Any, rec: Record, depth: int) -> bool:
    return any(truthy(_eval(args[1], item, None, depth)) for item in _items(args, data, rec, depth))


def _none(args: list[Any], data: Any, rec: Record, depth: int) -> bool:
    return not _some(args, data, rec, depth)


def _reduce(args: list[Any], data: Any, rec: Record, depth: int) -> Any:
    items = _items(args, data, rec, depth)
    accumulator = _eval(args[2], data, rec, depth) if len(args) > 2 else None
    for item in items:
        accumulator = _eval(args[1], {"current": item, "accumulator": accumulator}, None, depth)
    return accumulator


# --- CertLogic ----------------------------------------------------------------------------------


def _plus_time(args: list[Any], data: Any, rec: Record, depth: int) -> datetime:
    value, amount, unit = (_eval(arg, data, rec, depth) for arg in args)
    return certlogic.plus_time(value, amount, unit)


def _date_chain(name: str, compare: Callable[[datetime, datetime], bool]) -> Op:
    def op(args: list[Any], data: Any, rec: Record, depth: int) -> bool:
        instants = []
        for arg in args:
            value = _eval(arg, data, rec, depth)
            instant = certlogic.as_instant(value)
            if instant is None:
                raise RuleError(f"{name} compares date-times, got {value!r}")
            instants.append(instant)
        return all(compare(a, b) for a, b in pairwise(instants))

    return op


def _date_of_birth(args: list[Any], data: Any, rec: Record, depth: int) -> datetime:
    return certlogic.date_of_birth(_eval(args[0], data, rec, depth))


def _extract_from_uvci(args: list[Any], data: Any, rec: Record, depth: int) -> str | None:
    return certlogic.extract_from_uvci(_eval(args[0], data, rec, depth), _eval(args[1], data, rec, depth))


_IMPLEMENTATIONS: dict[str, Op] = {
    "var": _var,
    "missing": _missing,
    "missing_some": _missing_some,
    "if": _if,
    "?:": _if,
    "==": _binary(loose_equals),
    "===": _binary(strict_equals),
    "!=": _binary(lambda a, b: not loose_equals(a, b)),
    "!==": _binary(lambda a, b: not strict_equals(a, b)),
    "!": _not,
    "!!": _double_not,
    "or": _or,
    "and": _and,
    ">": _greater,
    ">=": _greater_or_equal,
    "<": _chain(less),
    "<=": _chain(less_or_equal),
    "max": _extreme(max, "max"),
    "min": _extreme(min, "min"),
    "+": _plus,
    "-": _minus,
    "*": _times,
    "/": _division(divide, "/"),
    "%": _division(modulo, "%"),
    "in": _in,
    "cat": _cat,
    "substr": _substr,
    "merge": _merge,
    "map": _map,
    "filter": _filter,
    "reduce": _reduce,
    "all": _all,
    "none": _none,
    "some": _some,
    "plusTime": _plus_time,
    "before": _date_chain("before", lambda a, b: a < b),
    "not-before": _date_chain("not-before", lambda a, b: a >= b),
    "after": _date_chain("after", lambda a, b: a > b),
    "not-after": _date_chain("not-after", lambda a, b: a <= b),
    "extractFromUVCI": _extract_from_uvci,
    "dccDateOfBirth": _date_of_birth,
}

# Operator → (function, least arguments, most arguments); arity is checked before the call.
_TABLE: dict[str, tuple[Op, int, int]] = {op: (fn, *ARITIES[op]) for op, fn in _IMPLEMENTATIONS.items()}
