/**
 * Why a code or a bundle was refused: the stable codes and English messages of
 * phaodai/passes/codes.py, word for word (the shared vectors compare them). Pages show the
 * translated message of a code (phaodai/passes/messages.py, handed over by the page).
 */

export const MESSAGES = Object.freeze({
  too_long: "The code is longer than any pass.",
  bad_prefix: "This is not a pass code (unknown prefix).",
  bad_base45: "The code is damaged (not Base45).",
  bad_zlib: "The code is damaged (compression).",
  inflated_too_large: "The code unpacks to more data than any pass holds.",
  bad_cose: "The code is damaged (signed envelope).",
  unsupported_algorithm: "The code is signed with an algorithm that is not accepted.",
  bad_kid: "The code names its signing key wrongly.",
  unknown_kid: "The code was signed with a key that is not in the trust list.",
  algorithm_mismatch: "The signing algorithm does not match the signer's key.",
  malformed_signature: "The signature is malformed.",
  bad_signature: "The signature does not match: the code was altered or forged.",
  bad_claims: "The signed claims are malformed.",
  signer_not_yet_valid: "The signer's certificate is not valid yet.",
  signer_expired: "The signer's certificate has expired.",
  not_yet_valid: "The pass was issued in the future (check the device's clock).",
  expired: "The pass has expired.",
  bad_payload: "The pass content is malformed.",
  key_usage: "The signer is not allowed to sign this kind of pass.",
  not_a_pass: "This is not a pass that lets one through a checkpoint.",
  not_a_declaration: "The second code is not a health declaration.",
  no_rules: "No rule of the bundle applies at this time: get a current bundle.",
  bad_bundle: "The rule bundle is malformed.",
  bundle_bad_signature: "The rule bundle's signature does not match.",
  older_version: "The rule bundle is older than the one held.",
  device_time_invalid: "The device's time is earlier than the bundle's signing time: device time invalid.",
  past_not_after: "The rule bundle is past its not-after date; get a newer one.",
});

/** A refusal with a stable code; its message never holds the offending content. */
export class CodecError extends Error {
  constructor(code) {
    super(MESSAGES[code] ?? code);
    this.name = "CodecError";
    this.code = code;
  }
}

/** Base64 (standard alphabet, padded) to bytes; null for anything else, as Python's validate=True. */
export function unb64(text) {
  if (typeof text !== "string" || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

export function b64(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

/** An aware instant from ISO 8601 text (Python's datetime.fromisoformat with an offset); null otherwise. */
export function parseIso(text) {
  if (typeof text !== "string") return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)$/.exec(
    text,
  );
  if (match === null) return null;
  const [, y, mo, d, h, mi, s = "0", fraction = "0", zone] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  let offset = 0;
  if (zone !== "Z") {
    const digits = zone.slice(1).replaceAll(":", "");
    const [oh, om = 0, os = 0] = [digits.slice(0, 2), digits.slice(2, 4) || "0", digits.slice(4, 6) || "0"].map(Number);
    if (om > 59 || os > 59 || oh > 23) return null;
    offset = (zone[0] === "-" ? -1 : 1) * (oh * 3600 + om * 60 + os);
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offset * 1000;
  return ms + Number(fraction.padEnd(6, "0")) / 1000;
}

function daysIn(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** "YYYY-MM-DDTHH:MM:SSZ" of epoch milliseconds (seconds cut): the one form our JSON uses. */
export function isoText(ms) {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
