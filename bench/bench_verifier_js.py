"""Bench: the offline checkpoint verifier's time per pass in headless Chromium (decode + verify + rules).

    .venv/bin/python bench/bench_verifier_js.py [--passes N] [--repeat K]   (defaults 300 passes, 5 runs)

No database (it runs the same under `make bench`, which gives it one it ignores); needs Debian's
Chromium (/usr/bin/chromium, or PHAODAI_CHROMIUM) and Playwright. Outside the timed part it makes the
signers of the shared vectors (make_vectors.keys: our pass key, a vehicle-only key, three foreign DCC
signers, a bundle key), the signed S23 bundle as shipped (phaodai/checkpoints/data/rules-s23.json),
N distinct permits (varied holders, doses, groups, zones) signed ES256 and one health declaration,
then serves phaodai/static on 127.0.0.1 and loads the page's modules (rules.js and what it imports)
into a blank page, as a phone would.

Timed inside the page with performance.now(), in chunks of 50 passes, best of K rounds per chunk:
  (a) the page's path for every pass at a city gateway: rules.check(code, null) -- prefix, Base45,
      zlib (DecompressionStream), COSE, ES256 with WebCrypto, claims, expiry, the payload checked
      strictly, key usage, then the bundle's S23 rules (certlogic.js) -- the figure of the BENCH line;
  (a') the same with the holder's health declaration (a second code verified and read by the rules),
      what an officer at a gateway does for a permit, printed beside it;
  (b) the baseline: WebCrypto's ECDSA P-256/SHA-256 verify of N distinct raw signatures over messages
      of the same size (the work no verifier can skip).
value = ms per pass of (a), target < 50 ms; ratio = (b) ms per verification / (a) ms per pass.
"""

import argparse
import json
import os
import random
import sys
import threading
import time
from datetime import timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from phaodai.passes import checking  # noqa: E402
from phaodai.passes.codec import encode_pass  # noqa: E402
from phaodai.passes.payload import PassPayload, PassType  # noqa: E402
from phaodai.passes.tests import builders as b  # noqa: E402
from phaodai.passes.tests.data import make_vectors  # noqa: E402

SEED = 20210909
CHUNK = 50
CHROMIUM = os.environ.get("PHAODAI_CHROMIUM", "/usr/bin/chromium")
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Minh Đức", "Vũ Thu Hà")
GATEWAY = checking.checkpoint_facts("city_gateway", "CN-05", ["/01/268/"])

LOAD = """async () => {
  window.v = {
    cose: await import("/static/phaodai/verifier/cose.js"),
    bundle: await import("/static/phaodai/verifier/bundle.js"),
    rules: await import("/static/phaodai/verifier/rules.js"),
    codes: await import("/static/phaodai/verifier/codes.js"),
  };
}"""

PREPARE = """async (input) => {
  const { cose, bundle, rules, codes } = window.v;
  const data = JSON.parse(input);
  const anchors = await cose.TrustList.fromJson(data.trust_list.filter((e) => e.usage === "bundle"));
  const opened = await bundle.openSigned(data.bundle, anchors);
  window.run = {
    data,
    trust: opened.trust,
    ruleSet: new rules.RuleSet(opened.rules, opened.valueSets, opened.timezone),
    notes: rules.noteIdentifiers(opened.rules),
    version: opened.version,
    clock: codes.parseIso(data.clock),
    key: await crypto.subtle.importKey(
      "spki", Uint8Array.from(atob(data.baseline_key), (c) => c.charCodeAt(0)),
      { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]),
    pairs: data.baseline.map(([m, s]) => [
      Uint8Array.from(atob(m), (c) => c.charCodeAt(0)), Uint8Array.from(atob(s), (c) => c.charCodeAt(0))]),
  };
  return data.codes.length;
}"""

