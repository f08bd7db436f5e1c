// The preview's Web Worker: holds the data sets and runs the core (the browser entry of
// ../pkg, the one wasm build) off the page's thread, in batches, reporting progress
// between them. The page sends requests { id, type, ... } and gets { id, ok, result }
// or { id, ok: false, error } back, plus { type: "progress", run, stage, done, total }.
import { defaultMapping, findDuplicates, pairRecords, planSync, previewMapping, validateMapping, version } from "../pkg/browser.js";
import { readRecords } from "./records.js";
import { SAMPLE_GHL, SAMPLE_OUTSETA, generatePeople } from "./sample.js";

/** @typedef {import("./records.js").DataSet} DataSet */
/** @typedef {import("../pkg/index.js").PreviewResult} PreviewResult */
/** @typedef {import("../pkg/index.js").PairPlan} PairPlan */
/** @typedef {import("../pkg/index.js").Operation} Operation */
/** @typedef {{ outseta: number | null, ghl: number | null, held?: string }} Pair indexes into data sets a / b, by side */

const BATCH = 500;
/** Operations that are writes to an API; LinkRecords and Review are kept in the Store only. */
const API_OPS = new Set(["CreateContact", "UpdateContact", "AddTags", "RemoveTags", "CreateNote", "CreateTask", "CompleteTask"]);

/** @type {{ a: DataSet | null, b: DataSet | null }} */
const data = { a: null, b: null };
/** The last finished run. */
let last = /** @type {null | { previews: PreviewResult[], pairs: Pair[], plans: PairPlan[], pairOf: Int32Array, spec: unknown }} */ (null);
let currentRun = 0;

const scope = /** @type {{ postMessage(message: unknown): void, onmessage: ((event: MessageEvent) => void) | null }} */ (
  /** @type {unknown} */ (self)
);

/** Lets queued messages (a newer run) in between batches. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

/** @param {DataSet} set @param {string} source */
function describe(set, source) {
  return { count: set.records.length, shape: set.shape, format: set.format, columns: set.columns, source };
}

/**
 * Pairs Outseta people with GHL contacts as a bulk import links them (the engine's
 * matcher, `pairRecords`): a first sync of a business. Unpaired records stand alone (a
 * create on the other side, unless `held` says a person would decide).
 * @param {DataSet | null} outseta @param {DataSet | null} ghl @param {boolean} aIsOutseta
 * @returns {Pair[]}
 */
function pairUp(outseta, ghl, aIsOutseta) {
  /** @type {Pair[]} */
  const pairs = pairRecords(outseta?.records ?? [], ghl?.records ?? []);
  // Keep the primary data set's order first.
  if (!aIsOutseta) pairs.sort((x, y) => (x.ghl ?? Infinity) - (y.ghl ?? Infinity));
  return pairs;
}

/** A short name for a record: its email, else its name, else its id. */
function label(/** @type {any} */ r) {
  if (!r || typeof r !== "object") return String(r);
  const email = r.Email ?? r.email;
  if (typeof email === "string" && email.trim()) return email.trim();
  const name = [r.FirstName ?? r.firstName, r.LastName ?? r.lastName].filter((x) => typeof x === "string").join(" ").trim();
  return name || r.Uid || r.id || "(no email or name)";
}

/** GHL fields compared for conflicts (the canonical contact's plain fields). */
/** What the Plan does with a field the two records hold differently, in words. */
const OUTCOME = {
  held: "held for review",
  toGhl: "Outseta's value is written to GHL",
  toOutseta: "GHL's value is written to Outseta",
  kept: "kept as is",
};

/** An operation's kind, side and target, in a few words. @param {Operation} op */
function opHead(op) {
  switch (op.op) {
    case "CreateContact": return `CreateContact in ${op.system === "ghl" ? "GHL" : "Outseta"}: ${JSON.stringify(op.payload)}`;
    case "UpdateContact": return `UpdateContact ${op.system === "ghl" ? "GHL" : "Outseta"} ${op.id}: ${JSON.stringify(op.changes)}`;
    case "AddTags": return `AddTags GHL ${op.id}: ${op.tags.join(", ")}`;
    case "RemoveTags": return `RemoveTags GHL ${op.id}: ${op.tags.join(", ")}`;
    case "LinkRecords": return `LinkRecords ${op.outsetaUid} ↔ ${op.ghlId}`;
    case "Review": return `Review ${op.conflict.field}: Outseta ${JSON.stringify(op.conflict.outseta)}, GHL ${JSON.stringify(op.conflict.ghl)}`;
    case "CreateNote": return `CreateNote on ${op.id}`;
    case "CreateTask": return `CreateTask on ${op.id}: ${op.title}`;
    case "CompleteTask": return `CompleteTask ${op.taskId} on ${op.id}`;
    default: return /** @type {any} */ (op).op;
  }
}

