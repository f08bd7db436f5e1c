// The preview page. Every call into the core goes to the Web Worker (worker.js), so the
// page stays responsive with 10,000 records; this module only draws.
import { specFromForm, renderSpecForm, showProblems } from "./spec-form.js";
import { VirtualList } from "./vlist.js";

/** @typedef {import("../pkg/index.js").MappingSpec} MappingSpec */
/** @typedef {import("../pkg/index.js").MappingProblem} MappingProblem */

/** @template {Element} T @param {string} selector @param {{ new (): T, prototype: T }} type @param {ParentNode} [root] @returns {T} */
function $(selector, type, root = document) {
  const found = root.querySelector(selector);
  if (!(found instanceof type)) throw new Error(`the page has no ${selector}`);
  return found;
}

/**
 * Makes an element: h("li", { class: "x" }, "text", child).
 * @param {string} tag @param {Record<string, string | number | boolean | null | undefined>} [attrs] @param {...(Node | string | null | undefined | false)} children
 */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

const fmt = new Intl.NumberFormat("en");
/** @param {unknown} v */
const show = (v) => (typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? "—");

// ---- the worker ------------------------------------------------------------------------

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
let nextId = 1;
/** @type {Map<number, { resolve: (v: any) => void, reject: (e: any) => void }>} */
const pending = new Map();
/** @type {(() => void) | null} */
let onReady = null;
const ready = new Promise((resolve) => (onReady = () => resolve(undefined)));

worker.onmessage = (/** @type {MessageEvent} */ event) => {
  const msg = event.data;
  if (msg.type === "ready") return onReady?.();
  if (msg.type === "progress") return showProgress(msg);
  const waiting = pending.get(msg.id);
  if (!waiting) return;
  pending.delete(msg.id);
  if (msg.ok) waiting.resolve(msg.result);
  else waiting.reject(Object.assign(new Error(msg.error.message), msg.error));
};
worker.onerror = (/** @type {ErrorEvent} */ event) => {
  runStatus.textContent = `The background worker failed: ${event.message}`;
};

/** @param {Record<string, unknown>} request @returns {Promise<any>} */
async function call(request) {
  await ready;
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...request, id });
  });
}

// ---- data sets -------------------------------------------------------------------------

const runStatus = $("#run-status", HTMLElement);
/** @type {Record<string, { count: number, shape: string } | null>} */
const loaded = { a: null, b: null };

/** @param {string} slot @param {Record<string, unknown>} request */
async function load(slot, request) {
  const status = $(`#status-${slot}`, HTMLElement);
  status.classList.remove("error");
  status.textContent = "Reading…";
  try {
    const info = await call({ type: "load", slot, shape: $(`#shape-${slot}`, HTMLSelectElement).value, ...request });
    loaded[slot] = info;
    const kind = info.shape === "ghl" ? "HighLevel contacts" : "Outseta people";
    status.textContent = `${fmt.format(info.count)} ${kind} from ${info.source} (${info.format.toUpperCase()}).`;
    const columns = $(`#columns-${slot}`, HTMLDetailsElement);
    columns.hidden = !info.columns;
    if (info.columns) {
      $("tbody", HTMLElement, columns).replaceChildren(
        ...info.columns.map((/** @type {{ header: string, field: string | null }} */ c) =>
          h("tr", {}, h("td", {}, c.header), h("td", { class: c.field ? "" : "unused" }, c.field ?? "not used"))),
      );
    }
    if (loaded.a && loaded.b && loaded.a.shape === loaded.b.shape) {
      $("#status-b", HTMLElement).textContent += " These are the same system's records as the ones to preview, so they are not compared.";
    }
    schedule();
  } catch (err) {
    loaded[slot] = null;
    status.classList.add("error");
    status.textContent = `Could not read that: ${/** @type {Error} */ (err).message}`;
  }
}

