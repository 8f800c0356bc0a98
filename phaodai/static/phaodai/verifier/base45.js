/**
 * Base45 (RFC 9285): bytes as the characters a QR code's alphanumeric mode stores compactly.
 *
 * decode() refuses anything encode() could not have produced, as phaodai.passes.base45 does: a
 * character outside the alphabet (lower case included), a length of 3n+1, a group above 65535 or a
 * final pair above 255. No dependency, no build step.
 */

export const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

const VALUE = new Map(Array.from(ALPHABET, (char, value) => [char, value]));

/** Text that is not Base45. */
export class Base45Error extends Error {
  constructor(message) {
    super(message);
    this.name = "Base45Error";
  }
}

/** Each pair of bytes as three characters (least significant first), a last lone byte as two. */
export function encode(bytes) {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let text = "";
  for (let i = 0; i + 1 < data.length; i += 2) {
    const value = (data[i] << 8) | data[i + 1];
    text += ALPHABET[value % 45] + ALPHABET[Math.floor(value / 45) % 45] + ALPHABET[Math.floor(value / 2025)];
  }
  if (data.length % 2) {
    const last = data[data.length - 1];
    text += ALPHABET[last % 45] + ALPHABET[Math.floor(last / 45)];
  }
  return text;
}

/** The bytes `text` encodes; Base45Error for anything encode() could not have produced. */
export function decode(text) {
  if (typeof text !== "string") throw new Base45Error("Base45 input must be text");
  if (text.length % 3 === 1) throw new Base45Error("Base45 text cannot have a length of 3n+1");
  const values = new Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const value = VALUE.get(text[i]);
    if (value === undefined) throw new Base45Error("a character outside the Base45 alphabet");
    values[i] = value;
  }
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  const whole = text.length - (text.length % 3);
  for (let i = 0; i < whole; i += 3) {
    const value = values[i] + values[i + 1] * 45 + values[i + 2] * 2025;
    if (value > 0xffff) throw new Base45Error("a Base45 group above 65535");
    out[o++] = value >> 8;
    out[o++] = value & 0xff;
  }
  if (whole < text.length) {
    const value = values[whole] + values[whole + 1] * 45;
    if (value > 0xff) throw new Base45Error("a final Base45 pair above 255");
    out[o++] = value;
  }
  return out;
}
