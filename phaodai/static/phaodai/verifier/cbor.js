/**
 * A small, strict CBOR (RFC 8949) decoder for what HCERT codes hold: COSE_Sign1 (tag 18), CWT
 * claims, the certificate's JSON-like payload.
 *
 * decode(bytes) reads exactly one item and refuses, with CborError, anything it cannot vouch for:
 * truncated input, trailing bytes, lengths beyond the input (checked before anything is allocated),
 * nesting deeper than `maxDepth`, integers beyond ±(2^53 - 1), malformed UTF-8, reserved or
 * ill-formed additional information, a break outside an indefinite-length item, map keys other than
 * integers and text, and duplicate keys. It never loops on its own: every step consumes input.
 *
 * Values: integers and floats (16, 32, 64 bits) as numbers; byte strings as Uint8Array; text as
 * strings; arrays as arrays; a map whose keys are all text as a plain object, any other map as a
 * Map (COSE headers and CWT claims use integer keys); false, true, null and undefined as
 * themselves; other simple values as Simple; tags as Tagged (tag 0 must hold text, tag 1 a number,
 * tag 18 an array). Indefinite-length strings, arrays and maps are read. No dependency, no build step.
 *
 * `anyKeys: true` reads maps as Python's cbor2 does, for the codec's parity with the server: any item
 * may be a key (such a map is a Map) and a repeated key keeps its last value. `exactFloats: true`
 * reads a float holding a whole number as a Float, so it is not taken for an integer.
 */

/** Bytes that are not the one well-formed CBOR item this decoder accepts. */
export class CborError extends Error {
  constructor(message) {
    super(message);
    this.name = "CborError";
  }
}

/** A tagged item: tag number and content. */
export class Tagged {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
    Object.freeze(this);
  }
}

/** A simple value other than false, true, null and undefined. */
export class Simple {
  constructor(value) {
    this.value = value;
    Object.freeze(this);
  }
}

/** A float whose value is a whole number (2.0), read with `exactFloats`: Python tells it from the integer 2. */
export class Float {
  constructor(value) {
    this.value = value;
    Object.freeze(this);
  }
}

export const DEFAULT_MAX_DEPTH = 32;

const BREAK = Symbol("break");
const TEXT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The one CBOR item `bytes` holds (a Uint8Array or an ArrayBuffer). */
export function decode(bytes, { maxDepth = DEFAULT_MAX_DEPTH, anyKeys = false, exactFloats = false } = {}) {
  let data;
  if (bytes instanceof Uint8Array) data = bytes;
  else if (bytes instanceof ArrayBuffer) data = new Uint8Array(bytes);
  else throw new CborError("CBOR input must be bytes");
  const reader = new Reader(data, maxDepth, anyKeys, exactFloats);
  const value = reader.item(0);
  if (value === BREAK) throw new CborError("a break outside an indefinite-length item");
  if (reader.offset !== data.length) throw new CborError("trailing bytes after the CBOR item");
  return value;
}

class Reader {
  constructor(data, maxDepth, anyKeys, exactFloats) {
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.offset = 0;
    this.maxDepth = maxDepth;
    this.anyKeys = anyKeys;
    this.exactFloats = exactFloats;
  }

  remaining() {
    return this.data.length - this.offset;
  }

  need(count) {
    if (count > this.remaining()) throw new CborError("truncated CBOR");
  }

  byte() {
    this.need(1);
    return this.data[this.offset++];
  }

  /** The argument of an initial byte: a count, a length, an integer or a tag number (null: indefinite). */
  argument(info) {
    if (info < 24) return info;
    const view = this.view;
    const at = this.offset;
    switch (info) {
      case 24:
        this.need(1);
        this.offset += 1;
        return view.getUint8(at);
      case 25:
        this.need(2);
        this.offset += 2;
        return view.getUint16(at);
      case 26:
        this.need(4);
        this.offset += 4;
        return view.getUint32(at);
      case 27: {
        this.need(8);
        this.offset += 8;
        const high = view.getUint32(at);
        const low = view.getUint32(at + 4);
        if (high >= 0x200000) throw new CborError("an integer beyond 2^53 - 1");
        return high * 0x100000000 + low;
      }
      case 31:
        return null;
      default:
        throw new CborError(`reserved additional information ${info}`);
    }
  }