for (const fieldset of document.querySelectorAll("fieldset.dataset")) {
  const slot = /** @type {HTMLElement} */ (fieldset).dataset.slot ?? "a";
  fieldset.addEventListener("click", (/** @type {Event} */ event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest("button");
    if (!button) return;
    if (button.dataset.sample) load(slot, { sample: button.dataset.sample });
    else if (button.dataset.generate) load(slot, { generate: Number(button.dataset.generate) });
    else if (button.dataset.paste !== undefined) {
      const text = $(`#paste-${slot}`, HTMLTextAreaElement).value;
      if (text.trim()) load(slot, { text, name: "" });
    } else if (button.dataset.clear !== undefined) {
      call({ type: "clear", slot }).then(() => {
        loaded[slot] = null;
        $(`#status-${slot}`, HTMLElement).textContent = "Nothing to compare with.";
        $(`#columns-${slot}`, HTMLElement).hidden = true;
        schedule();
      });
    }
  });
  const drop = $(`#drop-${slot}`, HTMLElement);
  const input = $(`#file-${slot}`, HTMLInputElement);
  /** @param {File | undefined} file */
  const readFile = async (file) => {
    if (file) load(slot, { text: await file.text(), name: file.name });
  };
  input.addEventListener("change", () => readFile(input.files?.[0]));
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    readFile(event.dataTransfer?.files[0]);
  });
}

// ---- the mapping: a form and the raw JSON, kept in step ---------------------------------

const form = $("#spec-form", HTMLFormElement);
const specJson = $("#spec-json", HTMLTextAreaElement);
const specJsonMsg = $("#spec-json-msg", HTMLElement);
const contextJson = $("#context-json", HTMLTextAreaElement);
const contextMsg = $("#context-json-msg", HTMLElement);
const problemsList = $("#spec-problems", HTMLElement);
const policySelect = $("#policy", HTMLSelectElement);

/** @type {any} */
let spec = null;
/** @type {any} */
let context = {};
let specOk = false;

/** The spec changed in the form: rewrite the JSON. */
form.addEventListener("input", () => {
  const { spec: next, localErrors } = specFromForm(form, spec);
  spec = next;
  specJson.value = JSON.stringify(spec, null, 2);
  specJsonMsg.textContent = "";
  validateSoon(localErrors);
});
form.addEventListener("click", (event) => {
  const button = /** @type {HTMLElement} */ (event.target).closest("button");
  if (!button) return;
  event.preventDefault();
  const { action, index } = button.dataset;
  const i = Number(index);
  if (action === "add-field") (spec.fields ??= []).push({ outseta: "", ghl: "" });
  else if (action === "remove-field") spec.fields.splice(i, 1);
  else if (action === "add-tag") (spec.tags ??= []).push({ when: { field: "Account.AccountStage", equals: 3 }, add: ["paying"] });
  else if (action === "remove-tag") spec.tags.splice(i, 1);
  else return;
  renderSpecForm(form, spec);
  specJson.value = JSON.stringify(spec, null, 2);
  validateSoon([]);
  const focus = form.querySelector(action.startsWith("add") ? `fieldset.${action === "add-field" ? "field" : "tag"}:last-of-type input` : "button[data-action^=add]");
  if (focus instanceof HTMLElement) focus.focus();
});

/** The JSON changed: redraw the form when it parses. */
specJson.addEventListener("input", () => {
  try {
    spec = JSON.parse(specJson.value);
    specJsonMsg.textContent = "";
    specJson.removeAttribute("aria-invalid");
    renderSpecForm(form, spec);
    validateSoon([]);
  } catch (err) {
    specJsonMsg.textContent = `Not valid JSON: ${/** @type {Error} */ (err).message}`;
    specJson.setAttribute("aria-invalid", "true");
    specOk = false;
  }
});