/**
 * Maps, finds duplicates and plans the loaded data with `spec`, in batches.
 * @param {number} run @param {any} spec @param {any} policy @param {any} context
 */
async function runAll(run, spec, policy, context) {
  const a = data.a;
  if (!a) throw new Error("load some records first");
  const started = performance.now();
  const b = data.b && data.b.shape !== a.shape ? data.b : null;
  const aIsOutseta = a.shape === "outseta";
  const direction = aIsOutseta ? "toGhl" : "toOutseta";
  const progress = (/** @type {string} */ stage, /** @type {number} */ done, /** @type {number} */ total) =>
    scope.postMessage({ type: "progress", run, stage, done, total });
  const stale = () => run !== currentRun;

  // 1. Mapping, per record of the primary data set.
  /** @type {PreviewResult[]} */
  const previews = [];
  const n = a.records.length;
  for (let i = 0; i < n; i += BATCH) {
    progress("Mapping records", i, n);
    await pause();
    if (stale()) return null;
    previews.push(...previewMapping(a.records.slice(i, i + BATCH), spec, { direction, context }));
  }
  const outseta = aIsOutseta ? a : b;
  const ghl = aIsOutseta ? b : a;

  // 2. The Plan, per pair.
  const pairs = pairUp(outseta, ghl, aIsOutseta);
  /** @type {PairPlan[]} */
  const plans = [];
  for (let i = 0; i < pairs.length; i += BATCH) {
    progress("Planning the sync", i, pairs.length);
    await pause();
    if (stale()) return null;
    const batch = pairs.slice(i, i + BATCH).map((p) => ({
      outseta: p.outseta === null ? null : outseta?.records[p.outseta],
      ghl: p.ghl === null ? null : ghl?.records[p.ghl],
    }));
    // `explain`: each pair says what happens to every field its records hold differently.
    plans.push(...planSync({ pairs: batch, spec, policy, context, explain: true }));
  }

  // 3. Duplicates across both data sets (Outseta people and GHL contacts meet here).
  progress("Finding duplicates", 0, 1);
  await pause();
  if (stale()) return null;
  const all = b ? [...a.records, ...b.records] : a.records;
  const dupes = findDuplicates(all, { explain: true });
  progress("Finding duplicates", 1, 1);

  // 4. Summary, rows, conflicts.
  const pairOf = new Int32Array(n).fill(-1);
  pairs.forEach((p, k) => {
    const i = aIsOutseta ? p.outseta : p.ghl;
    if (i !== null) pairOf[i] = k;
  });
  const summary = { records: n, other: b?.records.length ?? 0, pairs: pairs.length, creates: 0, updates: 0, links: 0, unchanged: 0, skipped: 0, reviews: 0, apiCalls: 0, operations: 0, fieldErrors: 0 };
  /** @type {Record<string, number>} */
  const byOp = {};
  /** @type {Record<string, unknown>[]} */
  const conflicts = [];
  plans.forEach((plan, k) => {
    if (plan.error) summary.skipped++;
    else if (plan.operations.length === 0) summary.unchanged++;
    for (const op of plan.operations) {
      byOp[op.op] = (byOp[op.op] ?? 0) + 1;
      summary.operations++;
      if (API_OPS.has(op.op)) summary.apiCalls++;
      if (op.op === "CreateContact") summary.creates++;
      else if (op.op === "UpdateContact") summary.updates++;
      else if (op.op === "LinkRecords") summary.links++;
      else if (op.op === "Review") summary.reviews++;
    }
    const p = pairs[k];
    for (const f of plan.fields ?? []) {
      conflicts.push({
        pair: k, outsetaUid: p.outseta === null ? null : outseta?.records[p.outseta]?.Uid ?? null, ghlId: p.ghl === null ? null : ghl?.records[p.ghl]?.id ?? null,
        field: f.field, outseta: f.outseta, ghl: f.ghl, decision: OUTCOME[f.outcome], reason: f.reason,
      });
    }
  });
  const rows = previews.map((r, i) => {
    summary.fieldErrors += r.errors.length;
    const plan = plans[pairOf[i]];
    return {
      label: label(a.records[i]),
      status: r.error ? "failed" : r.errors.length ? "errors" : "ok",
      errors: r.errors.length,
      ops: plan ? plan.operations.map((o) => o.op) : [],
    };
  });
  // The whole Plan as one line per operation (for the page's list), and the record of
  // the primary data set each is for.
  /** @type {string[]} */
  const planLines = [];
  /** @type {number[]} */
  const planRecordList = [];
  plans.forEach((plan, k) => {
    const p = pairs[k];
    const record = (aIsOutseta ? p.outseta : p.ghl) ?? -1;
    for (const op of plan.operations) {
      planLines.push(`${opHead(op)}\n${op.reason}`);
      planRecordList.push(record);
    }
  });
  last = { previews, pairs, plans, pairOf, spec };
  const ms = Math.round(performance.now() - started);
  return {
    summary, byOp, rows, conflicts: conflicts.slice(0, 500), conflictCount: conflicts.length,
    planLines, planRecord: Int32Array.from(planRecordList),
    direction, duplicates: { clusters: dupes.clusters, explanations: dupes.explanations.slice(0, 2000), possible: dupes.possible.length, stats: dupes.stats },
    ms,
  };
}

