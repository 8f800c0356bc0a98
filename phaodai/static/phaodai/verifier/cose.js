/**
 * COSE_Sign1 (RFC 9052) with ES256 and PS256, the twin of phaodai/passes/cose.py and trust.py:
 * take a signed envelope apart, and check its signature with WebCrypto against a trust-list entry.
 *
 * parse() refuses with the Python codes (bad_cose, unsupported_algorithm, bad_kid); an entry's
 * checker refuses with algorithm_mismatch, malformed_signature or bad_signature. A trust-list entry
 * is read from its certificate (DER): the key id must be the first 8 bytes of its SHA-256 and the
 * key is the certificate's own SubjectPublicKeyInfo, so a wrong "public_key" field cannot slip in
 * another key. ES256 signatures are raw r||s (64 bytes), as COSE and WebCrypto both want them.
 * No dependency, no build step.
 */

import { CborError, Tagged, decode } from "./cbor.js";
import { CodecError, parseIso, unb64 } from "./codes.js";

export const ES256 = -7;
export const PS256 = -37;
export const KID_BYTES = 8;
const HEADER_ALG = 1;
const HEADER_KID = 4;
const TAG_SIGN1 = 18;
const ES256_SIGNATURE_BYTES = 64;
// Maps and nesting read as cbor2 reads them on the server (any key, last value wins, 400 levels).
const CBOR2_LIKE = Object.freeze({ anyKeys: true, exactFloats: true, maxDepth: 400 });

/** The parts of a (tagged or untagged) COSE_Sign1: protected (as signed), alg, kid, payload, signature. */
export function parse(data) {
  let item;
  try {
    item = decode(data, CBOR2_LIKE);
  } catch (error) {
    if (error instanceof CborError) throw new CodecError("bad_cose");
    throw error;
  }
  if (item instanceof Tagged) {
    if (item.tag !== TAG_SIGN1) throw new CodecError("bad_cose");
    item = item.value;
  }
  if (!Array.isArray(item) || item.length !== 4) throw new CodecError("bad_cose");
  const [protectedBytes, unprotected, payload, signature] = item;
  if (![protectedBytes, payload, signature].every((part) => part instanceof Uint8Array)) {
    throw new CodecError("bad_cose");
  }
  if (!isMap(unprotected)) throw new CodecError("bad_cose");
  const header = protectedHeader(protectedBytes);
  const alg = headerValue(header, unprotected, HEADER_ALG);
  const kid = headerValue(header, unprotected, HEADER_KID);
  if (!Number.isInteger(alg) || (alg !== ES256 && alg !== PS256)) throw new CodecError("unsupported_algorithm");
  if (!(kid instanceof Uint8Array) || kid.length !== KID_BYTES) throw new CodecError("bad_kid");
  return { protected: protectedBytes, alg, kid, payload, signature };
}

function isMap(value) {
  return value instanceof Map || (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype);
}

function protectedHeader(bytes) {
  if (bytes.length === 0) return new Map();
  let header;
  try {
    header = decode(bytes, CBOR2_LIKE);
  } catch (error) {
    if (error instanceof CborError) throw new CodecError("bad_cose");
    throw error;
  }
  if (!isMap(header)) throw new CodecError("bad_cose");
  return header;
}

/** The protected header's value for an integer label, else the unprotected one's (only the first is signed). */
function headerValue(protectedMap, unprotected, label) {
  for (const header of [protectedMap, unprotected]) {
    if (header instanceof Map && header.has(label)) return header.get(label);
  }
  return undefined;
}

// A 4-item array, then the 10-character text "Signature1" (bytes: TextEncoder would write 0x84 as UTF-8).
const SIG1_HEAD = Uint8Array.from([0x84, 0x6a, ...Array.from("Signature1", (c) => c.charCodeAt(0))]);

