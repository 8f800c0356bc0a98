/**
 * Pass rules and one check at a checkpoint: the twin of phaodai/passes/rules.py (RuleSet) and
 * phaodai/passes/checking.py (check), over certlogic.js.
 *
 * A RuleSet holds a bundle's rules. At a scan the applicable rules are those of the pass's type or
 * "General", valid at the clock, the highest version of each Identifier, sorted by Identifier; each
 * runs over
 *
 *     {"payload": <the pass map>,
 *      "external": {"validationClock": "...Z", "localDate": "YYYY-MM-DD", "localTime": "HH:MM",
 *                   "checkpoint": {"kind", "code", "units"}, "valueSets": {... "revoked-passes"},
 *                   "declaration": <the holder's verified health declaration map, or null>}}
 *
 * and passes only on exactly true; an engine error fails the rule and is reported, never thrown.
 * A rule whose fields are malformed fails loudly at every scan (a bundle is signed: our own mistake).
 * No dependency, no build step.
 */

import { DateTime, RuleError, apply, validate } from "./certlogic.js";
import { MESSAGES, isoText, parseIso } from "./codes.js";
import { verify } from "./codec.js";

export const GENERAL = "General";
const RULE_FIELDS = ["Identifier", "Type", "Version", "CertificateType", "ValidFrom", "ValidTo", "AffectedFields", "Description", "Logic"];
const VERSION = /^\d{1,4}\.\d{1,4}\.\d{1,4}$/;
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Why a rule cannot be used; the Python side's RuleDefinitionError. */
export function checkRule(rule) {
  const missing = RULE_FIELDS.filter((name) => !Object.hasOwn(rule, name));
  if (missing.length) return `missing rule fields: ${missing.join(", ")}`;
  if (typeof rule.Identifier !== "string" || !IDENTIFIER.test(rule.Identifier)) return "Identifier: 1-64 letters, digits, '.', '_' or '-'";
  if (rule.Type !== "Acceptance" && rule.Type !== "Invalidation") return "Type must be Acceptance or Invalidation";
  if (typeof rule.Version !== "string" || !VERSION.test(rule.Version)) return "Version must look like 1.0.0";
  if (typeof rule.CertificateType !== "string" || !rule.CertificateType) return "CertificateType must name a pass type or General";
  const validFrom = parseIso(rule.ValidFrom);
  const validTo = parseIso(rule.ValidTo);
  if (validFrom === null || validTo === null) return "ValidFrom and ValidTo must be ISO 8601 date-times with an offset";
  if (validTo <= validFrom) return "ValidTo must be after ValidFrom";
  if (!Array.isArray(rule.AffectedFields) || !rule.AffectedFields.every((name) => typeof name === "string")) {
    return "AffectedFields must be a list of field names";
  }
  const descriptions = rule.Description;
  if (!Array.isArray(descriptions) || !descriptions.every((d) => d !== null && typeof d === "object" && typeof d.lang === "string" && typeof d.desc === "string")) {
    return 'Description must be a list of {"lang", "desc"}';
  }
  try {
    validate(rule.Logic);
  } catch (error) {
    if (error instanceof RuleError) return `Logic: ${error.message}`;
    throw error;
  }
  return null;
}

function versionKey(version) {
  const parts = String(version).split(".");
  if (!parts.every((part) => /^\s*[+-]?\d+(_\d+)*\s*$/.test(part))) return [-1];
  return parts.map((part) => Number(part.replaceAll("_", "")));
}

