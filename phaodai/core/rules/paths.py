"""Reading the data paths a rule names ("a", "person.age", "list.0.x") out of the data it runs on."""

from collections.abc import Mapping
from typing import Any, Final

from phaodai.core.rules.errors import RuleError

MISSING: Final = object()

# A path part that reads a list item: the part and its index (None when it is not an index).
Step = tuple[str, int | None]

# int() of a longer run of digits may fail (sys.set_int_max_str_digits allows no lower limit).
_SAFE_DIGITS: Final = 640

Record = dict[str, Any] | None


def path_key(path: Any) -> str:
    """The key a var or missing path stands for; RuleError unless a literal string or integer."""
    if isinstance(path, str):
        return path
    if path is None:
        return ""
    if isinstance(path, int) and not isinstance(path, bool):
        if path.bit_length() > 2000:  # str() of more than 4300 digits raises ValueError
            raise RuleError("a var path integer is too large")
        return str(path)
    if type(path) is float and path.is_integer() and abs(path) <= 2**53:  # JavaScript cannot tell 1.0 from 1
        return str(int(path))
    raise RuleError(f"a var path must be a literal string or integer, got {path!r}")


def lookup(data: Any, key: str) -> Any:
    """The value at a dotted path ("" is the data itself), or MISSING."""
    if "." not in key:
        if not key:
            return data
        if type(data) is dict:
            return data.get(key, MISSING)
    current = data
    for part in key.split("."):
        if type(current) is dict or isinstance(current, Mapping):
            current = current.get(part, MISSING)
            if current is MISSING:
                return MISSING
        elif type(current) is list or isinstance(current, tuple):
            # isdigit alone would accept non-ASCII digits such as "١".
            if not (part.isascii() and part.isdigit()):
                return MISSING
            index = _index(part)
            if index >= len(current):
                return MISSING
            current = current[index]
        else:
            return MISSING
    return current


def _index(part: str) -> int:
    """int() of an index; RuleError (not int()'s ValueError) past Python's limit of 4300 digits."""
    try:
        return int(part)
    except ValueError as error:
        raise RuleError(f"a var path index has too many digits ({len(part)})") from error


def steps(key: str) -> tuple[Step, ...] | None:
    """A non-empty path split once for walk(), or None when lookup() must read it (very long indexes)."""
    parts: list[Step] = []
    for part in key.split("."):
        if not (part.isascii() and part.isdigit()):
            parts.append((part, None))
        elif len(part) > _SAFE_DIGITS:
            return None
        else:
            parts.append((part, int(part)))
    return tuple(parts)


def walk(data: Any, path: tuple[Step, ...]) -> Any:
    """lookup() along a path split by steps()."""
    current = data
    for part, index in path:
        if type(current) is dict or isinstance(current, Mapping):
            current = current.get(part, MISSING)
            if current is MISSING:
                return MISSING
        elif type(current) is list or isinstance(current, tuple):
            if index is None or index >= len(current):
                return MISSING
            current = current[index]
        else:
            return MISSING
    return current


def missing_keys(keys: Any, data: Any, rec: Record) -> list[Any]:
    """The keys among `keys` whose value is absent, null or "", recording each value read in `rec`."""
    if not isinstance(keys, (list, tuple)):
        raise RuleError(f"missing keys must be a list, got {keys!r}")
    absent = []
    for key in keys:
        path = path_key(key)
        value = lookup(data, path)
        if value is MISSING or value is None or (isinstance(value, str) and not value):
            absent.append(key)
        if rec is not None:
            rec[path] = None if value is MISSING else value
    return absent
