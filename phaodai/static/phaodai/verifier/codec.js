/**
 * Signed pass codes, the twin of phaodai/passes/codec.py (and cwt.py, payload.py):
 * `PD1:` (ours) and `HC1:` (EU DCC) = prefix + Base45(zlib(COSE_Sign1(CWT))).
 *
 * verify() walks the steps in Python's order and records each one's outcome (null: not reached):
 *
 *     prefix_ok  base45_ok  zlib_ok  cose_ok  signature_ok  |  expiry_ok  payload  key_usage_ok
 *
 * Up to the signature the first failure stops the walk: nothing inside the envelope is read before
 * the signature is known to be good. After it the remaining checks all run (an expired but authentic
 * pass is still shown), and `error` names the first failure, with the same codes as codes.py. Every
 * step is bounded: the code's length, the inflated size (16 KiB, the Python codec's cap), CBOR
 * nesting and the payload's depth. No dependency, no build step.
 */

import { Base45Error, decode as base45Decode } from "./base45.js";
import { CborError, Float, decode as cborDecode } from "./cbor.js";
import { CodecError, MESSAGES } from "./codes.js";
import { parse as parseSign1 } from "./cose.js";
import { InflateError, inflate } from "./inflate.js";

export const PASS_PREFIX = "PD1:";
export const HCERT_PREFIX = "HC1:";
const PREFIXES = { [PASS_PREFIX]: "PD1", [HCERT_PREFIX]: "HC1" };
export const MAX_CODE_CHARS = 8192;
export const MAX_INFLATED_BYTES = 16384;
export const CLOCK_SKEW_SECONDS = 300;
const MAX_DEPTH = 16;
// cbor2's own nesting limit, so a deep payload is refused as the Python codec refuses it.
const CBOR_MAX_DEPTH = 400;
const ISS = 1;
const EXP = 4;
const IAT = 6;
const HCERT_CLAIM = -260;
const PASS_CLAIM = -84000;
const LAST_SECOND = 7258118400;
export const STEPS = ["prefix_ok", "base45_ok", "zlib_ok", "cose_ok", "signature_ok", "expiry_ok", "key_usage_ok"];

/** A pass map that is not one of ours, or a DGC that is not plain JSON. */
class PayloadError extends Error {}

/** The outcome of each step, the payload once authentic, the first error. */
export class Verification {
  constructor() {
    for (const step of STEPS) this[step] = null;
    this.payload = null;
    this.error = null;
    this.usage = null;
    this.kid = null;
    this.claims = null;
  }

  get ok() {
    return this.error === null && STEPS.every((step) => this[step] === true);
  }

  fail(step, code) {
    this[step] = false;
    if (this.error === null) this.error = code;
  }

  /** The nine keys of `phaodai passes verify-hcert`; error is {code, message} or null. */
  report() {
    const out = {};
    for (const step of STEPS) out[step] = this[step];
    out.payload = this.payload;
    out.error = this.error === null ? null : { code: this.error, message: MESSAGES[this.error] };
    return out;
  }
}

/** Check a scanned code against a TrustList (cose.js) at `clock` (epoch ms); never rejects for any text. */
export async function verify(text, trust, clock) {
  const out = new Verification();
  if (typeof text !== "string" || codePoints(text) > MAX_CODE_CHARS) {
    out.error = "too_long";
    return out;
  }
  let opened;
  try {
    opened = await openEnvelope(text, trust, out);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    out.error = error.code;
    return out;
  }
  readContents(opened.sign1, opened.entry, clock, out);
  return out;
}

function codePoints(text) {
  if (text.length <= MAX_CODE_CHARS) return text.length;
  let count = 0;
  for (const _char of text) if (++count > MAX_CODE_CHARS) break;
  return count;
}

async function openEnvelope(text, trust, out) {
  const usage = Object.hasOwn(PREFIXES, text.slice(0, 4)) ? PREFIXES[text.slice(0, 4)] : null;
  out.prefix_ok = usage !== null;
  if (usage === null) throw new CodecError("bad_prefix");
  out.usage = usage;
  let compressed;
  try {
    compressed = base45Decode(text.slice(4));
  } catch (error) {
    if (!(error instanceof Base45Error)) throw error;
    out.base45_ok = false;
    throw new CodecError("bad_base45");
  }
  out.base45_ok = true;
  out.zlib_ok = false;
  let envelope;
  try {
    envelope = await inflate(compressed, { maxOutput: MAX_INFLATED_BYTES });
  } catch (error) {
    if (!(error instanceof InflateError)) throw error;
    throw new CodecError(error.code);
  }
  out.zlib_ok = true;
  out.cose_ok = false;
  const sign1 = parseSign1(envelope);
  out.cose_ok = true;
  out.kid = sign1.kid;
  out.signature_ok = false;
  const entry = trust.find(usage, sign1.kid);
  if (entry === undefined) throw new CodecError("unknown_kid");
  await entry.check(sign1);
  out.signature_ok = true;
  return { sign1, entry };
}

