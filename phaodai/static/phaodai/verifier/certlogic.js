/**
 * The JavaScript twin of phaodai.core.rules: JsonLogic with CertLogic's date operations.
 *
 * apply(rule, data) gives what the Python engine's apply() gives for the same JSON, and throws
 * RuleError where it raises RuleError; the shared vectors in phaodai/core/rules/vectors/ check it.
 * The semantics are the Python engine's (see its package docstring), copied here in detail:
 * truthiness, == and ===, unordered pairs, number text (ASCII digits), CertLogic date-times
 * kept with their UTC offset (DateTime), and the same nesting limit. Numbers are JSON numbers:
 * integers beyond ±2^53 and the int/float distinction (1.0 vs 1) do not survive JSON.parse, so the
 * vectors keep to what both sides can tell apart. No dependency, no build step.
 */

export const MAX_DEPTH = 64;
const MANY = 2 ** 30;

/** A rule that cannot be evaluated: malformed, or given values its operators do not accept. */
export class RuleError extends Error {
  constructor(message) {
    super(message);
    this.name = "RuleError";
  }
}

function fail(message) {
  throw new RuleError(message);
}

// --- Reading number text: ASCII digits and Python's whitespace --------------------------------

// Python's `\s` (str.isspace) less the separators \x1c-\x1f, which JavaScript's Number() does not skip.
const SPACES = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
// Digits are ASCII only, as in JavaScript and CertLogic (values.py and certlogic.py read them so).
const D = "[0-9]";
// Python's int() refuses a string of more digits than this (sys.get_int_max_str_digits()).
const INT_MAX_STR_DIGITS = 4300;

/** The value of an ASCII digit (a code point), or -1. */
function digitValue(code) {
  return code >= 0x30 && code <= 0x39 ? code - 0x30 : -1;
}

/** int() of a run of ASCII digits. */
function pyInt(text) {
  let value = 0;
  for (const char of text) value = value * 10 + digitValue(char.codePointAt(0));
  return value;
}

/** Python's reading of number text (values.as_number): a number, null when the text is not one. */
function numberFromText(text) {
  const chars = Array.from(text);
  let i = 0;
  const n = chars.length;
  const isSpace = () => i < n && SPACES.includes(chars[i]);
  const isDigit = () => i < n && digitValue(chars[i].codePointAt(0)) >= 0;
  let out = "";
  while (isSpace()) i++;
  if (i < n && (chars[i] === "+" || chars[i] === "-")) out += chars[i++];
  let whole = 0;
  let fraction = 0;
  let integral = true;
  while (isDigit()) {
    out += digitValue(chars[i++].codePointAt(0));
    whole++;
  }
  if (i < n && chars[i] === ".") {
    integral = false;
    out += chars[i++];
    while (isDigit()) {
      out += digitValue(chars[i++].codePointAt(0));
      fraction++;
    }
  }
  if (whole === 0 && fraction === 0) return null;
  if (i < n && (chars[i] === "e" || chars[i] === "E")) {
    const mark = i;
    let exponent = "e";
    i++;
    if (i < n && (chars[i] === "+" || chars[i] === "-")) exponent += chars[i++];
    let digits = 0;
    while (isDigit()) {
      exponent += digitValue(chars[i++].codePointAt(0));
      digits++;
    }
    if (digits) {
      out += exponent;
      integral = false;
    } else {
      i = mark;
    }
  }
  while (isSpace()) i++;
  if (i < n) return null;
  // Python's int() still refuses over-long integers.
  if (integral) {
    if (whole > INT_MAX_STR_DIGITS) fail(`a number of more than ${INT_MAX_STR_DIGITS} digits`);
    return Number(out) || 0; // an int has no -0
  }
  return Number(out);
}

// --- values: kinds, truthiness, numbers, text ---------------------------------------------------