contextJson.addEventListener("input", () => {
  try {
    const fields = JSON.parse(contextJson.value || "[]");
    context = { ghlCustomFields: fields };
    contextMsg.textContent = "";
    contextJson.removeAttribute("aria-invalid");
    validateSoon([]);
  } catch (err) {
    contextMsg.textContent = `Not valid JSON: ${/** @type {Error} */ (err).message}`;
    contextJson.setAttribute("aria-invalid", "true");
  }
});
policySelect.addEventListener("change", () => schedule());

let validateTimer = 0;
/** @param {MappingProblem[]} localErrors problems the form found itself (unparseable JSON in a field) */
function validateSoon(localErrors) {
  clearTimeout(validateTimer);
  validateTimer = window.setTimeout(async () => {
    const { problems } = await call({ type: "validate", spec, context });
    const all = [...localErrors, ...problems];
    specOk = all.length === 0;
    showProblems(form, all);
    problemsList.replaceChildren(...all.map((p) => h("li", {}, h("code", {}, p.path), ` ${p.message}`)));
    if (specOk) schedule();
    else runStatus.textContent = `The mapping has ${all.length} problem${all.length === 1 ? "" : "s"}: fix ${all.length === 1 ? "it" : "them"} to see the results.`;
  }, 150);
}

/** @param {string} name @param {string} type @param {string} text */
function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
$("#export-mapping", HTMLButtonElement).addEventListener("click", () =>
  download("mapping.json", "application/json", `${JSON.stringify(spec, null, 2)}\n`));
const exportPlan = $("#export-plan", HTMLButtonElement);
exportPlan.addEventListener("click", async () => download("plan.json", "application/json", `${await call({ type: "plan" })}\n`));

// ---- running ---------------------------------------------------------------------------

const progress = $("#progress", HTMLElement);
const progressBar = $("#progress-bar", HTMLProgressElement);
const progressText = $("#progress-text", HTMLElement);
let run = 0;
let runTimer = 0;

/** @param {{ run: number, stage: string, done: number, total: number }} msg */
function showProgress(msg) {
  if (msg.run !== run) return;
  progress.hidden = false;
  progressBar.max = Math.max(1, msg.total);
  progressBar.value = msg.done;
  progressText.textContent = `${msg.stage}: ${fmt.format(msg.done)} of ${fmt.format(msg.total)}`;
}

function schedule() {
  clearTimeout(runTimer);
  runTimer = window.setTimeout(start, 50);
}

async function start() {
  if (!loaded.a || !specOk) {
    if (!loaded.a) runStatus.textContent = "Load some records to see the results.";
    return;
  }
  const mine = ++run;
  document.body.dataset.state = "running";
  runStatus.textContent = `Working on ${fmt.format(loaded.a.count)} records…`;
  progress.hidden = false;
  exportPlan.disabled = true;
  const policy = { default: policySelect.value };
  try {
    const result = await call({ type: "run", run: mine, spec, policy, context });
    if (mine !== run || !result) return;
    progress.hidden = true;
    showResult(result);
    runStatus.textContent = `Done: ${fmt.format(result.summary.records)} records in ${fmt.format(result.ms)} ms.`;
    exportPlan.disabled = false;
    document.body.dataset.state = "done";
    document.body.dataset.runMs = String(result.ms);
    document.body.dataset.doneAt = String(Math.round(performance.now()));
  } catch (err) {
    if (mine !== run) return;
    progress.hidden = true;
    runStatus.textContent = `Could not preview: ${/** @type {Error} */ (err).message}`;
    document.body.dataset.state = "error";
  }
}

// ---- results ---------------------------------------------------------------------------

const summaryEl = $("#summary", HTMLElement);
const detailEl = $("#detail", HTMLElement);
/** @type {{ label: string, status: string, errors: number, ops: string[] }[]} */
let rows = [];
let direction = "toGhl";
/** Every operation of the Plan, one line each, and the record (index in the list) it is for, or -1. */
let planLines = /** @type {string[]} */ ([]);
let planRecord = new Int32Array(0);

