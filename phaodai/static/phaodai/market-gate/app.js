/**
 * The market gate page (markets:gate): the checkpoint verifier in a market mode. Scan or paste a
 * market pass, verify it on the device against the held "markets" bundle, refuse a single-use pass
 * already let in on this device (with the time of its first use), log every scan and sync the log to
 * the server when online, which flags a pass used twice across devices.
 *
 * - The page hands over (json_script "gate-config") the market's facts for the rules, whether its
 *   ward's passes are single-use, the bundle signers to pin, the API addresses and every string.
 * - Verification and rules are the checkpoint verifier's own modules (../verifier/), unchanged:
 *   bundles are pinned on first use and taken only as bundle.js accept() says; rules.js check()
 *   decides at the device's clock with the market as external.checkpoint.
 * - Single use: the first allowed entry of a pass is kept in IndexedDB ("used"); a second entry of the
 *   same pass on this device is refused with "already_used" and when it was first used.
 * See docs/decisions/0027-market-gate.md. No dependency besides jsQR, no build step.
 */

import * as store from "./store.js";
import { cameraScanner } from "../verifier/camera.js";
import { TrustList } from "../verifier/cose.js";
import { accept, openSigned, warnings } from "../verifier/bundle.js";
import { RuleSet, check, noteIdentifiers } from "../verifier/rules.js";
import { verify } from "../verifier/codec.js";

const config = JSON.parse(document.getElementById("gate-config").textContent);
const S = config.strings;
const message = (code) => config.messages[code] ?? code;
const $ = (id) => document.getElementById(id);
const format = (text, values) => text.replace(/%\((\w+)\)s/g, (_, key) => String(values[key]));

// As phaodai/markets/gate.py: what the server's sync accepts.
const PASS_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,39}$/;
const MAX_REASON = 40;
const SYNC_BATCH = 500;
const SYNC_EVERY_MS = 30_000;
const ALREADY_USED = "already_used";
const MARKET_CLOSED = "market_closed";

const state = { db: null, deviceId: null, bundle: null, ruleSet: null, notes: new Set(), bundleNotice: null, syncNotice: null, syncing: false };

async function main() {
  addManifest();
  registerWorker();
  state.db = await store.open();
  state.deviceId = await ensureDeviceId();
  await pinAnchors();
  await loadHeldBundle();
  wire();
  await renderStatus();
  window.addEventListener("online", () => refresh());
  window.addEventListener("offline", () => renderStatus());
  setInterval(() => sync(), SYNC_EVERY_MS);
  document.body.dataset.gateReady = "true";
  await refresh();
}

function addManifest() {
  const link = document.createElement("link");
  link.rel = "manifest";
  link.href = $("gate").dataset.manifest;
  document.head.append(link);
}

function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(config.urls.worker, { scope: config.urls.page }).catch(() => {});
}

function randomHex(bytes) {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function ensureDeviceId() {
  let id = await state.db.get("device_id");
  if (!id) {
    id = `gate-${randomHex(8)}`;
    await state.db.set("device_id", id);
  }
  return id;
}

// --- Bundles (as the checkpoint verifier) ---------------------------------------------------------

async function pinAnchors() {
  const pinned = await state.db.get("anchors");
  if ((!pinned || pinned.length === 0) && config.anchors.length) await state.db.set("anchors", config.anchors);
}

async function trustedSigners() {
  const entries = [...((await state.db.get("anchors")) ?? []), ...((await state.db.get("bundle_keys")) ?? [])];
  const seen = new Set();
  return TrustList.fromJson(entries.filter((entry) => !seen.has(entry.kid) && seen.add(entry.kid)));
}

async function loadHeldBundle() {
  const held = await state.db.get("bundle");
  if (!held) return;
  try {
    activate(await openSigned(held, await trustedSigners()));
  } catch (error) {
    state.bundleNotice = message(error?.code ?? "bad_bundle");
  }
}

function activate(bundle) {
  state.bundle = bundle;
  state.ruleSet = new RuleSet(bundle.rules, bundle.valueSets, bundle.timezone);
  state.notes = noteIdentifiers(bundle.rules);
}

async function refresh() {
  await refreshBundle();
  await refreshInside();
  await renderStatus();
  await sync();
}

async function refreshBundle() {
  if (!navigator.onLine) return;
  let response;
  try {
    response = await fetch(config.urls.bundle, { cache: "no-cache", credentials: "same-origin" });
  } catch {
    return;
  }
  if (!response.ok) return;
  let offered;
  try {
    offered = await response.json();
  } catch {
    state.bundleNotice = `${S.bundle_refused} ${message("bad_bundle")}`;
    return;
  }
  const answer = await accept(state.bundle, offered, { clock: Date.now(), anchors: await trustedSigners() });
  if (answer.accepted) {
    try {
      new RuleSet(answer.bundle.rules, answer.bundle.valueSets, answer.bundle.timezone);
    } catch {
      state.bundleNotice = `${S.bundle_refused} ${message("bad_bundle")}`;
      return;
    }
    const learned = (answer.bundle.content.trust_list ?? []).filter((entry) => entry.usage === "bundle");
    const known = (await state.db.get("bundle_keys")) ?? [];
    await state.db.set("bundle_keys", [...known, ...learned.filter((e) => !known.some((k) => k.kid === e.kid))]);
    await state.db.set("bundle", offered);
    const hadOne = state.bundle !== null;
    activate(answer.bundle);
    state.bundleNotice = hadOne ? S.bundle_updated : null;
  } else if (answer.error !== "older_version") {
    state.bundleNotice = `${S.bundle_refused} ${message(answer.error)}`;
  }
}

async function refreshInside() {
  if (!navigator.onLine) return;
  try {
    const response = await fetch(config.urls.inside, { credentials: "same-origin" });
    if (!response.ok) return;
    const body = await response.json();
    $("inside-status").textContent = format(S.inside, { n: body.inside_now, capacity: body.capacity });
    $("inside-status").dataset.inside = String(body.inside_now);
  } catch {
    // offline after all: the last count stays
  }
}

function age(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60000));
  if (minutes < 120) return format(S.minutes, { n: minutes });
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? format(S.hours_ago, { n: hours }) : format(S.days, { n: Math.floor(hours / 24) });
}

