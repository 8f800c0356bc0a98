/**
 * The offline checkpoint verifier page (checkpoints:verifier): scan or paste a pass, verify it on
 * the device against the held rule bundle, show the decision, log it and sync the log when online.
 *
 * - The page hands over (json_script "verifier-config") the checkpoint's facts, the bundle signers
 *   to pin, the API addresses and every string, translated by Django.
 * - Bundles: the signers are pinned on first use (IndexedDB); a downloaded bundle is taken only as
 *   bundle.js accept() says (signed by a pinned or chained key, newer, device clock not behind it);
 *   the last good one is kept and used offline. The bundle's trust list verifies the passes.
 * - A decision is rules.js check() at the device's clock; when a failed rule reads the holder's
 *   health declaration, the page asks for the declaration's code before deciding.
 * - Each decision naming a pass or a plate is logged under a local id and synced to the crossing
 *   log (POST, idempotent per device and local id) whenever the network is there.
 * See docs/decisions/0024-offline-checkpoint-verifier.md. No dependency besides jsQR, no build step.
 */

import * as store from "./store.js";
import { cameraScanner } from "./camera.js";
import { TrustList } from "./cose.js";
import { accept, openSigned, warnings } from "./bundle.js";
import { RuleSet, check, noteIdentifiers } from "./rules.js";

const config = JSON.parse(document.getElementById("verifier-config").textContent);
const S = config.strings;
const message = (code) => config.messages[code] ?? code;
const $ = (id) => document.getElementById(id);
const format = (text, values) => text.replace(/%\((\w+)\)s/g, (_, key) => String(values[key]));

// As phaodai/checkpoints/rules.py: what the crossing log accepts.
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PASS_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const PLATE = /^[0-9]{2}[A-Z]{1,2}[0-9]?-?[0-9]{3,6}$/;
const PASS_TYPES = ["permit", "declaration", "vehicle", "transit", "shipper", "market", "hcert"];
const MAX_FAILED_RULES = 20;
const MAX_DESCRIPTION = 300;
const SYNC_BATCH = 500;
const SYNC_EVERY_MS = 30_000;

const state = {
  db: null,
  deviceId: null,
  bundle: null,
  ruleSet: null,
  notes: new Set(),
  declarationRules: new Set(),
  bundleNotice: null,
  syncNotice: null,
  syncing: false,
  pending: null,
};

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
  document.body.dataset.verifierReady = "true";
  await refresh();
}

function addManifest() {
  const link = document.createElement("link");
  link.rel = "manifest";
  link.href = document.getElementById("verifier").dataset.manifest;
  document.head.append(link);
}

function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(config.urls.worker, { scope: config.urls.page }).catch(() => {});
}

async function ensureDeviceId() {
  let id = await state.db.get("device_id");
  if (!id) {
    id = `web-${randomHex(8)}`;
    await state.db.set("device_id", id);
  }
  return id;
}

function randomHex(bytes) {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- Bundles ----------------------------------------------------------------------------------------

/** The bundle signers are pinned the first time the page runs with some (trust on first use). */
async function pinAnchors() {
  const pinned = await state.db.get("anchors");
  if ((!pinned || pinned.length === 0) && config.anchors.length) await state.db.set("anchors", config.anchors);
}

/** The pinned signers and the bundle keys learned from bundles taken since. */
async function trustedSigners() {
  const entries = [...((await state.db.get("anchors")) ?? []), ...((await state.db.get("bundle_keys")) ?? [])];
  const seen = new Set();
  return TrustList.fromJson(entries.filter((entry) => !seen.has(entry.kid) && seen.add(entry.kid)));
}

async function loadHeldBundle() {
  const document_ = await state.db.get("bundle");
  if (!document_) return;
  try {
    activate(await openSigned(document_, await trustedSigners()));
  } catch (error) {
    state.bundleNotice = message(error?.code ?? "bad_bundle"); // a CodecError's code, else unreadable
  }
}

function activate(bundle) {
  state.bundle = bundle;
  state.ruleSet = new RuleSet(bundle.rules, bundle.valueSets, bundle.timezone);
  state.notes = noteIdentifiers(bundle.rules);
  state.declarationRules = new Set(
    bundle.rules
      .filter((rule) => JSON.stringify(rule?.Logic ?? null).includes("external.declaration"))
      .map((rule) => String(rule.Identifier)),
  );
}

async function refresh() {
  await refreshBundle();
  await renderStatus();
  await sync();
}

async function refreshBundle() {
  if (!navigator.onLine) return;
  let response;
  try {
    response = await fetch(config.urls.bundle, { cache: "no-cache", credentials: "same-origin" });
  } catch {
    return; // offline after all: keep the held bundle
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
      state.bundleNotice = `${S.bundle_refused} ${message("bad_bundle")}`; // e.g. an unknown time zone
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

function age(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60000));
  if (minutes < 120) return format(S.minutes, { n: minutes });
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? format(S.hours, { n: hours }) : format(S.days, { n: Math.floor(hours / 24) });
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
  const sync = $("sync-status");
  const parts = [pending ? format(S.sync_pending, { n: pending }) : S.sync_done];
  if (rejected) parts.push(format(S.sync_rejected, { n: rejected }));
  if (state.syncNotice) parts.push(state.syncNotice);
  sync.textContent = parts.join(" — ");
  sync.dataset.pending = String(pending);
}

// --- Checking ---------------------------------------------------------------------------------------

function wire() {
  $("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    decide(false).catch(showCrash);
  });
  $("skip-declaration").addEventListener("click", () => decide(true).catch(showCrash));
  $("next").addEventListener("click", reset);
  const camera = cameraScanner({
    button: $("camera"),
    video: $("camera-view"),
    canvas: $("camera-frame"),
    note: $("camera-note"),
    strings: S,
    onCode: (text) => {
      const target = $("declaration-step").hidden ? $("code") : $("declaration");
      target.value = text;
      $("scan-form").requestSubmit();
    },
  });
  $("camera").addEventListener("click", camera.toggle);
}

