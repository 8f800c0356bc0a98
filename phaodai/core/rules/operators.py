"""The operators a rule may use, the number of arguments each takes, and the nesting limit."""

from typing import Final

MAX_DEPTH: Final = 64

MANY: Final = 1 << 30

# Operator → (least arguments, most arguments); the interpreter and the compiler implement each one.
ARITIES: Final[dict[str, tuple[int, int]]] = {
    "var": (0, 2),
    "missing": (0, MANY),
    "missing_some": (2, 2),
    "if": (2, MANY),
    "?:": (3, 3),
    "==": (2, 2),
    "===": (2, 2),
    "!=": (2, 2),
    "!==": (2, 2),
    "!": (1, 1),
    "!!": (1, 1),
    "or": (1, MANY),
    "and": (1, MANY),
    ">": (2, 3),
    ">=": (2, 3),
    "<": (2, 3),
    "<=": (2, 3),
    "max": (1, MANY),
    "min": (1, MANY),
    "+": (1, MANY),
    "-": (1, 2),
    "*": (1, MANY),
    "/": (2, 2),
    "%": (2, 2),
    "in": (2, 2),
    "cat": (0, MANY),
    "substr": (2, 3),
    "merge": (0, MANY),
    "map": (2, 2),
    "filter": (2, 2),
    "reduce": (2, 3),
    "all": (2, 2),
    "none": (2, 2),
    "some": (2, 2),
    "plusTime": (3, 3),
    "before": (2, 3),
    "not-before": (2, 3),
    "after": (2, 3),
    "not-after": (2, 3),
    "extractFromUVCI": (2, 2),
    "dccDateOfBirth": (1, 1),
}

OPERATORS: Final[frozenset[str]] = frozenset(ARITIES)

# Operators whose second argument runs once per item of the first, reading the item.
PER_ITEM: Final = frozenset({"map", "filter", "reduce", "all", "none", "some"})


def arity_text(least: int, most: int) -> str:
    """How many arguments an operator takes, as an error message says it."""
    if least == most:
        return str(least)
    return f"at least {least}" if most == MANY else f"{least} to {most}"