async function renderStatus() {
  const bundleLine = $("bundle-status");
  const now = Date.now();
  if (state.bundle === null) {
    bundleLine.textContent = S.no_bundle;
    bundleLine.dataset.version = "";
  } else {
    const text = format(S.bundle_version, { version: state.bundle.version, age: age(now - state.bundle.issuedAt) });
    const warned = warnings(state.bundle, now).map(message);
    bundleLine.textContent = [`${S.bundle}: ${text}`, ...warned].join(" — ");
    bundleLine.dataset.version = String(state.bundle.version);
    bundleLine.classList.toggle("warning", warned.length > 0);
  }
  $("bundle-notice").textContent = state.bundleNotice ?? "";
  $("bundle-notice").hidden = !state.bundleNotice;
  const network = $("network-status");
  network.textContent = navigator.onLine ? S.online : S.offline;
  network.dataset.online = String(navigator.onLine);
  const pending = await state.db.countBy(0);
  const rejected = await state.db.countBy(2);
  const flagged = await state.db.countFlagged();
  const parts = [pending ? format(S.sync_pending, { n: pending }) : S.sync_done];
  if (rejected) parts.push(format(S.sync_rejected, { n: rejected }));
  if (flagged) parts.push(format(S.sync_flagged, { n: flagged }));
  if (state.syncNotice) parts.push(state.syncNotice);
  const line = $("sync-status");
  line.textContent = parts.join(" — ");
  line.dataset.pending = String(pending);
  line.dataset.flagged = String(flagged);
}

// --- Checking ---------------------------------------------------------------------------------------

function wire() {
  $("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    decide().catch(showCrash);
  });
  $("next").addEventListener("click", reset);
  const camera = cameraScanner({
    button: $("camera"),
    video: $("camera-view"),
    canvas: $("camera-frame"),
    note: $("camera-note"),
    strings: S,
    onCode: (text) => {
      $("code").value = text;
      $("scan-form").requestSubmit();
    },
  });
  $("camera").addEventListener("click", camera.toggle);
}

function showCrash(error) {
  showOnly(null, `${S.cannot_decide}: ${error?.message ?? error}`);
}

function localTime(ms) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: state.bundle?.timezone ?? "Asia/Ho_Chi_Minh", hourCycle: "h23", day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
  }).formatToParts(new Date(ms));
  const part = Object.fromEntries(parts.map((p) => [p.type, p.value]));
  return `${part.hour}:${part.minute} ${part.day}/${part.month}/${part.year}`;
}

