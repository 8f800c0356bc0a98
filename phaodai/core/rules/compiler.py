"""compile_rule(): a rule validated once and turned into nested closures that evaluate it as apply() does."""

import operator
from collections.abc import Callable, Mapping
from typing import Any, Final

from phaodai.core.rules.closures import BUILDERS, NOT_CONSTANT, Builder, Fn, Node, guarded, runs
from phaodai.core.rules.errors import RuleError
from phaodai.core.rules.paths import MISSING, Step, lookup, path_key, steps, walk
from phaodai.core.rules.scan import validate
from phaodai.core.rules.values import less, less_or_equal, loose_equals, strict_equals, truthy

Compare = Callable[[Any, Any], bool]


def compile_rule(logic: Any) -> Callable[[Mapping[str, Any] | None], Any]:
    """A function giving apply(logic, data) for any data, validated once and without re-reading the rule.

    Raises RuleError when validate(logic) would; the function raises what apply would. The rule is
    read now: changing it afterwards does not change the function.
    """
    validate(logic)
    return _compile(logic).run


def _compile(logic: Any) -> Node:
    """The node of a rule validate() accepted, taking the branches apply()'s _eval takes."""
    kind = type(logic)
    if kind is dict:
        for op in logic:  # the one key
            args = logic[op]
        if op == "var" and type(args) is str:
            return _var(args, None, None)
        args = list(args) if type(args) is list or isinstance(args, tuple) else [args]  # unary sugar
        if op == "var":
            key = path_key(args[0] if args else None)
            return _var(key, _compile(args[1]) if len(args) > 1 else None, op)
        return _BUILDERS[op](op, [_compile(arg) for arg in args])
    if kind is str or kind is int or kind is float or kind is bool or logic is None:
        return _constant(logic)
    if kind is list or isinstance(logic, tuple):
        return _list([_compile(item) for item in logic])
    if isinstance(logic, Mapping):
        return _compile(dict(logic))
    return _constant(logic)  # an instance of a str, int or float subclass


def _constant(value: Any) -> Node:
    return Node(lambda data: value, constant=value, boolean=type(value) is bool)


def _list(nodes: list[Node]) -> Node:
    if all(type(node.constant) in _SCALARS for node in nodes):
        values = tuple(node.constant for node in nodes)
        return Node(lambda data: list(values))  # a new list each time, as apply gives
    fns = runs(nodes)
    return Node(lambda data: [fn(data) for fn in fns])


_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


# --- var ----------------------------------------------------------------------------------------


def _var(key: str, default: Node | None, op: str | None) -> Node:
    """{"var": key}, or with op (the form apply renames errors for) {"var": [key, default]}."""
    if not key:
        return Node(_identity)  # "" is the data itself, never missing
    path = steps(key)
    simple = path is not None and "." not in key
    read = _reader(key, path)
    if default is not None:
        run = _or_default(read, default.run)
    elif simple and path is not None:
        run = _get(key, path)
    elif path is not None and len(path) == 2 and path[0][1] is None and path[1][1] is None:
        run = _get_two(path)
    else:
        run = _or_none(read)
    if op is not None:
        run = guarded(op, run)
    return Node(run, key=key if simple and default is None else None, var=default is None)


def _identity(data: Any) -> Any:
    return data


def _reader(key: str, path: tuple[Step, ...] | None) -> Fn:
    """The value at `key` in the data, or MISSING."""
    if path is None:  # an index too long to convert in advance

        def read(data: Any) -> Any:
            return lookup(data, key)

    elif "." in key:

        def read(data: Any) -> Any:
            return walk(data, path)

    else:

        def read(data: Any) -> Any:
            return data.get(key, MISSING) if type(data) is dict else walk(data, path)

    return read


def _get(key: str, path: tuple[Step, ...]) -> Fn:
    def get(data: Any) -> Any:
        if type(data) is dict:
            return data.get(key)
        value = walk(data, path)
        return None if value is MISSING else value

    return get


def _get_two(path: tuple[Step, ...]) -> Fn:
    """{"var": "a.b"} (rules read payload.x and external.y): two dict lookups, else walk()."""
    (outer, _), (inner, _) = path

    def get(data: Any) -> Any:
        if type(data) is dict:
            middle = data.get(outer)
            if type(middle) is dict:
                return middle.get(inner)
        value = walk(data, path)
        return None if value is MISSING else value

    return get


def _or_none(read: Fn) -> Fn:
    def run(data: Any) -> Any:
        value = read(data)
        return None if value is MISSING else value

    return run


def _or_default(read: Fn, default: Fn) -> Fn:
    def run(data: Any) -> Any:
        value = read(data)
        return default(data) if value is MISSING else value

    return run