function showCrash(error) {
  showOnly({ decision: null, text: `${S.cannot_decide}: ${error?.message ?? error}` });
}

async function decide(withoutDeclaration) {
  const code = $("code").value.trim();
  if (!code) {
    showOnly({ decision: null, text: S.empty_code });
    return;
  }
  if (state.bundle === null) {
    showOnly({ decision: null, text: `${S.cannot_decide}: ${S.no_bundle}` });
    return;
  }
  const clock = Date.now();
  if (warnings(state.bundle, clock).includes("device_time_invalid")) {
    showOnly({ decision: null, text: `${S.cannot_decide}: ${message("device_time_invalid")}` });
    return;
  }
  const asking = !$("declaration-step").hidden;
  const declaration = asking && !withoutDeclaration ? $("declaration").value.trim() || null : null;
  const answer = await check(code, declaration, {
    trust: state.bundle.trust,
    rules: state.ruleSet,
    notes: state.notes,
    checkpoint: config.checkpoint.facts,
    clock,
    bundleVersion: state.bundle.version,
    language: config.language,
    message,
  });
  const needsDeclaration =
    answer.error === null && answer.failedOutcomes.some((outcome) => state.declarationRules.has(outcome.identifier));
  if (!asking && !withoutDeclaration && needsDeclaration) {
    $("declaration-step").hidden = false;
    $("declaration").focus();
    return;
  }
  showResult(answer);
  await log(answer, clock);
}

function showOnly({ decision, text }) {
  $("result").hidden = false;
  const verdict = $("verdict");
  verdict.textContent = text;
  verdict.dataset.decision = decision ?? "none";
  for (const id of ["holder", "reasons", "notes"]) $(id).replaceChildren();
  $("holder").hidden = true;
  $("log-status").textContent = "";
  $("result").scrollIntoView({ block: "start" }); // on a phone the answer is below the form
}

function showResult(answer) {
  showOnly({ decision: answer.decision, text: answer.decision === "allowed" ? S.allowed : S.denied });
  const holder = $("holder");
  const rows = [];
  if (answer.pass_type) rows.push([S.pass_type, S[`type_${answer.pass_type}`] ?? answer.pass_type, "pass-type"]);
  if (answer.holder?.name) rows.push([S.name, answer.holder.name, "holder-name"]);
  if (answer.holder?.birth_year) rows.push([S.birth_year, String(answer.holder.birth_year), "holder-birth-year"]);
  if (answer.holder?.cccd_masked) rows.push([S.cccd, answer.holder.cccd_masked, "holder-cccd"]);
  if (answer.plate) rows.push([S.plate, answer.plate, "holder-plate"]);
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
  if (answer.declaration_error) {
    reasons.push(item(`${S.declaration_refused} ${answer.declaration_error.message}`, answer.declaration_error.code));
  }
  $("reasons").replaceChildren(...reasons);
  $("notes").replaceChildren(...answer.notes.map((note) => item(note.description, note.rule)));
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
  $("declaration").value = "";
  $("declaration-step").hidden = true;
  $("result").hidden = true;
  $("code").focus();
}

// --- The local log and its sync ---------------------------------------------------------------------

function plateKey(raw) {
  const compact = (raw ?? "").replace(/[\s.\-]/g, "").toUpperCase();
  return PLATE.test(compact) ? compact : "";
}

async function log(answer, clock) {
  const passId = PASS_ID.test(answer.pass_id ?? "") ? answer.pass_id : "";
  const plate = plateKey(answer.plate);
  if (!passId && !plate) {
    $("log-status").textContent = S.not_logged;
    return;
  }
  const descriptions = new Map(answer.reasons.map((reason) => [reason.rule, reason.description]));
  const failed = answer.decision === "allowed" ? [] : answer.failedRuleIds.filter((id) => RULE_ID.test(id));
  await state.db.addCheck({
    local_id: `${clock.toString(36)}-${randomHex(4)}`,
    checkpoint: config.checkpoint.id,
    at: new Date(clock).toISOString(),
    direction: $("direction").value === "out" ? "out" : "in",
    decision: answer.decision,
    pass_id: passId,
    pass_type: passId && PASS_TYPES.includes(answer.pass_type) ? answer.pass_type : "",
    plate,
    failed_rules: failed.slice(0, MAX_FAILED_RULES).map((id) => ({ id, description: (descriptions.get(id) ?? "").slice(0, MAX_DESCRIPTION) })),
    bundle_version: answer.bundle_version,
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

const ENTRY_FIELDS = ["local_id", "checkpoint", "at", "direction", "decision", "pass_id", "pass_type", "plate", "failed_rules", "bundle_version"];

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
        body: JSON.stringify({ device_id: state.deviceId, entries }),
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
  } catch {
    state.syncNotice = S.sync_failed;
  } finally {
    state.syncing = false;
    await renderStatus();
  }
}

main().catch((error) => {
  document.body.dataset.verifierReady = "error";
  showCrash(error);
});