async function decide() {
  const code = $("code").value.trim();
  if (!code) return showOnly(null, S.empty_code);
  if (state.bundle === null) return showOnly(null, `${S.cannot_decide}: ${S.no_bundle}`);
  const clock = Date.now();
  if (warnings(state.bundle, clock).includes("device_time_invalid")) {
    return showOnly(null, `${S.cannot_decide}: ${message("device_time_invalid")}`);
  }
  const direction = $("direction").value === "out" ? "out" : "in";
  const answer = await check(code, null, {
    trust: state.bundle.trust,
    rules: state.ruleSet,
    notes: state.notes,
    checkpoint: config.market.facts,
    clock,
    bundleVersion: state.bundle.version,
    language: config.language,
    message,
  });
  const passId = PASS_ID.test(answer.pass_id ?? "") ? answer.pass_id : "";
  if (answer.holder !== null) {
    // The slot as printed, for the keeper to read (check() answers no payload): an authentic code only.
    const hours = (await verify(code, state.bundle.trust, clock)).payload?.hr;
    answer.hours = Array.isArray(hours) ? hours.map(String) : null;
  }
  let firstUse = null;
  if (answer.decision === "allowed" && !passId) {
    answer.decision = "denied"; // as the server: authentic, but no pass id the log can keep
    answer.reasons = [{ rule: "bad_payload", description: message("bad_payload") }];
  } else if (direction === "out" && passId) {
    answer.decision = "allowed"; // leaving is never refused: the scan counts the exit
    answer.reasons = [];
  } else if (answer.decision === "allowed" && !config.market.open) {
    answer.decision = "denied"; // as the server: a closed market lets nobody in (known when the page loaded)
    answer.reasons = [{ rule: MARKET_CLOSED, description: message(MARKET_CLOSED) }];
  } else if (answer.decision === "allowed" && passId && config.market.single_use) {
    firstUse = await state.db.claimUse({ pass_id: passId, at: clock, market: config.market.code });
    if (firstUse !== null) {
      answer.decision = "denied";
      answer.reasons = [{ rule: ALREADY_USED, description: message(ALREADY_USED) }];
    }
  }
  showResult(answer, direction, firstUse);
  await log(answer, passId, direction, clock, firstUse);
}

function showOnly(decision, text) {
  $("result").hidden = false;
  const verdict = $("verdict");
  verdict.textContent = text;
  verdict.dataset.decision = decision ?? "none";
  for (const id of ["holder", "reasons"]) $(id).replaceChildren();
  $("holder").hidden = true;
  $("log-status").textContent = "";
  $("result").scrollIntoView({ block: "start" });
}

function showResult(answer, direction, firstUse) {
  const allowed = answer.decision === "allowed";
  showOnly(answer.decision, allowed ? (direction === "out" ? S.exit : S.allowed) : S.denied);
  const rows = [];
  if (answer.holder?.name) rows.push([S.name, answer.holder.name, "holder-name"]);
  if (answer.holder?.birth_year) rows.push([S.birth_year, String(answer.holder.birth_year), "holder-birth-year"]);
  if (answer.holder?.cccd_masked) rows.push([S.cccd, answer.holder.cccd_masked, "holder-cccd"]);
  if (answer.hours) rows.push([S.hours, answer.hours.join("–"), "pass-hours"]);
  const holder = $("holder");
  for (const [label, value, id] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    dd.id = id;
    holder.append(dt, dd);
  }
  holder.hidden = rows.length === 0;
  const reasons = answer.reasons.map((reason) => item(reason.description, reason.rule));
  if (firstUse !== null) {
    const when = item(format(S.first_use, { time: localTime(firstUse.at) }), "first-use");
    when.id = "first-use";
    reasons.push(when);
  }
  $("reasons").replaceChildren(...reasons);
}

function item(text, rule) {
  const li = document.createElement("li");
  li.textContent = text;
  li.dataset.rule = rule;
  return li;
}

function reset() {
  $("camera-note").textContent = "";
  $("code").value = "";
  $("result").hidden = true;
  $("code").focus();
}

// --- The local log and its sync ---------------------------------------------------------------------

async function log(answer, passId, direction, clock, firstUse) {
  const reason = answer.decision === "allowed" ? "" : String(answer.reasons[0]?.rule ?? "").slice(0, MAX_REASON);
  await state.db.addEntry({
    entry_key: `${state.deviceId}-${clock.toString(36)}-${randomHex(3)}`,
    scanned_at: new Date(clock).toISOString(),
    allowed: answer.decision === "allowed",
    pass_id: passId,
    reason,
    direction,
    first_used_at: firstUse === null ? null : new Date(firstUse.at).toISOString(),
    synced: 0,
  });
  $("log-status").textContent = S.logged;
  await renderStatus();
  sync();
}

function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

const ENTRY_FIELDS = ["entry_key", "scanned_at", "allowed", "pass_id", "reason", "direction"];

async function sync() {
  if (state.syncing || !navigator.onLine) return;
  state.syncing = true;
  try {
    const waiting = await state.db.waiting();
    for (let start = 0; start < waiting.length; start += SYNC_BATCH) {
      const entries = waiting.slice(start, start + SYNC_BATCH).map((record) => Object.fromEntries(ENTRY_FIELDS.map((k) => [k, record[k]])));
      const response = await fetch(config.urls.sync, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken") },
        body: JSON.stringify({ device: state.deviceId, entries }),
      });
      if (response.status === 401 || response.status === 403) {
        state.syncNotice = S.sync_signed_out;
        return;
      }
      if (!response.ok) {
        state.syncNotice = S.sync_failed;
        return;
      }
      await state.db.markSynced((await response.json()).results);
    }
    state.syncNotice = null;
    await refreshInside();
  } catch {
    state.syncNotice = S.sync_failed;
  } finally {
    state.syncing = false;
    await renderStatus();
  }
}

main().catch((error) => {
  document.body.dataset.gateReady = "error";
  showCrash(error);
});
