"""Compiled-rule nodes and the closures compile_rule builds for missing, arithmetic, text, lists and dates."""

import operator
from collections.abc import Callable
from datetime import datetime
from itertools import pairwise
from typing import Any, Final, NamedTuple

from phaodai.core.rules import certlogic
from phaodai.core.rules.errors import RuleError
from phaodai.core.rules.paths import missing_keys
from phaodai.core.rules.values import (
    Number,
    contains,
    divide,
    finite,
    js_str,
    merge,
    modulo,
    require_integer,
    require_number,
    substring,
    truthy,
)

Fn = Callable[[Any], Any]

NOT_CONSTANT: Final = object()


class Node(NamedTuple):
    """A compiled rule or argument: its function of the data, and what is known of it in advance."""

    run: Fn
    constant: Any = NOT_CONSTANT  # the value of a literal
    boolean: bool = False  # always gives True or False (and raises nothing apply would rename)
    key: str | None = None  # a plain {"var": key}: on a dict, its value is data.get(key)
    var: bool = False  # a {"var": path} without a default (its value is run(data))
    instant: "Fn | None" = None  # plusTime by zero of what this function gives (how rules read a date)


Builder = Callable[[str, list[Node]], Node]


def guarded(op: str, run: Fn) -> Fn:
    """`run` raising RuleError naming `op` for arithmetic and value errors, as apply's operators do."""

    def guarded_run(data: Any) -> Any:
        try:
            return run(data)
        except RuleError:
            raise
        except (ArithmeticError, ValueError) as error:
            raise RuleError(f"{op}: {error}") from error

    return guarded_run


def runs(nodes: list[Node]) -> tuple[Fn, ...]:
    return tuple(node.run for node in nodes)


# --- missing ------------------------------------------------------------------------------------


def missing(op: str, nodes: list[Node]) -> Node:
    fns = runs(nodes)

    def run(data: Any) -> list[Any]:
        keys = [fn(data) for fn in fns]
        if keys and isinstance(keys[0], (list, tuple)):
            keys = list(keys[0])
        return missing_keys(keys, data, None)

    return Node(guarded(op, run))


def missing_some(op: str, nodes: list[Node]) -> Node:
    need_fn, keys_fn = runs(nodes)

    def run(data: Any) -> list[Any]:
        need = require_integer(need_fn(data), "missing_some")
        keys = keys_fn(data)
        absent = missing_keys(keys, data, None)
        return [] if len(keys) - len(absent) >= need else absent

    return Node(guarded(op, run))


# --- arithmetic ---------------------------------------------------------------------------------


def plus(op: str, nodes: list[Node]) -> Node:
    fns = runs(nodes)

    def run(data: Any) -> Number:
        total: Number = 0
        for fn in fns:
            total += require_number(fn(data), "+")
        return finite(total, "+")

    return Node(guarded(op, run))


def times(op: str, nodes: list[Node]) -> Node:
    fns = runs(nodes)

    def run(data: Any) -> Number:
        product: Number = 1
        for fn in fns:
            product *= require_number(fn(data), "*")
        return finite(product, "*")

    return Node(guarded(op, run))


def minus(op: str, nodes: list[Node]) -> Node:
    fns = runs(nodes)
    first_fn = fns[0]
    if len(fns) == 1:
        return Node(guarded(op, lambda data: -require_number(first_fn(data), "-")))
    second_fn = fns[1]

    def run(data: Any) -> Number:
        first = require_number(first_fn(data), "-")
        return finite(first - require_number(second_fn(data), "-"), "-")

    return Node(guarded(op, run))


def _division(operation: Callable[[Number, Number], Number], name: str) -> Builder:
    def build(op: str, nodes: list[Node]) -> Node:
        a_fn, b_fn = runs(nodes)

        def run(data: Any) -> Number:
            a = require_number(a_fn(data), name)
            return finite(operation(a, require_number(b_fn(data), name)), name)

        return Node(guarded(op, run))

    return build


def _extreme(pick: Callable[..., Any], name: str) -> Builder:
    def build(op: str, nodes: list[Node]) -> Node:
        fns = runs(nodes)
        return Node(guarded(op, lambda data: pick(require_number(fn(data), name) for fn in fns)))

    return build


# --- strings and lists --------------------------------------------------------------------------