function isDict(value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

/** JsonLogic's truthiness: JavaScript's, except that an empty list is false. */
export function truthy(value) {
  if (value === true) return true;
  if (value === false || value === null || value === undefined) return false;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  if (typeof value === "string" || Array.isArray(value)) return value.length > 0;
  return true; // objects and date-times
}

function asNumber(value) {
  if (typeof value === "number") return value;
  if (typeof value === "string") return numberFromText(value);
  return null;
}

function requireNumber(value, op) {
  const number = asNumber(value);
  if (number === null) fail(`${op}: ${show(value)} is not a number`);
  return finite(number, op);
}

/** The number itself; RuleError when it is infinite or NaN (a result out of range, as values.finite). */
function finite(number, op) {
  if (!Number.isFinite(number)) fail(`${op}: ${number} is out of range`);
  return number;
}

function requireInteger(value, op) {
  const number = requireNumber(value, op);
  if (!Number.isFinite(number)) fail(`${op}: ${show(value)} is not a finite number`);
  return Math.trunc(number);
}

function show(value) {
  try {
    return value instanceof DateTime ? value.isoformat() : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const SURROGATE = /[\ud800-\udfff]/;

/** -1, 0 or 1 as Python orders two strings: by code point (JavaScript's < orders UTF-16 units). */
function compareText(a, b) {
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  let i = 0;
  while (i < a.length && i < b.length) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(i);
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length === b.length ? 0 : i < a.length ? 1 : -1;
}

/** Python's `needle in haystack` for two strings (code points, so a lone surrogate never matches half a pair). */
function includesText(haystack, needle) {
  if (!SURROGATE.test(haystack) && !SURROGATE.test(needle)) return haystack.includes(needle);
  const hay = Array.from(haystack);
  const pin = Array.from(needle);
  outer: for (let i = 0; i + pin.length <= hay.length; i++) {
    for (let j = 0; j < pin.length; j++) if (hay[i + j] !== pin[j]) continue outer;
    return true;
  }
  return false;
}

/** The pair to compare for a < b, or null when the two have no order (values._ordered). */
function ordered(a, b) {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === "number" && tb === "number") return [a, b];
  if (ta === "string" && tb === "string") {
    const order = compareText(a, b);
    return [order, 0];
  }
  if (ta === "boolean" || tb === "boolean" || a === null || b === null || a === undefined || b === undefined) {
    return null;
  }
  if (a instanceof DateTime || b instanceof DateTime) {
    const x = asInstant(a);
    const y = asInstant(b);
    return x === null || y === null ? null : [x.compare(y), 0];
  }
  const p = asNumber(a);
  const q = asNumber(b);
  return p === null || q === null ? null : [p, q];
}

function less(a, b) {
  const pair = ordered(a, b);
  return pair !== null && pair[0] < pair[1];
}

function lessOrEqual(a, b) {
  const pair = ordered(a, b);
  return pair !== null && pair[0] <= pair[1];
}

/** ===: no conversion between types; lists and objects by content, date-times by instant. */
function strictEquals(a, b) {
  const ta = typeof a;
  if (ta !== typeof b) return false;
  if (ta === "number" || ta === "string" || ta === "boolean") return a === b;
  if (a === null || b === null || a === undefined || b === undefined) return a === b || (a == null && b == null);
  if (a instanceof DateTime && b instanceof DateTime) return a.compare(b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => strictEquals(item, b[i]));
  }
  if (isDict(a) && isDict(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => hasOwn(b, key) && strictEquals(a[key], b[key]));
  }
  return false;
}

/** ==: numeric text equals a number, ISO text equals a date-time naming the same instant; booleans and null only themselves. */
function looseEquals(a, b) {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === tb && (ta === "number" || ta === "string" || ta === "boolean")) return a === b;
  if (a == null || b == null || ta === "boolean" || tb === "boolean") return a === b || (a == null && b == null);
  if ((ta === "string") !== (tb === "string")) {
    const [text, other] = ta === "string" ? [a, b] : [b, a];
    if (other instanceof DateTime) {
      const instant = asInstant(text);
      return instant !== null && instant.compare(other) === 0;
    }
    const number = asNumber(other);
    const parsed = asNumber(text);
    return number !== null && parsed !== null && number === parsed;
  }
  return strictEquals(a, b);
}

function contains(needle, haystack) {
  if (typeof haystack === "string") return typeof needle === "string" && includesText(haystack, needle);
  if (Array.isArray(haystack)) return haystack.some((item) => strictEquals(needle, item));
  return false;
}

/** A number as values.js_str writes it: JavaScript's own String(). */
function numberText(number) {
  return String(number);
}

/** The text values.js_str gives (used by cat and substr). */
function jsStr(value) {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return numberText(value);
  if (Array.isArray(value)) return value.map((item) => (item == null ? "" : jsStr(item))).join(",");
  if (value instanceof DateTime) return value.isoformat();
  return "[object Object]";
}