function compareVersions(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** One rule's verdict: identifier, version, passed, descriptions {lang: text}, error. */
export function describe(outcome, language) {
  return outcome.descriptions[language] || outcome.descriptions.en || outcome.identifier;
}

/** A bundle's rules, read once and evaluated on many passes. */
export class RuleSet {
  constructor(rules, valueSets, timezone) {
    this.valueSets = { ...valueSets };
    try {
      this.zone = new Intl.DateTimeFormat("en-GB", {
        timeZone: timezone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
      });
    } catch {
      throw new RangeError(`unknown time zone ${timezone}`);
    }
    this.byType = new Map();
    for (const rule of rules) {
      const problem = rule !== null && typeof rule === "object" ? checkRule(rule) : "a rule is an object";
      const safe = rule !== null && typeof rule === "object" ? rule : {};
      const type = problem === null ? rule.CertificateType : String(safe.CertificateType ?? GENERAL);
      const compiled = {
        identifier: String(safe.Identifier ?? "?"),
        version: String(safe.Version ?? ""),
        versionKey: versionKey(safe.Version ?? "0.0.0"),
        validFrom: problem === null ? parseIso(rule.ValidFrom) : -Infinity,
        validTo: problem === null ? parseIso(rule.ValidTo) : Infinity,
        logic: problem === null ? rule.Logic : undefined,
        error: problem,
        descriptions: problem === null ? Object.fromEntries(rule.Description.map((d) => [d.lang, d.desc])) : {},
      };
      if (!this.byType.has(type)) this.byType.set(type, []);
      this.byType.get(type).push(compiled);
    }
  }

  /** The rules for this type (and General) valid at `clock` (epoch ms), only the highest version of each. */
  applicable(passType, clock) {
    const chosen = new Map();
    for (const compiled of [...(this.byType.get(passType) ?? []), ...(this.byType.get(GENERAL) ?? [])]) {
      if (compiled.error === null && !(compiled.validFrom <= clock && clock <= compiled.validTo)) continue;
      const held = chosen.get(compiled.identifier);
      if (held === undefined || compareVersions(compiled.versionKey, held.versionKey) > 0) chosen.set(compiled.identifier, compiled);
    }
    return [...chosen.values()].sort((a, b) => (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0));
  }

  /** {passed, failed, allowed}: every applicable rule run on the pass. */
  evaluate(payload, { passType, clock, checkpoint = null, declaration = null }) {
    const data = { payload, external: this.external(clock, checkpoint, declaration) };
    const passed = [];
    const failed = [];
    for (const compiled of this.applicable(passType, clock)) {
      const outcome = run(compiled, data);
      (outcome.passed ? passed : failed).push(outcome);
    }
    return { passed, failed, allowed: failed.length === 0 };
  }

  external(clock, checkpoint, declaration) {
    const parts = Object.fromEntries(this.zone.formatToParts(new Date(clock)).map((part) => [part.type, part.value]));
    return {
      validationClock: isoText(clock),
      localDate: `${parts.year}-${parts.month}-${parts.day}`,
      localTime: `${parts.hour}:${parts.minute}`,
      checkpoint: structuredClone(checkpoint ?? {}),
      valueSets: this.valueSets,
      declaration: declaration === null || declaration === undefined ? null : structuredClone(declaration),
    };
  }
}

function run(compiled, data) {
  const base = { identifier: compiled.identifier, version: compiled.version, descriptions: compiled.descriptions, error: null };
  if (compiled.error !== null) return { ...base, passed: false, error: compiled.error };
  try {
    const result = apply(compiled.logic, data);
    return { ...base, passed: result === true };
  } catch (error) {
    if (error instanceof RuleError) return { ...base, passed: false, error: error.message };
    throw error;
  }
}

// --- One check at a checkpoint (checking.py) -------------------------------------------------------

export const ALLOWED = "allowed";
export const DENIED = "denied";
const MAX_UNITS = 5;

/** The rules that only carry a message: their Logic is exactly true. */
export function noteIdentifiers(rules) {
  return new Set(rules.filter((rule) => rule !== null && typeof rule === "object" && rule.Logic === true).map((rule) => String(rule.Identifier)));
}

/** external.checkpoint: kind, code and the unit codes on the paths of its sides (distinct, at most 5). */
export function checkpointFacts(kind, code, unitPaths) {
  const units = [];
  for (const path of unitPaths) {
    for (const unit of (path || "").replace(/^\/+|\/+$/g, "").split("/")) if (unit && !units.includes(unit)) units.push(unit);
  }
  return { kind, code, units: units.slice(0, MAX_UNITS) };
}

function textOf(payload, key) {
  const value = payload === null ? null : payload[key];
  return typeof value === "string" ? value : null;
}

/**
 * Verify `code` (and `declaration`) at `clock` (epoch ms) and decide with `rules` at `checkpoint`;
 * never rejects for any text. The answer has the shape of the server's verify endpoint (Check.as_json),
 * with `message(code)` wording refusals and descriptions in `language`, plus `failedOutcomes`.
 */
export async function check(code, declaration, { trust, rules, notes, checkpoint, clock, bundleVersion = null, language = "en", message = (c) => MESSAGES[c] }) {
  const verified = await verify(code, trust, clock);
  const answer = (decision, error, payload, extra = {}) => finish({ decision, error, payload, failed: [], notes: [], declarationError: null, bundleVersion, ...extra }, language, message);
  if (verified.signature_ok !== true) return answer(DENIED, verified.error, null);
  if (verified.usage !== "PD1" || verified.payload === null) {
    const error = verified.payload === null ? verified.error : "not_a_pass";
    return answer(DENIED, error || "not_a_pass", null);
  }
  const payload = verified.payload;
  if (!verified.ok) return answer(DENIED, verified.error, payload);
  const [declared, declarationError] = await readDeclaration(declaration, trust, clock);
  const decision = rules.evaluate(payload, { passType: String(payload.t), clock, checkpoint, declaration: declared });
  if (!decision.passed.length && !decision.failed.length) return answer(DENIED, "no_rules", payload, { declarationError });
  return answer(decision.allowed ? ALLOWED : DENIED, null, payload, {
    failed: decision.failed,
    notes: decision.passed.filter((outcome) => notes.has(outcome.identifier)),
    declarationError,
  });
}

async function readDeclaration(text, trust, clock) {
  if (text === null || text === undefined || text === "") return [null, null];
  const verified = await verify(text, trust, clock);
  if (!verified.ok || verified.payload === null) return [null, verified.error || "bad_payload"];
  if (verified.usage !== "PD1" || verified.payload.t !== "declaration") return [null, "not_a_declaration"];
  return [verified.payload, null];
}

function finish(result, language, message) {
  const { decision, error, payload, failed, notes, declarationError, bundleVersion } = result;
  const reasons = error !== null
    ? [{ rule: error, description: message(error) }]
    : failed.map((outcome) => ({ rule: outcome.identifier, description: describe(outcome, language) }));
  return {
    decision,
    error: error === null ? null : { code: error, message: message(error) },
    reasons,
    notes: notes.map((outcome) => ({ rule: outcome.identifier, description: describe(outcome, language) })),
    holder: payload === null ? null : { name: payload.n ?? null, birth_year: payload.yb ?? null, cccd_masked: payload.cc ?? null },
    plate: textOf(payload, "pl"),
    pass_type: textOf(payload, "t"),
    pass_id: textOf(payload, "id"),
    bundle_version: bundleVersion,
    declaration_error: declarationError === null ? null : { code: declarationError, message: message(declarationError) },
    failedRuleIds: error !== null ? [error] : failed.map((outcome) => outcome.identifier),
    failedOutcomes: failed,
  };
}

export { DateTime };