/** The answer to one request. @param {any} msg */
async function handle(msg) {
  switch (msg.type) {
    case "hello":
      return { version: version(), defaultMapping: defaultMapping() };
    case "load": {
      /** @type {DataSet} */
      let set;
      let source;
      if (msg.sample === "outseta") {
        set = { format: "json", shape: "outseta", records: structuredClone(SAMPLE_OUTSETA), columns: null };
        source = "the bundled sample";
      } else if (msg.sample === "ghl") {
        set = { format: "json", shape: "ghl", records: structuredClone(SAMPLE_GHL), columns: null };
        source = "the bundled sample";
      } else if (msg.generate) {
        set = { format: "json", shape: "outseta", records: generatePeople(msg.generate), columns: null };
        source = "generated";
      } else {
        set = readRecords(msg.text, { name: msg.name, shape: msg.shape || undefined });
        source = msg.name || "pasted text";
      }
      if (set.records.length === 0) throw new Error("no records found");
      /** @type {any} */ (data)[msg.slot] = set;
      return describe(set, source);
    }
    case "clear":
      /** @type {any} */ (data)[msg.slot] = null;
      return null;
    case "validate":
      return validateMapping(msg.spec, msg.context);
    case "run": {
      currentRun = msg.run;
      return runAll(msg.run, msg.spec, msg.policy, msg.context);
    }
    case "detail": {
      if (!last || !data.a) return null;
      const i = msg.index;
      const k = last.pairOf[i];
      const pair = last.pairs[k];
      const b = data.a.shape === "outseta" ? data.b : data.a;
      const other = data.a.shape === "outseta" ? (pair?.ghl != null ? b?.records[pair.ghl] : null) : null;
      return { index: i, source: data.a.records[i], preview: last.previews[i], plan: last.plans[k] ?? null, other };
    }
    case "plan": {
      if (!last) return null;
      return JSON.stringify(last.plans.map((plan, k) => {
        const p = last?.pairs[k];
        const o = p?.outseta == null ? null : (data.a?.shape === "outseta" ? data.a : data.b)?.records[p.outseta];
        const g = p?.ghl == null ? null : (data.a?.shape === "ghl" ? data.a : data.b)?.records[p.ghl];
        return { outsetaUid: /** @type {any} */ (o)?.Uid ?? null, ghlId: /** @type {any} */ (g)?.id ?? null, ...plan };
      }), null, 2);
    }
    default:
      throw new Error(`unknown request ${msg.type}`);
  }
}

scope.onmessage = async (/** @type {MessageEvent} */ event) => {
  const msg = event.data;
  try {
    scope.postMessage({ id: msg.id, ok: true, result: await handle(msg) });
  } catch (err) {
    const e = /** @type {any} */ (err);
    scope.postMessage({ id: msg.id, ok: false, error: { code: e?.code ?? "INPUT_INVALID", message: e?.message ?? String(err), details: e?.details } });
  }
};
scope.postMessage({ type: "ready" });