function readContents(sign1, entry, clock, out) {
  let claims;
  try {
    claims = readClaims(cborDecode(sign1.payload, { maxDepth: CBOR_MAX_DEPTH, anyKeys: true, exactFloats: true }));
  } catch (error) {
    if (error instanceof CborError || error instanceof RangeError) {
      out.error = "bad_claims";
      return;
    }
    if (!(error instanceof CodecError)) throw error;
    out.error = error.code;
    return;
  }
  out.claims = claims;
  out.expiry_ok = true;
  const now = clock / 1000;
  if (clock < entry.validFrom) out.fail("expiry_ok", "signer_not_yet_valid");
  else if (clock > entry.validTo) out.fail("expiry_ok", "signer_expired");
  else if (claims.iat > now + CLOCK_SKEW_SECONDS) out.fail("expiry_ok", "not_yet_valid");
  else if (now > claims.exp) out.fail("expiry_ok", "expired");
  let kind;
  try {
    kind = entry.usage === "PD1" ? readPass(claims, out) : readHcert(claims, out);
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    out.payload = null;
    if (out.error === null) out.error = "bad_payload";
    return;
  }
  out.key_usage_ok = true;
  if (!entry.types.has(kind)) out.fail("key_usage_ok", "key_usage");
}

/** The CWT claims: a map with integer labels, iat and exp as epoch seconds, iss text if present. */
function readClaims(claims) {
  if (!(claims instanceof Map) && !isPlainObject(claims)) throw new CodecError("bad_claims");
  const labelled = new Map();
  if (claims instanceof Map) for (const [label, value] of claims) if (Number.isInteger(label)) labelled.set(label, value);
  const issuer = labelled.get(ISS);
  if (issuer !== undefined && issuer !== null && typeof issuer !== "string") throw new CodecError("bad_claims");
  return { issuer: issuer ?? null, iat: instant(labelled.get(IAT)), exp: instant(labelled.get(EXP)), raw: labelled };
}

function instant(raw) {
  const value = raw instanceof Float ? raw.value : raw;
  if (typeof value !== "number" || !(value >= 0 && value <= LAST_SECOND)) throw new CodecError("bad_claims");
  return value;
}

function readPass(claims, out) {
  const raw = claims.raw.get(PASS_CLAIM);
  const kind = checkMap(raw);
  out.payload = { ...raw };
  return kind;
}

/** The DGC in claim -260/1; exactly one of v (vaccination), t (test), r (recovery), one entry. */
function readHcert(claims, out) {
  const hcert = claims.raw.get(HCERT_CLAIM);
  const dgc = hcert instanceof Map ? hcert.get(1) : undefined;
  const plain = dgc === undefined ? null : asJson(dgc, 0);
  if (!isPlainObject(plain)) throw new PayloadError("no DGC in the certificate");
  const kinds = ["v", "t", "r"].filter((kind) => Object.hasOwn(plain, kind));
  if (kinds.length !== 1 || !Array.isArray(plain[kinds[0]]) || plain[kinds[0]].length !== 1) {
    throw new PayloadError("a DGC holds exactly one vaccination, test or recovery");
  }
  out.payload = plain;
  return kinds[0];
}

function isPlainObject(value) {
  return value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype;
}