function substring(text, start, length) {
  const chars = SURROGATE.test(text) ? Array.from(text) : null;
  const size = chars ? chars.length : text.length;
  const cut = (from, to) => (chars ? chars.slice(from, to).join("") : text.slice(from, to));
  const from = start < 0 ? Math.max(size + start, 0) : Math.min(start, size);
  const rest = size - from;
  if (length === null) return cut(from, size);
  const keep = length >= 0 ? Math.min(length, rest) : Math.max(rest + length, 0);
  return cut(from, from + keep);
}

function divide(a, b) {
  if (b === 0) fail("/: division by zero");
  return a / b;
}

function modulo(a, b) {
  if (b === 0) fail("%: division by zero");
  if (a === Infinity || a === -Infinity) fail("%: math domain error"); // math.fmod refuses it
  return a % b;
}

// --- data paths ---------------------------------------------------------------------------------

const MISSING = Symbol("missing");
const ASCII_DIGITS = /^[0-9]+$/;

/** The key a var or missing path stands for; RuleError unless a literal string or integer. */
function pathKey(path) {
  if (typeof path === "string") return path;
  if (path === null || path === undefined) return "";
  if (typeof path === "number" && Number.isInteger(path)) {
    return Number.isSafeInteger(path) ? String(path) : BigInt(path).toString();
  }
  fail(`a var path must be a literal string or integer, got ${show(path)}`);
}

/** The value at a dotted path ("" is the data itself), or MISSING. */
function lookup(data, key) {
  if (key === "") return data;
  let current = data;
  for (const part of key.split(".")) {
    if (isDict(current)) {
      if (!hasOwn(current, part)) return MISSING;
      current = current[part];
    } else if (Array.isArray(current)) {
      if (!ASCII_DIGITS.test(part)) return MISSING;
      if (part.length > INT_MAX_STR_DIGITS) fail(`a list index of more than ${INT_MAX_STR_DIGITS} digits`);
      const index = Number(part);
      if (index >= current.length) return MISSING;
      current = current[index];
    } else {
      return MISSING;
    }
  }
  return current === undefined ? null : current;
}

function missingKeys(keys, data) {
  if (!Array.isArray(keys)) fail(`missing keys must be a list, got ${show(keys)}`);
  const absent = [];
  for (const key of keys) {
    const value = lookup(data, pathKey(key));
    if (value === MISSING || value === null || value === "") absent.push(key);
  }
  return absent;
}

// --- CertLogic date-times -----------------------------------------------------------------------

const DAY = 86400;
const MICROS = 1_000_000;

