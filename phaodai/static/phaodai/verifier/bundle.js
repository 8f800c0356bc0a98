/**
 * Rule bundles on the device, the twin of phaodai/passes/bundles.py.
 *
 * A bundle travels as {"bundle": {...}, "kid": <base64>, "sig": <base64 raw r||s>}, the signature
 * ES256 over canonical(bundle): the UTF-8 of its JSON with keys sorted, no spaces and no ASCII
 * escaping, exactly the text Python's json.dumps(sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False) writes. The signature is checked before any field is read.
 *
 * A device keeps the last good bundle: accept() takes an offered one only if a bundle signer it
 * trusts signed it (the anchors pinned when the page was installed, and the bundle-usage entries of
 * the bundle it holds, so a key rotation is followed), the device's clock is not more than five
 * minutes before its issued_at ("device_time_invalid"), and its version is higher than the one held
 * ("older_version"); past its not_after it is kept, with the warning "past_not_after".
 * No dependency, no build step.
 */

import { CodecError, MESSAGES, parseIso, unb64 } from "./codes.js";
import { TrustList, TrustListError } from "./cose.js";

export const FORMAT = "phaodai-bundle/1";
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
const KEYS = ["format", "scope", "version", "issued_at", "not_after", "timezone", "trust_list", "value_sets", "rules"];
const MAX_DEPTH = 64;

/** The text a bundle's signature covers (as a string; its UTF-8 bytes are signed). */
export function canonical(value, depth = 0) {
  if (depth > MAX_DEPTH) throw new TypeError("bundle nested too deeply");
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("bundle numbers must be finite");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item, depth + 1)).join(",")}]`;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const keys = Object.keys(value).sort(byCodePoint);
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key], depth + 1)}`).join(",")}}`;
  }
  throw new TypeError("not a JSON value in a bundle");
}

/** Python sorts text by code point; JavaScript's default sort by UTF-16 unit (they differ past U+FFFF). */
function byCodePoint(a, b) {
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The bundle in a signed document if a bundle signer among `anchors` (a TrustList) signed it; CodecError otherwise. */
export async function openSigned(document, anchors) {
  if (!isObject(document) || !isObject(document.bundle)) throw new CodecError("bad_bundle");
  const kid = unb64(document.kid);
  const signature = unb64(document.sig);
  let message;
  try {
    message = new TextEncoder().encode(canonical(document.bundle));
  } catch {
    throw new CodecError("bad_bundle");
  }
  if (kid === null || signature === null) throw new CodecError("bad_bundle");
  const entry = anchors.find("bundle", kid);
  const good = entry !== undefined && entry.verifyRaw !== null && (await entry.verifyRaw(signature, message));
  if (!good) throw new CodecError("bundle_bad_signature");
  return read(document, document.kid);
}

async function read(document, signedBy) {
  const content = document.bundle;
  const keys = Object.keys(content);
  const issuedAt = parseIso(content.issued_at);
  const notAfter = parseIso(content.not_after);
  const wellFormed =
    keys.length === KEYS.length && KEYS.every((key) => keys.includes(key)) && content.format === FORMAT &&
    Number.isInteger(content.version) && content.version >= 1 &&
    typeof content.scope === "string" && typeof content.timezone === "string" &&
    Array.isArray(content.rules) && isObject(content.value_sets) && issuedAt !== null && notAfter !== null;
  if (!wellFormed) throw new CodecError("bad_bundle");
  let trust;
  try {
    trust = await TrustList.fromJson(content.trust_list);
  } catch (error) {
    if (error instanceof TrustListError || error instanceof DOMException || error instanceof TypeError) throw new CodecError("bad_bundle");
    throw error;
  }
  return {
    document,
    content,
    scope: content.scope,
    version: content.version,
    issuedAt,
    notAfter,
    trust,
    signedBy,
    rules: content.rules,
    valueSets: content.value_sets,
    timezone: content.timezone,
  };
}

/** What a device shows about the bundle it holds: its clock behind the bundle, or the bundle stale. */
export function warnings(bundle, clock) {
  if (clock + CLOCK_SKEW_MS < bundle.issuedAt) return ["device_time_invalid"];
  if (clock > bundle.notAfter) return ["past_not_after"];
  return [];
}

/**
 * Whether a device holding `held` (an opened bundle or null) and trusting `anchors` takes `offered`
 * (a signed document) at `clock` (epoch ms): {accepted, bundle (the one to keep), error, warnings}.
 */
export async function accept(held, offered, { clock, anchors }) {
  const trusted = new TrustList([...anchors.entries, ...(held !== null ? held.trust.entries : [])]);
  let bundle;
  try {
    bundle = await openSigned(offered, trusted);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    return { accepted: false, bundle: held, error: error.code, warnings: [] };
  }
  if (clock + CLOCK_SKEW_MS < bundle.issuedAt) return { accepted: false, bundle: held, error: "device_time_invalid", warnings: [] };
  if (held !== null && bundle.scope === held.scope && bundle.version <= held.version) {
    return { accepted: false, bundle: held, error: "older_version", warnings: [] };
  }
  return { accepted: true, bundle, error: null, warnings: warnings(bundle, clock) };
}

export { MESSAGES };