/** `value` if it is plain JSON, bounded in depth; PayloadError otherwise (bytes, tags, integer-keyed maps...). */
export function asJson(value, depth = 0) {
  if (depth > MAX_DEPTH) throw new PayloadError("payload nested too deeply");
  if (value === null || typeof value === "string" || typeof value === "boolean" || typeof value === "number") return value;
  if (value instanceof Float) return value.value;
  if (Array.isArray(value)) return value.map((item) => asJson(item, depth + 1));
  if (isPlainObject(value)) {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, key, { value: asJson(item, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  throw new PayloadError("payload holds a value that is not plain JSON");
}

// --- Our pass map (payload.py) ---------------------------------------------------------------------

const TYPES = ["permit", "declaration", "vehicle", "transit", "shipper", "market"];
const TEXT_LIMIT = 120;
const MAX_ZONES = 32;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

function text(value) {
  if (typeof value !== "string" || value.trim() === "" || codePointsOf(value) > TEXT_LIMIT) {
    throw new PayloadError(`expected text of 1 to ${TEXT_LIMIT} characters`);
  }
  return value;
}

function codePointsOf(value) {
  let count = 0;
  for (const _char of value) count++;
  return count;
}

const integer = (low, high) => (value) => {
  if (typeof value !== "number" || !Number.isInteger(value) || value < low || value > high) {
    throw new PayloadError(`expected an integer from ${low} to ${high}`);
  }
  return value;
};

function boolean(value) {
  if (typeof value !== "boolean") throw new PayloadError("expected true or false");
  return value;
}

const pattern = (regex, what) => (value) => {
  if (typeof value !== "string" || !regex.test(value)) throw new PayloadError(`malformed ${what}`);
  return value;
};

const zone = pattern(/^[0-9A-Za-z._-]{1,16}$/, "zone code");
const hour = pattern(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, "hour");

function zones(value) {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ZONES) {
    throw new PayloadError(`zones are a list of 1 to ${MAX_ZONES} codes`);
  }
  return value.map(zone);
}

function hours(value) {
  if (!Array.isArray(value) || value.length !== 2) throw new PayloadError('hours are ["HH:MM", "HH:MM"]');
  const [start, end] = [hour(value[0]), hour(value[1])];
  if (start >= end) throw new PayloadError("hours must end after they start");
  return value;
}

const READERS = {
  n: text,
  yb: integer(1900, 2100),
  cc: pattern(/^\d{3}\*{6}\d{3}$/, "masked CCCD"),
  pg: integer(1, 6),
  pu: text,
  z: zones,
  rt: text,
  pl: pattern(/^[0-9A-Z][0-9A-Z.\- ]{2,15}$/, "plate"),
  og: text,
  cg: text,
  vd: integer(0, 9),
  hr: hours,
  mk: text,
  sy: boolean,
  xp: boolean,
};
const KEYS = new Set(["v", "t", "id", "vf", "vt", ...Object.keys(READERS)]);
const REQUIRED = {
  permit: ["n", "pg"],
  declaration: ["n", "sy", "xp"],
  vehicle: ["pl"],
  transit: ["pl"],
  shipper: ["n", "hr"],
  market: ["n", "mk"],
};

/** A pass time (UTC "...Z") as epoch ms; PayloadError for anything else or no real instant. */
export function passInstant(value) {
  const match = typeof value === "string" ? INSTANT.exec(value) : null;
  if (match === null) throw new PayloadError("a pass time is UTC text such as 2021-09-09T23:00:00Z");
  const [year, month, day, h, m, s] = match.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, h, m, s);
  const back = new Date(ms);
  if (year < 1 || back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || h > 23 || m > 59 || s > 59) {
    throw new PayloadError("a pass time names no real instant");
  }
  return ms;
}

/** The type of the pass a map describes; PayloadError unless we could have signed exactly this map. */
export function checkMap(data) {
  if (!isPlainObject(data)) throw new PayloadError("a pass is a map");
  for (const key of Object.keys(data)) if (!KEYS.has(key)) throw new PayloadError("unknown keys in a pass");
  if (data.v !== 1) throw new PayloadError("unknown pass format version");
  const kind = typeof data.t === "string" && TYPES.includes(data.t) ? data.t : null;
  if (kind === null) throw new PayloadError("unknown pass type");
  text(data.id);
  if (passInstant(data.vt) <= passInstant(data.vf)) throw new PayloadError("a pass must end after it starts");
  for (const [key, value] of Object.entries(data)) {
    const reader = READERS[key];
    if (reader === undefined) continue;
    if (value === null || (Array.isArray(value) && value.length === 0)) {
      throw new PayloadError("a pass map leaves out what it does not hold");
    }
    reader(value);
  }
  for (const key of REQUIRED[kind]) if (!Object.hasOwn(data, key)) throw new PayloadError(`a ${kind} pass needs ${REQUIRED[kind]}`);
  return kind;
}