def in_(op: str, nodes: list[Node]) -> Node:
    needle_fn, haystack_fn = runs(nodes)
    return Node(guarded(op, lambda data: contains(needle_fn(data), haystack_fn(data))), boolean=True)


def cat(op: str, nodes: list[Node]) -> Node:
    fns = runs(nodes)
    return Node(guarded(op, lambda data: "".join(js_str(fn(data)) for fn in fns)))


def substr(op: str, nodes: list[Node]) -> Node:
    fns = runs(nodes)
    text_fn, start_fn, length_fn = fns[0], fns[1], fns[2] if len(fns) > 2 else None

    def run(data: Any) -> str:
        text = js_str(text_fn(data))
        start = require_integer(start_fn(data), "substr")
        length = None if length_fn is None else require_integer(length_fn(data), "substr")
        return substring(text, start, length)

    return Node(guarded(op, run))


def merge_(op: str, nodes: list[Node]) -> Node:
    fns = runs(nodes)
    return Node(guarded(op, lambda data: merge(fn(data) for fn in fns)))


# Per-item logic (the second argument) runs on each item of the first argument's list.


def _items(fn: Fn) -> Callable[[Any], list[Any] | tuple[Any, ...]]:
    def items(data: Any) -> list[Any] | tuple[Any, ...]:
        value = fn(data)
        return value if isinstance(value, (list, tuple)) else ()

    return items


def map_(op: str, nodes: list[Node]) -> Node:
    items, body = _items(nodes[0].run), nodes[1].run
    return Node(guarded(op, lambda data: [body(item) for item in items(data)]))


def filter_(op: str, nodes: list[Node]) -> Node:
    items, body = _items(nodes[0].run), nodes[1].run
    return Node(guarded(op, lambda data: [item for item in items(data) if truthy(body(item))]))


def all_(op: str, nodes: list[Node]) -> Node:
    items_of, body = _items(nodes[0].run), nodes[1].run

    def run(data: Any) -> bool:
        items = items_of(data)
        return len(items) > 0 and all(truthy(body(item)) for item in items)

    return Node(guarded(op, run), boolean=True)


def some(op: str, nodes: list[Node]) -> Node:
    items, body = _items(nodes[0].run), nodes[1].run
    return Node(guarded(op, lambda data: any(truthy(body(item)) for item in items(data))), boolean=True)


def none(op: str, nodes: list[Node]) -> Node:
    items, body = _items(nodes[0].run), nodes[1].run
    return Node(guarded(op, lambda data: not any(truthy(body(item)) for item in items(data))), boolean=True)


def reduce(op: str, nodes: list[Node]) -> Node:
    items_of, body = _items(nodes[0].run), nodes[1].run
    initial = nodes[2].run if len(nodes) > 2 else None

    def run(data: Any) -> Any:
        items = items_of(data)
        accumulator = None if initial is None else initial(data)
        for item in items:
            accumulator = body({"current": item, "accumulator": accumulator})
        return accumulator

    return Node(guarded(op, run))


# --- CertLogic ----------------------------------------------------------------------------------


def plus_time(op: str, nodes: list[Node]) -> Node:
    fns = runs(nodes)
    amount, unit = nodes[1].constant, nodes[2].constant
    if amount == 0 and type(amount) is int and unit in certlogic.TIME_UNITS:
        # The usual way rules read a date-time: {"plusTime": [{"var": ...}, 0, "day"]}.
        return Node(guarded(op, _read_instant(fns[0])), instant=fns[0])

    def run(data: Any) -> datetime:
        value, amount, unit = (fn(data) for fn in fns)
        return certlogic.plus_time(value, amount, unit)

    return Node(guarded(op, run))


def _read_instant(value_fn: Fn) -> Fn:
    """plusTime by zero of what value_fn gives: certlogic.plus_time(value, 0, unit) without its checks."""

    def run(data: Any) -> datetime:
        value = value_fn(data)
        if type(value) is str:
            return certlogic.parse_datetime(value)  # already cut to milliseconds
        return certlogic.plus_time(value, 0, "day")

    return run