# One chunk of each side: [ms of (a), ms of (a'), ms of (b), allowed in (a')].
CHUNK_RUN = """async ([start, end]) => {
  const { rules } = window.v;
  const r = window.run;
  const options = { trust: r.trust, rules: r.ruleSet, notes: r.notes, checkpoint: r.data.checkpoint,
                    clock: r.clock, bundleVersion: r.version };
  let t0 = performance.now();
  for (let i = start; i < end; i++) await rules.check(r.data.codes[i], null, options);
  const alone = performance.now() - t0;
  let allowed = 0;
  t0 = performance.now();
  for (let i = start; i < end; i++) {
    allowed += (await rules.check(r.data.codes[i], r.data.declaration, options)).decision === "allowed";
  }
  const withDeclaration = performance.now() - t0;
  t0 = performance.now();
  for (let i = start; i < end; i++) {
    const [message, signature] = r.pairs[i];
    await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, r.key, signature, message);
  }
  return [alone, withDeclaration, performance.now() - t0, allowed];
}"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--passes", type=int, default=300, help="distinct passes (default 300)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each side, best counts (default 5)")
    return parser.parse_args()


def make_input(n: int) -> dict[str, Any]:
    """Trust list, signed S23 bundle, N permits and a declaration of one holder, and baseline signatures."""
    import base64

    from cryptography.hazmat.primitives import serialization

    from phaodai.passes import cose

    keys = make_vectors.keys()
    trust = make_vectors.trust_list(keys)
    signer, kid = keys["signer"], make_vectors.kid(keys["signer"], "PD signer")
    rng = random.Random(SEED)
    issued = b.CLOCK - timedelta(hours=1)
    codes = []
    for i in range(n):
        permit = b.permit(
            pass_id=f"GDD-{rng.randrange(100, 999):05d}-{i:06d}",
            purpose_group=rng.randrange(1, 7),
            zones=[f"{rng.randrange(1, 30):03d}" for _ in range(rng.randrange(1, 4))],
            doses=rng.choice((0, 1, 2, 2, 2)),
        )
        codes.append(encode_pass(permit, private_key=signer, kid=kid, issuer="VN", issued_at=issued))
    declaration = PassPayload(
        type=PassType.DECLARATION, pass_id="KBYT-20210908-12", valid_from=b.CLOCK - timedelta(hours=2),
        valid_to=b.CLOCK + timedelta(hours=70), holder="Nguyễn Văn An", birth_year=1985,
        cccd_masked="001******234", symptoms=False, exposure=False,
    )  # fmt: skip
    # The baseline: one key, N distinct messages of a pass's signed size, raw r||s signatures.
    baseline_key = b.ec_key(99)
    size = len(cose.to_be_signed(b"\xa2\x01\x26\x04\x48" + bytes(8), bytes(300)))
    pairs = []
    for i in range(n):
        message = rng.randbytes(size - 8) + i.to_bytes(8, "big")
        pairs.append([message, cose.raw_es256(baseline_key, message)])
    spki = baseline_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    b64 = lambda data: base64.b64encode(data).decode("ascii")  # noqa: E731
    return {
        "trust_list": trust.to_json(),
        "bundle": make_vectors.s23_bundle(keys, trust),
        "clock": b.CLOCK.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "checkpoint": GATEWAY,
        "codes": codes,
        "declaration": encode_pass(declaration, private_key=signer, kid=kid, issuer="VN", issued_at=issued),
        "baseline_key": b64(spki),
        "baseline": [[b64(m), b64(s)] for m, s in pairs],
    }


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve() -> tuple[ThreadingHTTPServer, str]:
    """phaodai/static at /static/, and a blank page at /, on a free port of 127.0.0.1."""
    handler = partial(Quiet, directory=str(ROOT / "phaodai"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def main() -> None:
    from playwright.sync_api import sync_playwright

    args = parse_args()
    t0 = time.perf_counter()
    data = make_input(args.passes)
    mean_chars = sum(map(len, data["codes"])) / len(data["codes"])
    setup = time.perf_counter() - t0
    print(f"{len(data['codes']):,} permits, {mean_chars:.0f} characters each ({setup:.1f} s, not timed)")
    server, base = serve()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            page.route(
                f"{base}/",
                lambda route: route.fulfill(
                    status=200, content_type="text/html", body="<!doctype html><title>bench</title>"
                ),
            )
            page.goto(f"{base}/")
            page.evaluate(LOAD)
            page.evaluate(PREPARE, json.dumps(data))
            n = len(data["codes"])
            chunks = [(start, min(start + CHUNK, n)) for start in range(0, n, CHUNK)]
            allowed = sum(page.evaluate(CHUNK_RUN, list(chunk))[3] for chunk in chunks)  # warm-up, untimed
            print(
                f"allowed {allowed:,} of {n:,} with the declaration (the others fail the doses or group rule)"
            )
            best = [[float("inf")] * 3 for _ in chunks]
            for run in range(1, args.repeat + 1):
                spent = [0.0, 0.0, 0.0]
                for i, chunk in enumerate(chunks):
                    times = page.evaluate(CHUNK_RUN, list(chunk))[:3]
                    best[i] = [min(a, b) for a, b in zip(best[i], times, strict=True)]
                    spent = [a + b for a, b in zip(spent, times, strict=True)]
                print(
                    f"run {run}: pass {spent[0] / n:.2f} ms, pass + declaration {spent[1] / n:.2f} ms, "
                    f"WebCrypto ECDSA P-256 verify {spent[2] / n:.2f} ms",
                    flush=True,
                )
            version = browser.version
            browser.close()
    finally:
        server.shutdown()
    alone, declared, verify_ms = (sum(row[k] for row in best) / n for k in range(3))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"best of {args.repeat} per chunk of {CHUNK}; Chromium {version}; load average {load}")
    print(f"per pass with the health declaration: {declared:.2f} ms")
    print(
        f"BENCH name=verifier_js value={alone:.2f} unit=ms/pass baseline={verify_ms:.2f} "
        f"ratio={verify_ms / alone:.2f} target=value<50"
    )


if __name__ == "__main__":
    main()