const OP_NAMES = /** @type {Record<string, string>} */ ({
  CreateContact: "create", UpdateContact: "update", AddTags: "add tags", RemoveTags: "remove tags",
  LinkRecords: "link", Review: "review", CreateNote: "note", CreateTask: "task", CompleteTask: "complete task",
});

let detailTimer = 0;
const records = new VirtualList($("#records", HTMLElement), {
  rowHeight: 44,
  idPrefix: "rec-",
  render(i) {
    const r = rows[i];
    const badge = r.status === "failed" ? "not mapped" : r.status === "errors" ? `${r.errors} field error${r.errors === 1 ? "" : "s"}` : "ok";
    const ops = [...new Set(r.ops.map((o) => OP_NAMES[o] ?? o))].join(", ") || "no change";
    return h("div", { class: `rec ${r.status}` },
      h("span", { class: "n" }, `${i + 1}`), h("span", { class: "label" }, r.label), h("span", { class: `badge ${r.status}` }, badge), h("span", { class: "ops" }, ops));
  },
  onSelect(i) {
    clearTimeout(detailTimer);
    detailTimer = window.setTimeout(async () => {
      const detail = await call({ type: "detail", index: i });
      if (detail && i === records.active) showDetail(detail);
    }, 30);
  },
});

const planList = new VirtualList($("#plan-list", HTMLElement), {
  rowHeight: 44,
  idPrefix: "op-",
  render(i) {
    const [head, ...reason] = planLines[i].split("\n");
    return h("div", { class: "rec op", title: planLines[i] }, h("span", { class: "n" }, `${i + 1}`), h("span", { class: "label" }, head), h("span", { class: "ops" }, reason.join(" ")));
  },
  // Enter (or a double click) shows the record the operation is for.
  onActivate(i) {
    const record = planRecord[i];
    if (record < 0) return;
    records.select(record, true);
    records.el.focus();
  },
});

/** @param {any} result */
function showResult(result) {
  const s = result.summary;
  direction = result.direction;
  const items = [
    ["records", s.records], ...(s.other ? [["compared with", s.other], ["pairs", s.pairs]] : []), ["creates", s.creates], ["updates", s.updates], ["links", s.links],
    ["unchanged", s.unchanged], ["skipped", s.skipped], ["reviews", s.reviews], ["API calls", s.apiCalls],
    ["field errors", s.fieldErrors], ["duplicate clusters", result.duplicates.clusters.length],
  ];
  summaryEl.replaceChildren(...items.map(([k, v]) => h("div", { "data-key": String(k) }, h("dt", {}, String(k)), h("dd", {}, fmt.format(Number(v))))));
  rows = result.rows;
  // The detail shown belongs to the last run: it is drawn again for this one.
  detailEl.replaceChildren();
  delete detailEl.dataset.index;
  records.setCount(rows.length);
  records.select(records.active, false);
  showDuplicates(result.duplicates);
  showConflicts(result.conflicts, result.conflictCount);
  showPlan(result);
}

/**
 * Flattens a record into [path, value] rows ("$.MailingAddress.City").
 * @param {unknown} value @param {string} path @param {[string, unknown][]} out
 */
function flatten(value, path = "$", out = []) {
  if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value)) flatten(v, `${path}.${k}`, out);
  } else out.push([path, value]);
  return out;
}

