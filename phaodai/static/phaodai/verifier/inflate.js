/**
 * zlib inflate (RFC 1950) through the browser's own DecompressionStream("deflate"), with a hard cap
 * on the bytes it will produce, so a zlib bomb in a QR code is refused instead of filling memory.
 *
 * The input goes in small slices and the output is counted as it comes: at most one slice's worth
 * of output (deflate expands at most about 1032:1) is ever produced past the cap before the stream
 * is cancelled. Broken, truncated or trailing data, and a cap exceeded, reject with InflateError.
 * No dependency, no build step.
 */

/** zlib data that cannot be inflated within the cap. */
export class InflateError extends Error {
  /** `code`: the codec's refusal, "inflated_too_large" past the cap, "bad_zlib" for anything else. */
  constructor(message, code = "bad_zlib") {
    super(message);
    this.name = "InflateError";
    this.code = code;
  }
}

// As phaodai.passes.codec.MAX_INFLATED_BYTES: a DCC inflates to 1-3 KiB, our passes to less.
export const DEFAULT_MAX_OUTPUT = 16 * 1024;
const SLICE = 256;

/** The bytes `data` (a Uint8Array or ArrayBuffer of zlib data) inflates to, at most `maxOutput` of them. */
export async function inflate(data, { maxOutput = DEFAULT_MAX_OUTPUT } = {}) {
  if (typeof DecompressionStream !== "function") throw new InflateError("this browser cannot inflate zlib data");
  const input = data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null;
  if (input === null) throw new InflateError("zlib input must be bytes");
  let offset = 0;
  const source = new ReadableStream(
    {
      pull(controller) {
        if (offset >= input.length) {
          controller.close();
          return;
        }
        controller.enqueue(input.slice(offset, offset + SLICE));
        offset += SLICE;
      },
    },
    { highWaterMark: 0 },
  );
  const reader = source.pipeThrough(new DecompressionStream("deflate")).getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxOutput) {
        reader.cancel().catch(() => {});
        throw new InflateError(`inflates to more than ${maxOutput} bytes`, "inflated_too_large");
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof InflateError) throw error;
    throw new InflateError("not valid zlib data");
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  // A zlib stream ends with the Adler-32 of its output; anything after it is trailing data (some
  // DecompressionStream implementations ignore it, Chromium refuses it).
  const tail = input.length >= 4 ? new DataView(input.buffer, input.byteOffset + input.length - 4, 4).getUint32(0) : -1;
  if (tail !== adler32(out)) throw new InflateError("data after the end of the zlib stream");
  return out;
}

function adler32(bytes) {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i += 3800) {
    const end = Math.min(i + 3800, bytes.length); // sums stay exact below 2^53 between reductions
    for (let j = i; j < end; j++) {
      a += bytes[j];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return (b * 65536 + a) >>> 0;
}
