"""How rule values behave: truthiness, equality, ordering, number coercion, text and arithmetic."""

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from phaodai.core.rules import certlogic
from phaodai.core.rules.errors import RuleError

# Python's whitespace (str.isspace, which int() and float() strip) less the separators \x1c-\x1f that
# int() refuses and JavaScript's Number() does not skip; digits are ASCII only, as in JavaScript.
_SPACE = "[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*"
_INTEGER = re.compile(rf"{_SPACE}[+-]?[0-9]+{_SPACE}")
_DECIMAL = re.compile(rf"{_SPACE}[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?{_SPACE}")

Number = int | float


def truthy(value: Any) -> bool:
    """JsonLogic's truthiness: JavaScript's, except that an empty list is false."""
    if value is True:
        return True
    if value is False or value is None:
        return False
    kind = type(value)
    if kind is int:
        return value != 0
    if kind is str or kind is list:
        return len(value) > 0
    if kind is float:
        return value != 0 and value == value  # NaN is false
    if isinstance(value, (str, list, tuple)):
        return len(value) > 0
    if isinstance(value, (int, float, Decimal)):
        return value != 0 and value == value
    return True  # objects and date-times, as in JavaScript


def as_number(value: Any) -> Number | None:
    """The number a value stands for (a number, a numeric string or a Decimal), or None."""
    kind = type(value)
    if kind is int or kind is float:
        return value
    if kind is bool or value is None:
        return None
    if isinstance(value, str):
        if _INTEGER.fullmatch(value):
            return int(value)
        return float(value) if _DECIMAL.fullmatch(value) else None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (int, float)):
        return value
    return None


def require_number(value: Any, op: str) -> Number:
    """The finite number a value stands for; RuleError naming `op` otherwise ("1e999" is out of range)."""
    number = as_number(value)
    if number is None:
        raise RuleError(f"{op}: {value!r} is not a number")
    return finite(number, op)


def finite(number: Number, op: str) -> Number:
    """`number` itself; RuleError naming `op` when it is infinite or NaN (a result out of range)."""
    if type(number) is float and not math.isfinite(number):
        raise RuleError(f"{op}: {number!r} is out of range")
    return number


def require_integer(value: Any, op: str) -> int:
    """The finite number a value stands for, truncated to an integer; RuleError naming `op` otherwise."""
    number = require_number(value, op)
    if isinstance(number, float) and not math.isfinite(number):
        raise RuleError(f"{op}: {value!r} is not a finite number")
    return int(number)


def _ordered(a: Any, b: Any) -> tuple[Any, Any] | None:
    """The pair to compare with < for a and b, or None when they have no order."""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a, b
    if ta is str and tb is str:
        return a, b
    if ta is bool or tb is bool or a is None or b is None:
        return None
    if isinstance(a, date) or isinstance(b, date):
        x, y = certlogic.as_instant(a), certlogic.as_instant(b)
        return None if x is None or y is None else (x, y)
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    p, q = as_number(a), as_number(b)
    return None if p is None or q is None else (p, q)


def less(a: Any, b: Any) -> bool:
    """JsonLogic's a < b: false whenever the two have no order."""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a < b
    pair = _ordered(a, b)
    return pair is not None and pair[0] < pair[1]


def less_or_equal(a: Any, b: Any) -> bool:
    """JsonLogic's a <= b: false whenever the two have no order."""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a <= b
    pair = _ordered(a, b)
    return pair is not None and pair[0] <= pair[1]