/** @param {any} d */
function showDetail(d) {
  const toGhl = direction === "toGhl";
  const errors = /** @type {import("../pkg/index.js").FieldError[]} */ (d.preview.errors ?? []);
  // Each source value a field error (or the refusal of the whole record) names.
  /** @param {any} x */
  const named = (x) => [x?.path, ...(Array.isArray(x?.tried) ? x.tried.map((/** @type {any} */ t) => t?.path) : [])];
  const unreadable = /** @type {any[]} */ (d.preview.error?.details?.unreadable ?? []);
  const badPaths = new Set([...errors.flatMap((e) => named(e.details)), ...unreadable.map((u) => u?.path)].map((p) => String(p ?? "")));
  const sourceTable = h("table", { class: "kv", id: "source", "aria-label": "source record" }, h("tbody", {}, ...flatten(d.source).map(([path, v]) =>
    h("tr", { class: badPaths.has(path) ? "bad" : "" }, h("th", { scope: "row" }, path.slice(2)), h("td", {}, show(v)))),
  ));
  const payload = d.preview.payload ?? {};
  const payloadRows = Object.entries(payload).map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, show(v))));
  for (const e of errors) {
    payloadRows.push(h("tr", { class: "bad" }, h("th", { scope: "row" }, e.field), h("td", {}, h("strong", {}, `${e.code}: `), e.message)));
  }
  const payloadBlock = d.preview.error
    ? h("p", { class: "error" }, h("strong", {}, `${d.preview.error.code}: `), d.preview.error.message)
    : h("table", { class: "kv", id: "payload", "aria-label": "payload" }, h("tbody", {}, ...payloadRows));
  const ops = d.plan?.operations ?? [];
  detailEl.dataset.index = String(d.index);
  const parts = [
    h("h4", {}, `Record ${d.index + 1}`),
    h("div", { class: "pair" },
      h("div", {}, h("h5", {}, toGhl ? "Outseta person" : "HighLevel contact"), sourceTable),
      h("div", {}, h("h5", {}, toGhl ? "HighLevel payload" : "Outseta payload"), payloadBlock,
        errors.length ? h("p", { class: "error" }, `${errors.length} field${errors.length === 1 ? "" : "s"} could not be mapped (highlighted); the rest would be written.`) : null,
        d.preview.payload ? h("details", {}, h("summary", {}, "The payload as JSON"), h("pre", { id: "payload-json" }, JSON.stringify(payload, null, 2))) : null)),
    d.other ? h("details", {}, h("summary", {}, "The HighLevel contact it is paired with"), h("table", { class: "kv" }, h("tbody", {},
      ...flatten(d.other).map(([path, v]) => h("tr", {}, h("th", { scope: "row" }, path.slice(2)), h("td", {}, show(v))))))) : null,
    h("h5", {}, "Plan for this record"),
    d.plan?.error ? h("p", { class: "error" }, `Skipped: ${d.plan.error.code}: ${d.plan.error.message}`) : null,
    ops.length ? h("ol", { class: "ops" }, ...ops.map((/** @type {any} */ op) => h("li", {}, h("strong", {}, `${op.op}${op.system ? ` (${op.system})` : ""}`), opFacts(op), h("br"), h("span", { class: "reason" }, op.reason))))
      : d.plan?.error ? null : h("p", {}, "Nothing to write."),
  ];
  // replaceChildren would write a null as the text "null".
  detailEl.replaceChildren(...parts.filter((x) => x !== null));
}

/** @param {any} op */
function opFacts(op) {
  if (op.op === "CreateContact") return ` ${JSON.stringify(op.payload)}`;
  if (op.op === "UpdateContact") return ` ${op.id}: ${JSON.stringify(op.changes)}`;
  if (op.op === "AddTags" || op.op === "RemoveTags") return ` ${op.id}: ${op.tags.join(", ")}`;
  if (op.op === "LinkRecords") return ` ${op.outsetaUid} ↔ ${op.ghlId}`;
  if (op.op === "Review") return ` ${op.conflict.field}: Outseta ${show(op.conflict.outseta)}, GHL ${show(op.conflict.ghl)}`;
  return "";
}