/** The Sig_structure both sides sign: ["Signature1", protected, h'', payload]. */
export function toBeSigned(protectedBytes, payload) {
  const head = SIG1_HEAD;
  const parts = [head, bstrHead(protectedBytes.length), protectedBytes, Uint8Array.of(0x40), bstrHead(payload.length), payload];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function bstrHead(length) {
  if (length < 24) return Uint8Array.of(0x40 | length);
  if (length < 0x100) return Uint8Array.of(0x58, length);
  if (length < 0x10000) return Uint8Array.of(0x59, length >> 8, length & 0xff);
  return Uint8Array.of(0x5a, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
}

// --- Trust-list entries ---------------------------------------------------------------------------

/** A trust list entry that cannot be read (bad base64, not a certificate, wrong key id...). */
export class TrustListError extends Error {
  constructor(message) {
    super(message);
    this.name = "TrustListError";
  }
}

const OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const OID_P256 = "1.2.840.10045.3.1.7";
const OID_RSA = "1.2.840.113549.1.1.1";

/**
 * One trusted signer, read from a published entry {kid, usage, certificate, types, valid_from, valid_to}.
 * `check(sign1)` resolves when the signature is the entry's key's, and rejects with a CodecError otherwise.
 */
export async function readEntry(entry) {
  if (entry === null || typeof entry !== "object") throw new TrustListError("malformed trust list entry");
  const certificate = unb64(entry.certificate);
  const kid = unb64(entry.kid);
  const validFrom = parseIso(entry.valid_from);
  const validTo = parseIso(entry.valid_to);
  if (certificate === null || kid === null || validFrom === null || validTo === null) {
    throw new TrustListError("malformed trust list entry");
  }
  if (!["PD1", "HC1", "bundle"].includes(entry.usage) || !Array.isArray(entry.types)) {
    throw new TrustListError("malformed trust list entry");
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", certificate));
  if (!sameBytes(digest.slice(0, KID_BYTES), kid)) throw new TrustListError("the key id does not match the certificate");
  const spki = certificateSpki(certificate);
  const kind = keyKind(spki);
  return {
    kid,
    kidText: entry.kid,
    usage: entry.usage,
    types: new Set(entry.types.map(String)),
    validFrom,
    validTo,
    check: await checker(kind, spki),
    verifyRaw: kind.type === "ec" && kind.curve === OID_P256 ? await rawVerifier(spki) : null,
  };
}

/** Entries found by usage and key id. */
export class TrustList {
  constructor(entries = []) {
    this.entries = entries;
    this.index = new Map(entries.map((entry) => [`${entry.usage}:${entry.kidText}`, entry]));
  }

  static async fromJson(entries) {
    if (!Array.isArray(entries)) throw new TrustListError("a trust list is a list of entries");
    return new TrustList(await Promise.all(entries.map(readEntry)));
  }

  find(usage, kid) {
    return this.index.get(`${usage}:${typeof kid === "string" ? kid : b64text(kid)}`);
  }
}

function b64text(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function sameBytes(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

async function checker(kind, spki) {
  if (kind.type === "ec") {
    if (kind.curve !== OID_P256) return async () => { throw new CodecError("algorithm_mismatch"); };
    const key = await crypto.subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    return async (sign1) => {
      if (sign1.alg !== ES256) throw new CodecError("algorithm_mismatch");
      if (sign1.signature.length !== ES256_SIGNATURE_BYTES) throw new CodecError("malformed_signature");
      const good = await crypto.subtle.verify(
        { name: "ECDSA", hash: "SHA-256" }, key, sign1.signature, toBeSigned(sign1.protected, sign1.payload),
      );
      if (!good) throw new CodecError("bad_signature");
    };
  }
  const key = await crypto.subtle.importKey("spki", spki, { name: "RSA-PSS", hash: "SHA-256" }, false, ["verify"]);
  const signatureBytes = Math.ceil(key.algorithm.modulusLength / 8);
  return async (sign1) => {
    if (sign1.alg !== PS256) throw new CodecError("algorithm_mismatch");
    if (sign1.signature.length !== signatureBytes) throw new CodecError("malformed_signature");
    const good = await crypto.subtle.verify(
      { name: "RSA-PSS", saltLength: 32 }, key, sign1.signature, toBeSigned(sign1.protected, sign1.payload),
    );
    if (!good) throw new CodecError("bad_signature");
  };
}

/** verify(signature, message) for raw ES256 over any bytes (rule bundles). */
async function rawVerifier(spki) {
  const key = await crypto.subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  return (signature, message) =>
    signature.length === ES256_SIGNATURE_BYTES
      ? crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, message)
      : Promise.resolve(false);
}

// --- Just enough DER to find a certificate's key -------------------------------------------------

/** [tag, start of content, end of content] of the DER element at `at`. */
function element(bytes, at) {
  if (at + 2 > bytes.length) throw new TrustListError("not a DER X.509 certificate");
  const tag = bytes[at];
  let length = bytes[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > bytes.length) throw new TrustListError("not a DER X.509 certificate");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
    start += count;
  }
  if (start + length > bytes.length) throw new TrustListError("not a DER X.509 certificate");
  return [tag, start, start + length];
}

/** The children of a constructed element. */
function children(bytes, start, end) {
  const out = [];
  for (let at = start; at < end; ) {
    const child = element(bytes, at);
    out.push([child[0], at, child[1], child[2]]);
    at = child[2];
  }
  return out;
}

/** Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version?, serial, sigAlg, issuer, validity, subject, spki, ...} } */
function certificateSpki(der) {
  const [tag, start, end] = element(der, 0);
  if (tag !== 0x30 || end !== der.length) throw new TrustListError("not a DER X.509 certificate");
  const [tbs] = children(der, start, end);
  if (!tbs || tbs[0] !== 0x30) throw new TrustListError("not a DER X.509 certificate");
  const fields = children(der, tbs[2], tbs[3]);
  const skip = fields[0]?.[0] === 0xa0 ? 1 : 0;
  const spki = fields[skip + 5];
  if (!spki || spki[0] !== 0x30) throw new TrustListError("not a DER X.509 certificate");
  return der.slice(spki[1], spki[3]);
}

function keyKind(spki) {
  const [, start, end] = element(spki, 0);
  const [algorithm] = children(spki, start, end);
  const [oid, parameters] = children(spki, algorithm[2], algorithm[3]);
  if (!oid || oid[0] !== 0x06) throw new TrustListError("not a DER X.509 certificate");
  const name = oidText(spki.slice(oid[2], oid[3]));
  if (name === OID_EC_PUBLIC_KEY) {
    const curve = parameters && parameters[0] === 0x06 ? oidText(spki.slice(parameters[2], parameters[3])) : "";
    return { type: "ec", curve };
  }
  if (name === OID_RSA) return { type: "rsa" };
  throw new TrustListError("the certificate's key is neither EC nor RSA");
}

function oidText(bytes) {
  const parts = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}