def strict_equals(a: Any, b: Any) -> bool:
    """JsonLogic's ===: no conversion between types, except among ints, floats and Decimals."""
    ta, tb = type(a), type(b)
    if ta is tb and (ta is str or ta is int or ta is float or ta is bool):
        return a == b
    if a is None or b is None:
        return a is b
    if ta is bool or tb is bool:
        return False
    if isinstance(a, (int, float, Decimal)) and isinstance(b, (int, float, Decimal)):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, date) and isinstance(b, date):
        return certlogic.as_instant(a) == certlogic.as_instant(b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(map(strict_equals, a, b))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(strict_equals(a[key], b[key]) for key in a)
    return False


def loose_equals(a: Any, b: Any) -> bool:
    """JsonLogic's ==: numeric strings equal numbers and ISO strings equal date-times, never booleans."""
    ta, tb = type(a), type(b)
    if ta is tb and (ta is str or ta is int or ta is float or ta is bool):
        return a == b
    if a is None or b is None or ta is bool or tb is bool:
        return a is b
    if isinstance(a, str) != isinstance(b, str):
        text, other = (a, b) if isinstance(a, str) else (b, a)
        if isinstance(other, date):
            return certlogic.as_instant(text) == certlogic.as_instant(other)
        number, parsed = as_number(other), as_number(text)
        return number is not None and parsed is not None and number == parsed
    return strict_equals(a, b)


def contains(needle: Any, haystack: Any) -> bool:
    """JsonLogic's in: a substring of a string, or an item (by ===) of a list."""
    if isinstance(haystack, str):
        return isinstance(needle, str) and needle in haystack
    if isinstance(haystack, (list, tuple)):
        kind = type(needle)
        if kind is str:  # === never converts, so only text equals text: Python's own `in` answers
            return needle in haystack
        if kind is int:  # as strict_equals: any number of the same value, never a boolean
            if needle not in haystack:
                return False
            # Only 0 and 1 equal a boolean (False, True): any other match is a number.
            return needle not in (0, 1) or any(type(item) is not bool and item == needle for item in haystack)
        return any(strict_equals(needle, item) for item in haystack)
    return False


def js_str(value: Any) -> str:
    """The text JavaScript's String() gives for a JSON value (used by cat and substr)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (float, Decimal)):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return _js_number_text(number)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ",".join("" if item is None else js_str(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    return "[object Object]"


def _js_number_text(number: float) -> str:
    """JavaScript's Number::toString: the shortest round-trip digits, plain from 1e-7 up to 1e21."""
    if number == 0:
        return "0"
    _, digit_tuple, exponent = Decimal(repr(abs(number))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    point = len("".join(map(str, digit_tuple))) + int(exponent)  # digits before the decimal point
    minus = "-" if number < 0 else ""
    if len(digits) <= point <= 21:
        return minus + digits + "0" * (point - len(digits))
    if 0 < point <= 21:
        return f"{minus}{digits[:point]}.{digits[point:]}"
    if -6 < point <= 0:
        return f"{minus}0.{'0' * -point}{digits}"
    power = point - 1
    mantissa = digits if len(digits) == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{minus}{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def substring(text: str, start: int, length: int | None) -> str:
    """JsonLogic's substr: a negative start counts from the end, a negative length drops from the end."""
    rest = text[max(len(text) + start, 0) :] if start < 0 else text[start:]
    if length is None:
        return rest
    return rest[:length] if length >= 0 else rest[: max(len(rest) + length, 0)]


def merge(values: Iterable[Any]) -> list[Any]:
    """JsonLogic's merge: lists flattened one level, other values kept as items."""
    merged: list[Any] = []
    for value in values:
        if isinstance(value, (list, tuple)):
            merged.extend(value)
        else:
            merged.append(value)
    return merged


def _nonzero(op: str, b: Number) -> None:
    if b == 0:
        raise RuleError(f"{op}: division by zero")


def divide(a: Number, b: Number) -> Number:
    """a / b, kept an int when exact (6 / 3 is 2, as JSON shows it); RuleError on division by zero."""
    _nonzero("/", b)
    if isinstance(a, int) and isinstance(b, int) and a % b == 0:
        return a // b
    return a / b


def modulo(a: Number, b: Number) -> Number:
    """a % b with the dividend's sign, as in JavaScript; RuleError on division by zero."""
    _nonzero("%", b)
    if isinstance(a, int) and isinstance(b, int):
        remainder = abs(a) % abs(b)
        return remainder if a >= 0 else -remainder
    return math.fmod(a, b)