/** @param {any} d */
function showDuplicates(d) {
  const el = $("#duplicates", HTMLElement);
  if (d.clusters.length === 0) {
    el.replaceChildren(h("p", {}, `No duplicates among ${fmt.format(d.stats.records)} records${d.possible ? ` (${d.possible} possible matches below the threshold)` : ""}.`));
    return;
  }
  /** @type {Map<string, any[]>} */
  const byId = new Map();
  for (const x of d.explanations) {
    for (const id of [x.a, x.b]) byId.set(id, [...(byId.get(id) ?? []), x]);
  }
  const shown = d.clusters.slice(0, 100);
  el.replaceChildren(
    h("p", { class: "count" }, `${fmt.format(d.clusters.length)} cluster${d.clusters.length === 1 ? "" : "s"} of the same person (${fmt.format(d.stats.recordsInClusters)} records), ${fmt.format(d.possible)} possible matches, ${fmt.format(d.stats.pairsCompared)} pairs compared.${d.clusters.length > shown.length ? ` The first ${shown.length} are shown.` : ""}`),
    h("ol", { class: "clusters" }, ...shown.map((/** @type {string[]} */ cluster) => {
      const inside = new Set(cluster);
      const why = [...new Set(cluster.flatMap((id) => byId.get(id) ?? []))].filter((x) => inside.has(x.a) && inside.has(x.b));
      return h("li", { class: "cluster" }, h("strong", {}, cluster.join(" · ")),
        h("ul", {}, ...why.map((x) => h("li", {}, `${x.a} ↔ ${x.b}: ${x.decision}, score ${x.score} (rule ${x.rule}): `,
          x.evidence.map((/** @type {any} */ e) => `${e.field} ${e.weight > 0 ? "+" : ""}${e.weight}${e.note ? ` (${e.note})` : ""}`).join(", "),
          x.note ? h("em", {}, ` ${x.note}`) : null))));
    })),
  );
}

/** @param {any[]} list @param {number} count */
function showConflicts(list, count) {
  const el = $("#conflicts", HTMLElement);
  if (count === 0) {
    el.replaceChildren(h("p", {}, loaded.b ? "No field differs between the paired records." : "Load records of the other system (step 1, right) to see conflicts."));
    return;
  }
  el.replaceChildren(
    h("p", { class: "count" }, `${fmt.format(count)} field${count === 1 ? "" : "s"} differ between paired records (policy: ${policySelect.selectedOptions[0]?.textContent}).${count > list.length ? ` The first ${list.length} are shown.` : ""}`),
    h("div", { class: "scroll" }, h("table", { class: "grid conflicts" },
      h("thead", {}, h("tr", {}, ...["Outseta", "GHL", "field", "Outseta has", "GHL has", "decision"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, ...list.map((c) => h("tr", {}, h("td", { "data-label": "Outseta" }, c.outsetaUid ?? ""), h("td", { "data-label": "GHL" }, c.ghlId ?? ""),
        h("td", { "data-label": "field" }, c.field), h("td", { "data-label": "Outseta has" }, show(c.outseta)), h("td", { "data-label": "GHL has" }, show(c.ghl)),
        h("td", { "data-label": "decision" }, h("strong", {}, c.decision), h("br"), h("span", { class: "reason" }, c.reason))))))),
  );
}

/** @param {any} result */
function showPlan(result) {
  const el = $("#plan-counts", HTMLElement);
  const s = result.summary;
  el.replaceChildren(
    h("p", { class: "count", id: "api-calls" }, `${fmt.format(s.operations)} operations for ${fmt.format(s.pairs)} pairs: ${fmt.format(s.apiCalls)} API call${s.apiCalls === 1 ? "" : "s"} (links and reviews are kept by the sync, not sent).`),
    h("table", { class: "grid" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "operation"), h("th", { scope: "col" }, "count"))),
      h("tbody", {}, ...Object.entries(result.byOp).map(([op, n]) => h("tr", {}, h("td", {}, op), h("td", {}, fmt.format(Number(n))))))),
  );
  planLines = result.planLines;
  planRecord = result.planRecord;
  planList.setCount(planLines.length);
}

// ---- start -----------------------------------------------------------------------------

const hello = await call({ type: "hello" });
$("#version", HTMLElement).textContent = hello.version;
spec = hello.defaultMapping;
specJson.value = JSON.stringify(spec, null, 2);
renderSpecForm(form, spec);
specOk = true;
await load("a", { sample: "outseta" });
document.body.dataset.ready = "true";