# --- logic --------------------------------------------------------------------------------------


def _and(op: str, nodes: list[Node]) -> Node:
    fns = runs(nodes)
    if all(node.boolean for node in nodes):  # the deciding operand is then just True or False
        if len(fns) == 1:
            return nodes[0]
        if len(fns) == 2:
            first, second = fns
            return Node(lambda data: first(data) and second(data), boolean=True)

        def run_all(data: Any) -> bool:
            for fn in fns:  # noqa: SIM110 - twice as fast as all() over a generator
                if not fn(data):
                    return False
            return True

        return Node(run_all, boolean=True)

    def run(data: Any) -> Any:
        try:
            value = None
            for fn in fns:
                value = fn(data)
                if not truthy(value):
                    return value
            return value
        except RuleError:
            raise
        except (ArithmeticError, ValueError) as error:
            raise RuleError(f"{op}: {error}") from error

    return Node(run)


def _or(op: str, nodes: list[Node]) -> Node:
    fns = runs(nodes)
    if all(node.boolean for node in nodes):
        if len(fns) == 1:
            return nodes[0]
        if len(fns) == 2:
            first, second = fns
            return Node(lambda data: first(data) or second(data), boolean=True)

        def run_any(data: Any) -> bool:
            for fn in fns:  # noqa: SIM110 - twice as fast as any() over a generator
                if fn(data):
                    return True
            return False

        return Node(run_any, boolean=True)

    def run(data: Any) -> Any:
        try:
            value = None
            for fn in fns:
                value = fn(data)
                if truthy(value):
                    return value
            return value
        except RuleError:
            raise
        except (ArithmeticError, ValueError) as error:
            raise RuleError(f"{op}: {error}") from error

    return Node(run)


def _if(op: str, nodes: list[Node]) -> Node:
    fns = runs(nodes)
    if len(fns) == 3:
        condition, then, otherwise = fns
        test = condition if nodes[0].boolean else lambda data: truthy(condition(data))

        def run(data: Any) -> Any:
            try:
                return then(data) if test(data) else otherwise(data)
            except RuleError:
                raise
            except (ArithmeticError, ValueError) as error:
                raise RuleError(f"{op}: {error}") from error

        return Node(run)
    pairs = tuple((fns[i], fns[i + 1]) for i in range(0, len(fns) - 1, 2))
    last = fns[-1] if len(fns) % 2 else None

    def run_chain(data: Any) -> Any:
        try:
            for condition, branch in pairs:
                if truthy(condition(data)):
                    return branch(data)
            return None if last is None else last(data)
        except RuleError:
            raise
        except (ArithmeticError, ValueError) as error:
            raise RuleError(f"{op}: {error}") from error

    return Node(run_chain)


def _not(op: str, nodes: list[Node]) -> Node:
    fn = nodes[0].run
    if nodes[0].boolean:
        return Node(lambda data: not fn(data), boolean=True)
    return Node(guarded(op, lambda data: not truthy(fn(data))), boolean=True)


def _double_not(op: str, nodes: list[Node]) -> Node:
    if nodes[0].boolean:
        return nodes[0]
    fn = nodes[0].run
    return Node(guarded(op, lambda data: truthy(fn(data))), boolean=True)


# --- comparison ---------------------------------------------------------------------------------

# The values of the first and second arguments → the result, as apply's operators compute it.
_COMPARE: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "==": loose_equals,
    "===": strict_equals,
    "!=": lambda a, b: not loose_equals(a, b),
    "!==": lambda a, b: not strict_equals(a, b),
    "<": less,
    "<=": less_or_equal,
    ">": lambda a, b: less(b, a),
    ">=": lambda a, b: less_or_equal(b, a),
}
# Python's operator, which agrees with the one above when both values are numbers or both strings.
_NATIVE: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "==": operator.eq,
    "===": operator.eq,
    "!=": operator.ne,
    "!==": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
# The operator with its operands swapped: a < b is b > a.
_SWAPPED: Final = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NEGATED: Final = {"==": False, "===": False, "!=": True, "!==": True}  # the equality operators


