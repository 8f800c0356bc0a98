"""Static checks on a rule's text: its shape (validate) and the data paths it reads (variables)."""

from collections.abc import Collection, Mapping
from typing import Any

from phaodai.core.rules.errors import RuleError
from phaodai.core.rules.operators import ARITIES, MAX_DEPTH, PER_ITEM, arity_text
from phaodai.core.rules.paths import path_key


class _Scan:
    """One walk over a rule's text, checking its shape and collecting the data paths it reads."""

    def __init__(self) -> None:
        self.paths: set[str] = set()
        self.computed_keys = False

    def unpack(self, node: Any, depth: int) -> tuple[str, list[Any], int]:
        if len(node) != 1:
            raise RuleError(f"a rule object needs exactly one operator, got keys {list(node)[:5]}")
        [(op, args)] = node.items()
        if op not in ARITIES:
            raise RuleError(f"unknown operator {op!r}")
        depth += 1
        if isinstance(args, (list, tuple)):
            depth, args = depth + 1, list(args)
        else:
            args = [args]
        if depth > MAX_DEPTH:
            raise RuleError(f"rule nested deeper than {MAX_DEPTH} levels")
        least, most = ARITIES[op]
        if not least <= len(args) <= most:
            raise RuleError(f"{op!r} takes {arity_text(least, most)} arguments, got {len(args)}")
        return op, args, depth

    def logic(self, node: Any, depth: int, per_item: bool) -> None:
        if isinstance(node, Mapping):
            op, args, depth = self.unpack(node, depth)
            if op == "var":
                key = path_key(args[0] if args else None)
                if not per_item:
                    self.paths.add(key)
                args = args[1:]
            elif op == "missing":
                for arg in args:
                    self.keys(arg, depth, per_item)
                return
            elif op == "missing_some":
                self.logic(args[0], depth, per_item)
                self.keys(args[1], depth, per_item)
                return
            elif op in PER_ITEM:
                self.logic(args[1], depth, True)
                args = [args[0], *args[2:]]
            for arg in args:
                self.logic(arg, depth, per_item)
        elif isinstance(node, (list, tuple)):
            self.nest(depth)
            for item in node:
                self.logic(item, depth + 1, per_item)
        elif not (node is None or isinstance(node, (str, int, float))):
            raise RuleError(f"not a JSON value in a rule: {node!r}")

    def keys(self, node: Any, depth: int, per_item: bool) -> None:
        """Walk an argument of missing/missing_some, whose strings are data paths."""
        if not isinstance(node, (list, tuple, Mapping)):
            key = path_key(node)  # the same literal check evaluation makes
            if not per_item:
                self.paths.add(key)
        elif isinstance(node, (list, tuple)):
            self.nest(depth)
            for item in node:
                self.keys(item, depth + 1, per_item)
        elif isinstance(node, Mapping) and next(iter(node), None) in ("merge", "if", "?:"):
            op, args, depth = self.unpack(node, depth)
            for i, arg in enumerate(args):
                # In if/?:, even positions before the last are conditions; the rest are branches.
                is_condition = op != "merge" and i % 2 == 0 and i < len(args) - 1
                (self.logic if is_condition else self.keys)(arg, depth, per_item)
        else:
            self.logic(node, depth, per_item)
            self.computed_keys = self.computed_keys or not per_item

    @staticmethod
    def nest(depth: int) -> None:
        if depth + 1 > MAX_DEPTH:
            raise RuleError(f"rule nested deeper than {MAX_DEPTH} levels")


def variables(logic: Any) -> frozenset[str]:
    """Every data path the rule may read, found without running it (bar missing keys computed from data)."""
    scan = _Scan()
    scan.logic(logic, 0, False)
    return frozenset(scan.paths)


def validate(logic: Any, *, allowed_vars: Collection[str] | None = None) -> None:
    """Raise RuleError unless every operator is known with a valid arity and every path is allowed."""
    scan = _Scan()
    scan.logic(logic, 0, False)
    if allowed_vars is None:
        return
    unknown = sorted(scan.paths.difference(allowed_vars))
    if unknown:
        raise RuleError(f"unknown variables: {', '.join(unknown)}")
    if scan.computed_keys:
        raise RuleError("missing keys computed from data cannot be checked against the allowed variables")