  item(depth) {
    if (depth > this.maxDepth) throw new CborError(`CBOR nested deeper than ${this.maxDepth} levels`);
    const initial = this.byte();
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7) return this.special(info);
    const argument = this.argument(info);
    switch (major) {
      case 0:
        return this.integer(argument);
      case 1:
        // -1 - n stays a safe integer only for n up to 2^53 - 2
        if (this.integer(argument) > Number.MAX_SAFE_INTEGER - 1) throw new CborError("an integer beyond -(2^53 - 1)");
        return -1 - argument;
      case 2:
        return argument === null ? this.chunks(2) : this.bytes(argument);
      case 3:
        return argument === null ? textOf(this.chunks(3)) : this.text(argument);
      case 4:
        return this.array(argument, depth);
      case 5:
        return this.map(argument, depth);
      default:
        return this.tagged(argument, depth);
    }
  }

  integer(argument) {
    if (argument === null) throw new CborError("an integer cannot have an indefinite length");
    return argument;
  }

  bytes(length) {
    this.need(length);
    const start = this.offset;
    this.offset += length;
    return this.data.slice(start, start + length);
  }

  text(length) {
    return textOf(this.bytes(length));
  }

  /** The concatenated chunks of an indefinite-length string; each chunk a definite string of the same type. */
  chunks(major) {
    const parts = [];
    let total = 0;
    for (;;) {
      const initial = this.byte();
      if (initial === 0xff) break;
      if (initial >> 5 !== major) throw new CborError("a chunk of another type in an indefinite-length string");
      const length = this.argument(initial & 0x1f);
      if (length === null) throw new CborError("an indefinite-length chunk in an indefinite-length string");
      const chunk = this.bytes(length);
      if (major === 3) textOf(chunk); // each text chunk must be valid UTF-8 on its own
      parts.push(chunk);
      total += chunk.length;
    }
    const joined = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    return joined;
  }

  array(count, depth) {
    const items = [];
    if (count === null) {
      for (;;) {
        const value = this.item(depth + 1);
        if (value === BREAK) return items;
        items.push(value);
      }
    }
    if (count > this.remaining()) throw new CborError("an array longer than the input");
    for (let i = 0; i < count; i++) items.push(this.definite(depth + 1));
    return items;
  }

  map(count, depth) {
    const entries = [];
    if (count === null) {
      for (;;) {
        const key = this.key(depth + 1, true);
        if (key === BREAK) break;
        entries.push([key, this.definite(depth + 1)]);
      }
    } else {
      if (count * 2 > this.remaining()) throw new CborError("a map longer than the input");
      for (let i = 0; i < count; i++) entries.push([this.key(depth + 1, false), this.definite(depth + 1)]);
    }
    const seen = new Set();
    let allText = true;
    for (const [key] of entries) {
      const kind = typeof key;
      const id = `${kind}:${key}`;
      if (seen.has(id) && !this.anyKeys) throw new CborError("a duplicate map key");
      seen.add(id);
      allText &&= kind === "string";
    }
    if (!allText) return new Map(entries);
    const object = {};
    for (const [key, value] of entries) {
      // defineProperty, so a "__proto__" key is data and never the object's prototype
      Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return object;
  }

  tagged(tag, depth) {
    if (tag === null) throw new CborError("a tag cannot have an indefinite length");
    const value = this.definite(depth + 1);
    if (tag === 0 && typeof value !== "string") throw new CborError("tag 0 must hold a date-time text");
    if (tag === 1 && typeof value !== "number") throw new CborError("tag 1 must hold a number");
    if (tag === 18 && !Array.isArray(value)) throw new CborError("tag 18 must hold a COSE_Sign1 array");
    return new Tagged(tag, value);
  }

  /** A map key: an integer or text (or, ending an indefinite-length map, a break). */
  key(depth, breakAllowed) {
    this.need(1);
    const initial = this.data[this.offset];
    if (breakAllowed && initial === 0xff) return this.item(depth);
    if (this.anyKeys) return this.definite(depth);
    const major = initial >> 5;
    if (major !== 0 && major !== 1 && major !== 3) throw new CborError("a map key other than an integer or text");
    return this.item(depth);
  }

  /** An item where a break cannot stand. */
  definite(depth) {
    const value = this.item(depth);
    if (value === BREAK) throw new CborError("a break where an item must stand");
    return value;
  }

  float(value) {
    return this.exactFloats && Number.isInteger(value) ? new Float(value) : value;
  }

  special(info) {
    const view = this.view;
    const at = this.offset;
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 24: {
        const value = this.byte();
        if (value < 32) throw new CborError("a simple value below 32 in two bytes");
        return new Simple(value);
      }
      case 25:
        this.need(2);
        this.offset += 2;
        return this.float(halfFloat(view.getUint16(at)));
      case 26:
        this.need(4);
        this.offset += 4;
        return this.float(view.getFloat32(at));
      case 27:
        this.need(8);
        this.offset += 8;
        return this.float(view.getFloat64(at));
      case 31:
        return BREAK;
      default:
        if (info < 20) return new Simple(info);
        throw new CborError(`reserved additional information ${info}`);
    }
  }
}

function textOf(bytes) {
  try {
    return TEXT.decode(bytes);
  } catch {
    throw new CborError("text that is not UTF-8");
  }
}

function halfFloat(half) {
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  const sign = half & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}