def _comparison(op: str, nodes: list[Node]) -> Node:
    compare = _COMPARE[op]
    if len(nodes) == 3:
        return _between(op, compare, *runs(nodes))
    left, right = nodes
    if left.key is not None and right.constant is not NOT_CONSTANT:
        return _var_against(op, op, compare, left, right.constant)
    if right.key is not None and left.constant is not NOT_CONSTANT:
        return _var_against(op, _SWAPPED.get(op, op), _flipped(compare), right, left.constant)
    # The same for a path ({"var": "payload.vd"}: rules read the pass and external so), read by run().
    if left.var and right.constant is not NOT_CONSTANT:
        return _var_against(op, op, compare, left, right.constant)
    if right.var and left.constant is not NOT_CONSTANT:
        return _var_against(op, _SWAPPED.get(op, op), _flipped(compare), right, left.constant)
    first, second = left.run, right.run
    if op in (">", ">="):
        # apply evaluates the right operand first: it computes a > b as b < a.
        lesser = less if op == ">" else less_or_equal

        def run_swapped(data: Any) -> bool:
            try:
                b = second(data)
                return lesser(b, first(data))
            except RuleError:
                raise
            except (ArithmeticError, ValueError) as error:
                raise RuleError(f"{op}: {error}") from error

        return Node(run_swapped, boolean=True)

    def run(data: Any) -> bool:
        try:
            a = first(data)
            return compare(a, second(data))
        except RuleError:
            raise
        except (ArithmeticError, ValueError) as error:
            raise RuleError(f"{op}: {error}") from error

    return Node(run, boolean=True)


def _between(op: str, compare: Callable[[Any, Any], bool], first: Fn, second: Fn, third: Fn) -> Node:
    def run(data: Any) -> bool:
        try:
            a, b, c = first(data), second(data), third(data)  # all three, as apply does
            return compare(a, b) and compare(b, c)
        except RuleError:
            raise
        except (ArithmeticError, ValueError) as error:
            raise RuleError(f"{op}: {error}") from error

    return Node(run, boolean=True)


def _flipped(compare: Compare) -> Compare:
    return lambda value, constant: compare(constant, value)


def _var_against(op: str, relation: str, compare: Compare, var: Node, constant: Any) -> Node:
    """{op: [{"var": key}, constant]} or the reverse: a dict lookup, and Python's operator on like types.

    `relation` is `op` as if the var came first, for Python's operator; `compare(value, constant)`
    is apply's comparison, operands in their written order; `op` names the operator in errors.
    A constant cannot fail, so apply's evaluation order (right operand first for > and >=) does not
    matter here; the var is read (a key on a dict directly, a path by its run) inside the same try.
    """
    key, read, kind = var.key, var.run, type(constant)  # key None: a path, always read by read()
    if relation in _NEGATED and (constant is None or kind is bool):
        # None equals only None and a boolean only itself, with or without ===.
        return Node(_identical(op, key, read, constant, negated=_NEGATED[relation]), boolean=True)
    native = _NATIVE[relation]
    if kind is int or kind is float:
        return Node(_against_number(op, key, read, constant, native, compare), boolean=True)
    if kind is str:
        return Node(_against_text(op, key, read, constant, native, compare), boolean=True)
    return Node(_against(op, key, read, constant, compare), boolean=True)


def _identical(op: str, key: str | None, read: Fn, constant: Any, *, negated: bool) -> Fn:
    def run(data: Any) -> bool:
        try:
            value = data.get(key) if type(data) is dict and key is not None else read(data)
        except RuleError:
            raise
        except (ArithmeticError, ValueError) as error:
            raise RuleError(f"{op}: {error}") from error
        return value is not constant if negated else value is constant

    return run


def _against_number(
    op: str, key: str | None, read: Fn, number: float, native: Callable[[Any, Any], bool], compare: Compare
) -> Fn:
    def run(data: Any) -> bool:
        try:
            value = data.get(key) if type(data) is dict and key is not None else read(data)
            kind = type(value)
            if kind is int or kind is float:
                return native(value, number)
            return compare(value, number)
        except RuleError:
            raise
        except (ArithmeticError, ValueError) as error:
            raise RuleError(f"{op}: {error}") from error

    return run


def _against_text(
    op: str, key: str | None, read: Fn, text: str, native: Callable[[Any, Any], bool], compare: Compare
) -> Fn:
    def run(data: Any) -> bool:
        try:
            value = data.get(key) if type(data) is dict and key is not None else read(data)
            if type(value) is str:
                return native(value, text)
            return compare(value, text)
        except RuleError:
            raise
        except (ArithmeticError, ValueError) as error:
            raise RuleError(f"{op}: {error}") from error

    return run


def _against(op: str, key: str | None, read: Fn, constant: Any, compare: Compare) -> Fn:
    def run(data: Any) -> bool:
        try:
            return compare(data.get(key) if type(data) is dict and key is not None else read(data), constant)
        except RuleError:
            raise
        except (ArithmeticError, ValueError) as error:
            raise RuleError(f"{op}: {error}") from error

    return run


_BUILDERS: Final[dict[str, Builder]] = {
    **BUILDERS,
    "if": _if,
    "?:": _if,
    "and": _and,
    "or": _or,
    "!": _not,
    "!!": _double_not,
    **dict.fromkeys(_COMPARE, _comparison),
}
