"""The rules engine: JsonLogic with CertLogic's date operations, evaluated and explained in pure Python.

`apply(rule, data)` interprets a rule, `evaluate` also reports the values it read, `compile_rule(rule)`
validates a rule once and returns a function with apply's results and errors that runs several times
faster, and `variables`/`validate` read a rule without running it. Modules: errors (RuleError),
operators (names, arities, MAX_DEPTH), values (truthiness, equality, ordering, numbers, text), paths
(reading "a.b.0" out of data), scan (variables, validate), jsonlogic (apply, evaluate), compiler
(compile_rule), certlogic (date-times and UVCIs).

Semantics follow jsonlogic.com/operations.html, with these deliberate choices:

- Equality: `==` compares numbers with numeric strings as numbers ("1" == 1), but "" is not 0;
  None equals only None; a boolean equals only a boolean (True == 1 is false); a date-time equals
  an ISO string naming the same instant; lists and objects compare by content, in both `==` and
  `===` (JavaScript compares them by identity). `===` never converts between types, except that
  ints, floats and Decimals are all numbers.
- Ordering (`<`, `<=`, `>`, `>=`): numbers, numeric strings and Decimals compare as numbers, two
  strings compare as text, date-times (and ISO strings next to a date-time) compare as instants.
  Any other pair (None, booleans, lists, objects, text vs. number) is unordered and every
  comparison on it is false, so a missing value never passes `<` as JavaScript's 0 would.
- Numbers: a numeric string is read as JavaScript's Number() reads decimal text: ASCII digits only
  ("١٢" and "１２" are text, not 12), surrounded by whitespace but not by the separators \x1c-\x1f
  ("\x1c12" == 12 is false). An integral float is an integer wherever one is needed (plusTime's
  amount, extractFromUVCI's index, a var path), since JavaScript cannot tell 1.0 from 1.
- Arithmetic accepts finite numbers and numeric strings only; anything else ("1e999" too),
  division by zero and results out of range (1e308 + 1e308: infinity or NaN) raise RuleError, so no
  rule ever sees an infinity or a NaN. `%` keeps the dividend's sign, as in JavaScript.
- Text: `cat` and `substr` write numbers as JavaScript's String() does (0.00001, 1.5e-7, 1e+21).
- Truthiness is JavaScript's: 0, NaN, "", [], None and False are false; "0", [0] and {} are true.
- `var` paths must be literal strings or integers (never computed), so `variables()` can list every
  path a rule reads. Inside the per-item logic of map/filter/reduce/all/none/some, `var` reads the
  item, not the data, and is neither listed by `variables()` nor recorded by `evaluate()`.
- `evaluate()` records each path's value as the rule saw it: a `var` default when the path is
  absent, None for a `missing` key that is absent.
- CertLogic (specification 1.3.2): date-time operands may be ISO strings, datetimes or dates
  (naive or date-only means UTC; a partial date "2021" or "2021-06" is the last day it allows, as
  `dccDateOfBirth` reads it); before/not-before/after/not-after raise RuleError on anything else.
  Strings are read only in the specification's forms: YYYY, YYYY-MM, YYYY-MM-DD or
  YYYY-MM-DDThh:mm:ss with an optional ".fraction" and an optional offset Z, ±h, ±hh, ±hmm, ±hhmm,
  ±h:mm or ±hh:mm (minutes below 60), in ASCII digits; "2021-06-01T10:00", a space for T, a comma
  fraction or an offset with seconds are not date-times. A plusTime unit that is not one of the
  four unit strings (a list, say) raises RuleError, as does a var index beyond 4,300 digits.
  plusTime adds with JavaScript's setUTC* methods: UTC calendar, a day missing in the target month
  runs on into the next (2021-01-31 + 1 month = 2021-03-03); the result keeps the operand's offset
  and is cut to milliseconds (see certlogic.plus_time). `<`, `<=`, `>` and `>=` all take
  CertLogic's ternary form (a op b and b op c).
- Left as JsonLogic where CertLogic is stricter (CertLogic would raise an error): `in` on a
  haystack that is not a list (a string searches it, anything else is false), `reduce` over a
  non-list (the initial value), `+` with more than two operands, truthiness of {} (true here, falsy
  in CertLogic) and of values CertLogic calls neither truthy nor falsy.
- `apply` checks only the branches it evaluates; call `validate` when a rule is authored.
  `compile_rule` checks the whole rule up front (as `validate` does), then evaluates exactly as
  `apply` would, raising the same RuleError for values its operators do not accept.
"""

from phaodai.core.rules.compiler import compile_rule
from phaodai.core.rules.errors import RuleError
from phaodai.core.rules.jsonlogic import Evaluation, apply, evaluate
from phaodai.core.rules.operators import MAX_DEPTH, OPERATORS
from phaodai.core.rules.scan import validate, variables
from phaodai.core.rules.values import truthy

__all__ = [
    "MAX_DEPTH",
    "OPERATORS",
    "Evaluation",
    "RuleError",
    "apply",
    "compile_rule",
    "evaluate",
    "truthy",
    "validate",
    "variables",
]