def _date_chain(name: str, compare: Callable[[datetime, datetime], bool]) -> Builder:
    def build(op: str, nodes: list[Node]) -> Node:
        fns = runs(nodes)
        if len(fns) == 2 and nodes[0].instant is not None and nodes[1].instant is not None:
            return Node(_instant_pair(op, name, compare, nodes[0].instant, nodes[1].instant), boolean=True)
        if len(fns) == 2:
            return Node(guarded(op, _date_pair(name, compare, *fns)), boolean=True)

        def run(data: Any) -> bool:
            instants = []
            for fn in fns:
                value = fn(data)
                instant = certlogic.as_instant(value)
                if instant is None:
                    raise RuleError(f"{name} compares date-times, got {value!r}")
                instants.append(instant)
            return all(compare(a, b) for a, b in pairwise(instants))

        return Node(guarded(op, run), boolean=True)

    return build


def _date_pair(name: str, compare: Callable[[datetime, datetime], bool], first: Fn, second: Fn) -> Fn:
    """The two-operand chain (nearly every rule's), without the list and the pairs."""

    def run(data: Any) -> bool:
        a = first(data)
        x = a if type(a) is datetime and a.tzinfo is not None else certlogic.as_instant(a)
        if x is None:
            raise RuleError(f"{name} compares date-times, got {a!r}")
        b = second(data)
        y = b if type(b) is datetime and b.tzinfo is not None else certlogic.as_instant(b)
        if y is None:
            raise RuleError(f"{name} compares date-times, got {b!r}")
        return compare(x, y)

    return run


def _instant_pair(
    op: str, name: str, compare: Callable[[datetime, datetime], bool], first: Fn, second: Fn
) -> Fn:
    """{name: [{"plusTime": [a, 0, unit]}, {"plusTime": [b, 0, unit]}]} (how rules compare dates) in one
    closure: guarded(op, _date_pair(...)) over two guarded("plusTime", _read_instant(...)), with the
    same order of evaluation and the same errors, without the six calls between them.
    """

    def run(data: Any) -> bool:
        try:
            x = _instant_or_error(name, first, data)
            return compare(x, _instant_or_error(name, second, data))
        except RuleError:
            raise
        except (ArithmeticError, ValueError) as error:
            raise RuleError(f"{op}: {error}") from error

    return run


def _instant_or_error(name: str, value_fn: Fn, data: Any) -> datetime:
    """What _date_pair makes of guarded("plusTime", _read_instant(value_fn)) on the data."""
    try:
        value = value_fn(data)
        instant = (
            certlogic.parse_datetime(value) if type(value) is str else certlogic.plus_time(value, 0, "day")
        )
    except RuleError:
        raise
    except (ArithmeticError, ValueError) as error:
        raise RuleError(f"plusTime: {error}") from error
    if type(instant) is datetime and instant.tzinfo is not None:
        return instant
    checked = certlogic.as_instant(instant)
    if checked is None:
        raise RuleError(f"{name} compares date-times, got {instant!r}")
    return checked


def date_of_birth(op: str, nodes: list[Node]) -> Node:
    value_fn = nodes[0].run
    return Node(guarded(op, lambda data: certlogic.date_of_birth(value_fn(data))))


def extract_from_uvci(op: str, nodes: list[Node]) -> Node:
    uvci_fn, index_fn = runs(nodes)
    return Node(guarded(op, lambda data: certlogic.extract_from_uvci(uvci_fn(data), index_fn(data))))


# Operator → builder of its closure from its compiled arguments (compiler.py adds the others).
BUILDERS: Final[dict[str, Builder]] = {
    "missing": missing,
    "missing_some": missing_some,
    "max": _extreme(max, "max"),
    "min": _extreme(min, "min"),
    "+": plus,
    "-": minus,
    "*": times,
    "/": _division(divide, "/"),
    "%": _division(modulo, "%"),
    "in": in_,
    "cat": cat,
    "substr": substr,
    "merge": merge_,
    "map": map_,
    "filter": filter_,
    "reduce": reduce,
    "all": all_,
    "none": none,
    "some": some,
    "plusTime": plus_time,
    "before": _date_chain("before", operator.lt),
    "not-before": _date_chain("not-before", operator.ge),
    "after": _date_chain("after", operator.gt),
    "not-after": _date_chain("not-after", operator.le),
    "extractFromUVCI": extract_from_uvci,
    "dccDateOfBirth": date_of_birth,
}