function daysFromCivil(year, month, day) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days) {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

const isLeap = (year) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const monthLength = (year, month) => [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];

// The seconds Python's datetime can hold: 0001-01-01T00:00:00 to 9999-12-31T23:59:59(.999999).
const FIRST_SECOND = daysFromCivil(1, 1, 1) * DAY;
const LAST_SECOND = daysFromCivil(9999, 12, 31) * DAY + DAY - 1;
const inRange = (seconds) => seconds >= FIRST_SECOND && seconds <= LAST_SECOND;

/** Thrown by date parsing; a date operator turns it into RuleError, a comparison into "no order". */
class DateError extends Error {}

function dateFail(message) {
  throw new DateError(message);
}

const pad = (number, width) => String(number).padStart(width, "0");

/**
 * An instant and the UTC offset it is shown at, as a Python aware datetime: `seconds` since
 * 1970-01-01T00:00:00Z, `micros` within that second and `offset` in microseconds east of UTC.
 */
export class DateTime {
  constructor(seconds, micros, offset) {
    this.seconds = seconds;
    this.micros = micros;
    this.offset = offset;
    Object.freeze(this);
  }

  /** The date-time with these wall-clock fields at `offset` microseconds east of UTC (Python's checks). */
  static fromFields(year, month, day, hour, minute, second, micros, offset) {
    if (year < 1 || year > 9999) dateFail(`year ${year} is out of range`);
    if (month < 1 || month > 12) dateFail("month must be in 1..12");
    if (day < 1 || day > monthLength(year, month)) dateFail("day is out of range for month");
    if (hour > 23) dateFail("hour must be in 0..23");
    if (minute > 59) dateFail("minute must be in 0..59");
    if (second > 59) dateFail("second must be in 0..59");
    if (Math.abs(offset) >= DAY * MICROS) dateFail("offset must be strictly between -24 and 24 hours");
    const local = daysFromCivil(year, month, day) * DAY + hour * 3600 + minute * 60 + second;
    return DateTime.atLocal(local, micros, offset);
  }

  /** The date-time whose wall clock at `offset` reads `localSeconds` and `micros`. */
  static atLocal(localSeconds, micros, offset) {
    const shifted = micros - offset;
    return new DateTime(localSeconds + Math.floor(shifted / MICROS), mod(shifted, MICROS), offset);
  }

  /** The wall-clock seconds and microseconds at this date-time's own offset. */
  local() {
    const shifted = this.micros + this.offset;
    return [this.seconds + Math.floor(shifted / MICROS), mod(shifted, MICROS)];
  }

  compare(other) {
    if (this.seconds !== other.seconds) return this.seconds < other.seconds ? -1 : 1;
    return this.micros === other.micros ? 0 : this.micros < other.micros ? -1 : 1;
  }

  /** Python's datetime.isoformat(): 2021-09-09T06:00:00[.ffffff]+07:00. */
  isoformat() {
    const [localSeconds, micros] = this.local();
    const [year, month, day] = civilFromDays(Math.floor(localSeconds / DAY));
    const time = mod(localSeconds, DAY);
    let text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(Math.floor(time / 3600), 2)}:${pad(
      Math.floor((time % 3600) / 60),
      2,
    )}:${pad(time % 60, 2)}`;
    if (micros) text += `.${pad(micros, 6)}`;
    const sign = this.offset < 0 ? "-" : "+";
    const offset = Math.abs(this.offset);
    const offsetSeconds = Math.floor(offset / MICROS);
    const offsetMicros = offset % MICROS;
    text += `${sign}${pad(Math.floor(offsetSeconds / 3600), 2)}:${pad(Math.floor((offsetSeconds % 3600) / 60), 2)}`;
    if (offsetSeconds % 60 || offsetMicros) {
      text += `:${pad(offsetSeconds % 60, 2)}`;
      if (offsetMicros) text += `.${pad(offsetMicros, 6)}`;
    }
    return text;
  }

  toJSON() {
    return this.isoformat();
  }

  toString() {
    return this.isoformat();
  }
}

function mod(a, b) {
  return ((a % b) + b) % b;
}

const YEAR = new RegExp(`^${D}{4}$`, "u");
const YEAR_MONTH = new RegExp(`^(${D}{4})-(${D}{2})$`, "u");
const DATE = new RegExp(`^(${D}{4})-(${D}{2})-(${D}{2})$`, "u");
const SPEC_DATE_TIME = new RegExp(
  `^(${D}{4})-(${D}{2})-(${D}{2})T(${D}{2}):(${D}{2}):(${D}{2})(?:\\.(${D}+))?(?:(Z)|([+-])(${D}{1,2}):?(${D}{2})?)?$`,
  "u",
);

/** dccDateOfBirth: YYYY, YYYY-MM or YYYY-MM-DD as the last day it allows, at 00:00 UTC. */
function dateOfBirth(value) {
  if (typeof value !== "string") dateFail(`dccDateOfBirth needs a string, got ${show(value)}`);
  if (YEAR.test(value)) return DateTime.fromFields(pyInt(value), 12, 31, 0, 0, 0, 0, 0);
  let match = YEAR_MONTH.exec(value);
  if (match) {
    const year = pyInt(match[1]);
    const month = pyInt(match[2]);
    if (month < 1 || month > 12) dateFail(`month must be in 1..12: ${value}`);
    if (year < 1 || year > 9999) dateFail(`year ${year} is out of range`);
    return DateTime.fromFields(year, month, monthLength(year, month), 0, 0, 0, 0, 0);
  }
  match = DATE.exec(value);
  if (match) return DateTime.fromFields(pyInt(match[1]), pyInt(match[2]), pyInt(match[3]), 0, 0, 0, 0, 0);
  dateFail(`not a date of birth (YYYY, YYYY-MM or YYYY-MM-DD): ${show(value)}`);
}

/** A date-time from ISO 8601 text, read as certlogic.parse_datetime reads it. */
function parseDateTime(text) {
  if (YEAR.test(text) || YEAR_MONTH.test(text) || DATE.test(text)) return dateOfBirth(text);
  const match = SPEC_DATE_TIME.exec(text);
  if (match) {
    const [year, month, day, hour, minute, second] = match.slice(1, 7).map(pyInt);
    const millis = pyInt((match[7] ?? "0").slice(0, 3).padEnd(3, "0")) || 0;
    let offset = 0;
    if (match[9]) {
      if (match[11] && pyInt(match[11]) > 59) dateFail(`a date-time offset needs minutes below 60: ${show(text)}`);
      const minutes = pyInt(match[10]) * 60 + (match[11] ? pyInt(match[11]) : 0);
      offset = (match[9] === "-" ? -minutes : minutes) * 60 * MICROS;
    }
    return DateTime.fromFields(year, month, day, hour, minute, second, millis * 1000, offset);
  }
  dateFail(`not an ISO 8601 date-time in a CertLogic form (YYYY-MM-DDThh:mm:ss[.f][offset]): ${show(text)}`);
}

/** The date-time a value stands for (a DateTime or ISO text), or null. */
function asInstant(value) {
  if (value instanceof DateTime) return value;
  if (typeof value === "string") {
    try {
      return parseDateTime(value);
    } catch (error) {
      if (error instanceof DateError) return null;
      throw error;
    }
  }
  return null;
}

const TIME_UNITS = new Set(["year", "month", "day", "hour"]);

/** plusTime as JavaScript's setUTC<Unit>(getUTC<Unit>() + amount) computes it, shown at the operand's offset, cut to ms. */
function plusTime(value, amount, unit) {
  const moment = typeof value === "string" ? parseDateTime(value) : asInstant(value);
  if (moment === null) dateFail(`plusTime needs a date-time, got ${show(value)}`);
  if (typeof amount !== "number" || !Number.isInteger(amount)) {
    dateFail(`plusTime needs an integer amount, got ${show(amount)}`);
  }
  if (!TIME_UNITS.has(unit)) dateFail(`plusTime unit must be one of day, hour, month, year, got ${show(unit)}`);
  if (amount === 0) {
    // Python reads the date-time as it is, with no calendar work (and so no range check).
    const [localSeconds, localMicros] = moment.local();
    return DateTime.atLocal(localSeconds, localMicros - (localMicros % 1000), moment.offset);
  }
  const outOfRange = () => dateFail(`plusTime out of range: ${amount} ${unit}`);
  if (!inRange(moment.seconds)) outOfRange();
  let seconds;
  if (unit === "hour" || unit === "day") {
    seconds = moment.seconds + amount * (unit === "hour" ? 3600 : DAY);
  } else {
    const days = Math.floor(moment.seconds / DAY);
    const [year, month, day] = civilFromDays(days);
    const months = year * 12 + month - 1 + (unit === "month" ? amount : 12 * amount);
    const targetYear = Math.floor(months / 12);
    if (!(targetYear >= 1 && targetYear <= 9999)) outOfRange();
    const first = daysFromCivil(targetYear, mod(months, 12) + 1, 1);
    seconds = (first + day - 1) * DAY + mod(moment.seconds, DAY);
  }
  if (!inRange(seconds)) outOfRange();
  const [localSeconds, localMicros] = new DateTime(seconds, moment.micros, moment.offset).local();
  if (!inRange(localSeconds)) outOfRange();
  return DateTime.atLocal(localSeconds, localMicros - (localMicros % 1000), moment.offset);
}

/** The index-th fragment of a UVCI split on "/", "#" and ":", or null. */
function extractFromUvci(uvci, index) {
  if (typeof index !== "number" || !Number.isInteger(index)) {
    dateFail(`extractFromUVCI needs an integer index, got ${show(index)}`);
  }
  if (uvci === null || uvci === undefined) return null;
  if (typeof uvci !== "string") dateFail(`extractFromUVCI needs a string or null, got ${show(uvci)}`);
  const body = uvci.startsWith("URN:UVCI:") ? uvci.slice(9) : uvci;
  const fragments = body.split(/[/#:]/);
  return index >= 0 && index < fragments.length ? fragments[index] : null;
}

// --- the interpreter ----------------------------------------------------------------------------

/** The value of a JsonLogic rule over `data` (JSON values; date-times come back as DateTime). */
export function apply(rule, data = null) {
  return evaluate(rule, data === undefined ? null : data, 0);
}

function evaluate(logic, data, depth) {
  if (isDict(logic)) {
    const keys = Object.keys(logic);
    if (keys.length !== 1) fail(`a rule object needs exactly one operator, got keys ${show(keys.slice(0, 5))}`);
    const op = keys[0];
    let args = logic[op];
    if (op === "var" && typeof args === "string") {
      if (depth >= MAX_DEPTH) fail(`rule nested deeper than ${MAX_DEPTH} levels`);
      const value = lookup(data, args);
      return value === MISSING ? null : value;
    }
    const entry = hasOwn(TABLE, op) ? TABLE[op] : undefined;
    if (entry === undefined) fail(`unknown operator ${show(op)}`);
    depth += 1;
    if (Array.isArray(args)) depth += 1;
    else args = [args]; // unary sugar: {"var": "a"} is {"var": ["a"]}
    if (depth > MAX_DEPTH) fail(`rule nested deeper than ${MAX_DEPTH} levels`);
    const [fn, least, most] = entry;
    if (args.length < least || args.length > most) {
      fail(`${show(op)} takes ${arityText(least, most)} arguments, got ${args.length}`);
    }
    try {
      return fn(args, data, depth);
    } catch (error) {
      if (error instanceof DateError) fail(`${op}: ${error.message}`);
      throw error;
    }
  }
  const kind = typeof logic;
  if (kind === "string" || kind === "number" || kind === "boolean" || logic === null) return logic;
  if (Array.isArray(logic)) {
    depth += 1;
    if (depth > MAX_DEPTH) fail(`rule nested deeper than ${MAX_DEPTH} levels`);
    return logic.map((item) => evaluate(item, data, depth));
  }
  fail(`not a JSON value in a rule: ${show(logic)}`);
}

function arityText(least, most) {
  if (least === most) return String(least);
  return most === MANY ? `at least ${least}` : `${least} to ${most}`;
}

const run = (arg, data, depth) => evaluate(arg, data, depth);

function items(args, data, depth) {
  const list = run(args[0], data, depth);
  return Array.isArray(list) ? list : [];
}

function ifThenElse(args, data, depth) {
  const last = args.length - 1;
  let i = 0;
  for (; i < last; i += 2) {
    if (truthy(run(args[i], data, depth))) return run(args[i + 1], data, depth);
  }
  return i === last ? run(args[last], data, depth) : null;
}

function chain(compare) {
  return (args, data, depth) => {
    const a = run(args[0], data, depth);
    const b = run(args[1], data, depth);
    if (args.length === 2) return compare(a, b);
    const c = run(args[2], data, depth); // evaluated even when a, b already fail, as in JsonLogic
    return compare(a, b) && compare(b, c);
  };
}

function binary(compare) {
  return (args, data, depth) => compare(run(args[0], data, depth), run(args[1], data, depth));
}

function extreme(pick) {
  return (args, data, depth) => {
    let best = null;
    args.forEach((arg, i) => {
      const number = requireNumber(run(arg, data, depth), pick);
      if (i === 0 || (pick === "max" ? number > best : number < best)) best = number;
    });
    return best;
  };
}

function dateChain(name, holds) {
  return (args, data, depth) => {
    const instants = args.map((arg) => {
      const value = run(arg, data, depth);
      const instant = asInstant(value);
      if (instant === null) fail(`${name} compares date-times, got ${show(value)}`);
      return instant;
    });
    return instants.every((instant, i) => i === 0 || holds(instants[i - 1].compare(instant)));
  };
}

const OPERATIONS = {
  var: [
    (args, data, depth) => {
      const value = lookup(data, pathKey(args.length ? args[0] : null));
      if (value !== MISSING) return value;
      return args.length > 1 ? run(args[1], data, depth) : null;
    },
    0,
    2,
  ],
  missing: [
    (args, data, depth) => {
      let keys = args.map((arg) => run(arg, data, depth));
      // {"missing": {"merge": [...]}} hands over one list; {"missing": ["a", "b"]} lists the keys.
      if (keys.length && Array.isArray(keys[0])) keys = keys[0];
      return missingKeys(keys, data);
    },
    0,
    MANY,
  ],
  missing_some: [
    (args, data, depth) => {
      const need = requireInteger(run(args[0], data, depth), "missing_some");
      const keys = run(args[1], data, depth);
      const absent = missingKeys(keys, data);
      return keys.length - absent.length >= need ? [] : absent;
    },
    2,
    2,
  ],
  if: [ifThenElse, 2, MANY],
  "?:": [ifThenElse, 3, 3],
  "==": [binary(looseEquals), 2, 2],
  "===": [binary(strictEquals), 2, 2],
  "!=": [binary((a, b) => !looseEquals(a, b)), 2, 2],
  "!==": [binary((a, b) => !strictEquals(a, b)), 2, 2],
  "!": [(args, data, depth) => !truthy(run(args[0], data, depth)), 1, 1],
  "!!": [(args, data, depth) => truthy(run(args[0], data, depth)), 1, 1],
  or: [
    (args, data, depth) => {
      let value = null;
      for (const arg of args) {
        value = run(arg, data, depth);
        if (truthy(value)) return value;
      }
      return value;
    },
    1,
    MANY,
  ],
  and: [
    (args, data, depth) => {
      let value = null;
      for (const arg of args) {
        value = run(arg, data, depth);
        if (!truthy(value)) return value;
      }
      return value;
    },
    1,
    MANY,
  ],
  // CertLogic's ternary form of > and >=: a > b and b > c.
  ">": [chain((a, b) => less(b, a)), 2, 3],
  ">=": [chain((a, b) => lessOrEqual(b, a)), 2, 3],
  "<": [chain(less), 2, 3],
  "<=": [chain(lessOrEqual), 2, 3],
  max: [extreme("max"), 1, MANY],
  min: [extreme("min"), 1, MANY],
  "+": [
    (args, data, depth) =>
      finite(args.reduce((total, arg) => total + requireNumber(run(arg, data, depth), "+"), 0), "+"),
    1,
    MANY,
  ],
  "-": [
    (args, data, depth) => {
      const first = requireNumber(run(args[0], data, depth), "-");
      if (args.length === 1) return -first;
      return finite(first - requireNumber(run(args[1], data, depth), "-"), "-");
    },
    1,
    2,
  ],
  "*": [
    (args, data, depth) =>
      finite(args.reduce((product, arg) => product * requireNumber(run(arg, data, depth), "*"), 1), "*"),
    1,
    MANY,
  ],
  "/": [
    (args, data, depth) => {
      const a = requireNumber(run(args[0], data, depth), "/");
      return finite(divide(a, requireNumber(run(args[1], data, depth), "/")), "/");
    },
    2,
    2,
  ],
  "%": [
    (args, data, depth) => {
      const a = requireNumber(run(args[0], data, depth), "%");
      return finite(modulo(a, requireNumber(run(args[1], data, depth), "%")), "%");
    },
    2,
    2,
  ],
  in: [(args, data, depth) => contains(run(args[0], data, depth), run(args[1], data, depth)), 2, 2],
  cat: [(args, data, depth) => args.map((arg) => jsStr(run(arg, data, depth))).join(""), 0, MANY],
  substr: [
    (args, data, depth) => {
      const text = jsStr(run(args[0], data, depth));
      const start = requireInteger(run(args[1], data, depth), "substr");
      const length = args.length > 2 ? requireInteger(run(args[2], data, depth), "substr") : null;
      return substring(text, start, length);
    },
    2,
    3,
  ],
  merge: [
    (args, data, depth) => args.flatMap((arg) => {
      const value = run(arg, data, depth);
      return Array.isArray(value) ? value : [value];
    }),
    0,
    MANY,
  ],
  // Per-item logic reads the item, not the data.
  map: [(args, data, depth) => items(args, data, depth).map((item) => run(args[1], item, depth)), 2, 2],
  filter: [
    (args, data, depth) => items(args, data, depth).filter((item) => truthy(run(args[1], item, depth))),
    2,
    2,
  ],
  all: [
    (args, data, depth) => {
      const list = items(args, data, depth);
      return list.length > 0 && list.every((item) => truthy(run(args[1], item, depth)));
    },
    2,
    2,
  ],
  none: [(args, data, depth) => !items(args, data, depth).some((item) => truthy(run(args[1], item, depth))), 2, 2],
  some: [(args, data, depth) => items(args, data, depth).some((item) => truthy(run(args[1], item, depth))), 2, 2],
  reduce: [
    (args, data, depth) => {
      const list = items(args, data, depth);
      let accumulator = args.length > 2 ? run(args[2], data, depth) : null;
      for (const current of list) accumulator = run(args[1], { current, accumulator }, depth);
      return accumulator;
    },
    2,
    3,
  ],
  plusTime: [
    (args, data, depth) => {
      const [value, amount, unit] = args.map((arg) => run(arg, data, depth));
      return plusTime(value, amount, unit);
    },
    3,
    3,
  ],
  before: [dateChain("before", (order) => order < 0), 2, 3],
  "not-before": [dateChain("not-before", (order) => order >= 0), 2, 3],
  after: [dateChain("after", (order) => order > 0), 2, 3],
  "not-after": [dateChain("not-after", (order) => order <= 0), 2, 3],
  extractFromUVCI: [
    (args, data, depth) => extractFromUvci(run(args[0], data, depth), run(args[1], data, depth)),
    2,
    2,
  ],
  dccDateOfBirth: [(args, data, depth) => dateOfBirth(run(args[0], data, depth)), 1, 1],
};

const TABLE = Object.freeze(Object.assign(Object.create(null), OPERATIONS));

/** Every operator the engine knows, as operators.OPERATORS lists them. */
export const OPERATORS = Object.freeze(Object.keys(OPERATIONS));

// --- validate: the whole rule checked up front, as phaodai.core.rules.scan.validate does ----------

const PER_ITEM = new Set(["map", "filter", "reduce", "all", "none", "some"]);

/** Throw RuleError unless every operator is known with a valid arity, every var path literal, nesting bounded. */
export function validate(logic) {
  scanLogic(logic, 0);
}

function unpack(node, depth) {
  const keys = Object.keys(node);
  if (keys.length !== 1) fail(`a rule object needs exactly one operator, got keys ${show(keys.slice(0, 5))}`);
  const op = keys[0];
  if (!hasOwn(TABLE, op)) fail(`unknown operator ${show(op)}`);
  let args = node[op];
  depth += 1;
  if (Array.isArray(args)) depth += 1;
  else args = [args];
  if (depth > MAX_DEPTH) fail(`rule nested deeper than ${MAX_DEPTH} levels`);
  const [, least, most] = TABLE[op];
  if (args.length < least || args.length > most) fail(`${show(op)} takes ${arityText(least, most)} arguments, got ${args.length}`);
  return [op, args, depth];
}

function scanLogic(node, depth) {
  if (isDict(node)) {
    let [op, args, inner] = unpack(node, depth);
    if (op === "var") {
      pathKey(args.length ? args[0] : null);
      args = args.slice(1);
    } else if (op === "missing") {
      for (const arg of args) scanKeys(arg, inner);
      return;
    } else if (op === "missing_some") {
      scanLogic(args[0], inner);
      scanKeys(args[1], inner);
      return;
    } else if (PER_ITEM.has(op)) {
      scanLogic(args[1], inner);
      args = [args[0], ...args.slice(2)];
    }
    for (const arg of args) scanLogic(arg, inner);
  } else if (Array.isArray(node)) {
    if (depth + 1 > MAX_DEPTH) fail(`rule nested deeper than ${MAX_DEPTH} levels`);
    for (const item of node) scanLogic(item, depth + 1);
  } else if (!(node === null || ["string", "number", "boolean"].includes(typeof node))) {
    fail("not a JSON value in a rule");
  }
}

function scanKeys(node, depth) {
  if (!Array.isArray(node) && !isDict(node)) {
    pathKey(node);
  } else if (Array.isArray(node)) {
    if (depth + 1 > MAX_DEPTH) fail(`rule nested deeper than ${MAX_DEPTH} levels`);
    for (const item of node) scanKeys(item, depth + 1);
  } else if (["merge", "if", "?:"].includes(Object.keys(node)[0])) {
    const [op, args, inner] = unpack(node, depth);
    args.forEach((arg, i) => {
      const isCondition = op !== "merge" && i % 2 === 0 && i < args.length - 1;
      (isCondition ? scanLogic : scanKeys)(arg, inner);
    });
  } else {
    scanLogic(node, depth);
  }
}
