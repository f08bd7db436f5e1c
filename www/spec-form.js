// The mapping spec as a form: one fieldset per field rule and per tag rule. Every control
// carries the JSON path of the spec value it edits (data-path), so a problem from
// validateMapping ("$.fields[2].transforms[0]") lands next to the control at fault.
// Keys the form does not show (descriptions, $schema) are kept as they are.

/** @typedef {import("../pkg/index.js").MappingProblem} MappingProblem */

/**
 * @param {string} tag @param {Record<string, string | boolean | undefined>} [attrs] @param {...(Node | string | null)} children
 * @returns {HTMLElement}
 */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== false) el.setAttribute(k, v === true ? "" : v);
  for (const c of children) if (c !== null) el.append(c);
  return el;
}

/** A list shown as "a, b"; a transform list with objects in it as JSON. @param {unknown} v */
function listText(v) {
  if (v === undefined || v === null) return "";
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v.join(", ");
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/**
 * One labelled control with its message line.
 * @param {string} id @param {string} label @param {string} path @param {HTMLElement} control @param {string} [hint]
 */
function control(id, label, path, control, hint) {
  control.id = id;
  control.dataset.path = path;
  control.setAttribute("aria-describedby", `${id}-msg${hint ? ` ${id}-hint` : ""}`);
  return h("div", { class: "control" },
    h("label", { for: id }, label),
    control,
    hint ? h("small", { id: `${id}-hint`, class: "hint" }, hint) : null,
    h("p", { class: "msg", id: `${id}-msg` }));
}

const GHL_FIELDS = ["email", "firstName", "lastName", "name", "phone", "address1", "city", "state", "postalCode", "country", "website", "timezone", "companyName", "source", "dateOfBirth", "dnd", "customFields.contact."];

/**
 * Draws the form for `spec` (replacing what was there).
 * @param {HTMLFormElement} form @param {any} spec
 */
export function renderSpecForm(form, spec) {
  if (!spec || typeof spec !== "object") {
    form.replaceChildren(h("p", { class: "msg" }, "The spec must be a JSON object."));
    return;
  }
  const text = (/** @type {string} */ value) => {
    const input = /** @type {HTMLInputElement} */ (h("input", { type: "text", spellcheck: "false", autocomplete: "off" }));
    input.value = value;
    return input;
  };
  const region = text(spec.defaultRegion ?? "");
  const auto = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox" }));
  auto.checked = spec.autoCustomFields === true;
  auto.id = "spec-auto";
  auto.dataset.path = "$.autoCustomFields";
  auto.setAttribute("aria-describedby", "spec-auto-msg");
  const globals = h("fieldset", { class: "globals", "data-path": "$" },
    h("legend", {}, "General"),
    control("spec-region", "Default phone region", "$.defaultRegion", region, "Two letters, e.g. US or GB: for phones written without a country code."),
    h("div", { class: "control check" }, auto, h("label", { for: "spec-auto" }, "Outseta custom properties become GHL custom fields (contact.<snake_case name>)"),
      h("p", { class: "msg", id: "spec-auto-msg" })),
    h("p", { class: "msg", id: "spec-root-msg" }));

  const datalist = h("datalist", { id: "ghl-fields" }, ...GHL_FIELDS.map((f) => h("option", { value: f })));
  const fields = (Array.isArray(spec.fields) ? spec.fields : []).map((/** @type {any} */ rule, /** @type {number} */ i) => {
    const base = `$.fields[${i}]`;
    const ghl = text(typeof rule?.ghl === "string" ? rule.ghl : "");
    ghl.setAttribute("list", "ghl-fields");
    const direction = /** @type {HTMLSelectElement} */ (h("select", {},
      h("option", { value: "" }, "both ways"), h("option", { value: "toGhl" }, "Outseta → GHL only"), h("option", { value: "toOutseta" }, "GHL → Outseta only")));
    direction.value = rule?.direction === "both" ? "" : rule?.direction ?? "";
    return h("fieldset", { class: "field", "data-index": String(i), "data-path": base },
      h("legend", {}, `Field rule ${i + 1}${rule?.ghl ? `: ${rule.ghl}` : ""}`),
      control(`f${i}-outseta`, "Outseta field(s)", `${base}.outseta`, text(listText(rule?.outseta))),
      control(`f${i}-ghl`, "GHL field", `${base}.ghl`, ghl),
      control(`f${i}-direction`, "Direction", `${base}.direction`, direction),
      control(`f${i}-transforms`, "Transforms toward GHL", `${base}.transforms`, text(listText(rule?.transforms))),
      control(`f${i}-toOutseta`, "Transforms toward Outseta (optional)", `${base}.toOutseta`, text(listText(rule?.toOutseta))),
      h("p", { class: "msg", id: `f${i}-msg` }),
      h("button", { type: "button", "data-action": "remove-field", "data-index": String(i), class: "remove" }, `Remove field rule ${i + 1}`));
  });
  const tags = (Array.isArray(spec.tags) ? spec.tags : []).map((/** @type {any} */ rule, /** @type {number} */ i) => {
    const base = `$.tags[${i}]`;
    return h("fieldset", { class: "tag", "data-index": String(i), "data-path": base },
      h("legend", {}, `Tag rule ${i + 1}`),
      control(`t${i}-when`, "When (JSON condition)", `${base}.when`, text(rule?.when === undefined ? "" : JSON.stringify(rule.when))),
      control(`t${i}-add`, "Add tags", `${base}.add`, text(listText(rule?.add))),
      control(`t${i}-remove`, "Remove tags", `${base}.remove`, text(listText(rule?.remove))),
      h("p", { class: "msg", id: `t${i}-msg` }),
      h("button", { type: "button", "data-action": "remove-tag", "data-index": String(i), class: "remove" }, `Remove tag rule ${i + 1}`));
  });
  form.replaceChildren(globals, datalist,
    h("h3", {}, "Field rules"),
    h("p", { class: "hint" }, "Outseta fields are paths such as Email or MailingAddress.City; several, comma-separated, are tried in order. Transforms are names separated by commas (trim, lowercase, e164), or JSON for those with options: [\"trim\", {\"e164\": {\"defaultRegion\": \"GB\"}}]."),
    ...fields, h("button", { type: "button", "data-action": "add-field" }, "Add a field rule"),
    h("h3", {}, "Tag rules"),
    h("p", { class: "hint" }, "A condition on the Outseta person as JSON, e.g. {\"field\": \"Account.AccountStage\", \"equals\": 3}; tags comma-separated."),
    ...tags, h("button", { type: "button", "data-action": "add-tag" }, "Add a tag rule"));
}

/** "a, b" → ["a", "b"]; "" → undefined. @param {string} text */
const list = (text) => {
  const items = text.split(",").map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
};

/**
 * Reads the form back into a spec, starting from `previous` so keys the form does not
 * show survive. A control holding JSON that does not parse keeps its old value and
 * yields a problem at its path.
 * @param {HTMLFormElement} form @param {any} previous
 * @returns {{ spec: any, localErrors: MappingProblem[] }}
 */
export function specFromForm(form, previous) {
  const spec = structuredClone(previous ?? { version: 1 });
  /** @type {MappingProblem[]} */
  const localErrors = [];
  /** @param {any} obj @param {string} key @param {unknown} value */
  const put = (obj, key, value) => {
    if (value === undefined) delete obj[key];
    else obj[key] = value;
  };
  const value = (/** @type {string} */ id) => /** @type {HTMLInputElement | HTMLSelectElement} */ (form.querySelector(`#${id}`))?.value ?? "";
  /** @param {string} id @param {string} path @returns {{ ok: boolean, value?: unknown }} */
  const json = (id, path) => {
    const t = value(id).trim();
    if (!t) return { ok: true, value: undefined };
    try {
      return { ok: true, value: JSON.parse(t) };
    } catch (err) {
      localErrors.push({ path, code: "INVALID_VALUE", message: `not valid JSON: ${/** @type {Error} */ (err).message}` });
      return { ok: false };
    }
  };
  /** Transforms: names separated by commas, or JSON. @param {string} id @param {string} path */
  const transforms = (id, path) => {
    const t = value(id).trim();
    if (t.startsWith("[") || t.startsWith("{")) {
      const parsed = json(id, path);
      if (!parsed.ok) return { ok: false };
      return { ok: true, value: Array.isArray(parsed.value) ? parsed.value : [parsed.value] };
    }
    return { ok: true, value: list(t) };
  };

  put(spec, "defaultRegion", value("spec-region").trim() || undefined);
  const auto = form.querySelector("#spec-auto");
  if (auto instanceof HTMLInputElement) spec.autoCustomFields = auto.checked;

  form.querySelectorAll("fieldset.field").forEach((fs) => {
    const i = Number(/** @type {HTMLElement} */ (fs).dataset.index);
    const rule = (spec.fields ??= [])[i] ??= {};
    const paths = list(value(`f${i}-outseta`));
    put(rule, "outseta", paths && paths.length === 1 ? paths[0] : paths);
    put(rule, "ghl", value(`f${i}-ghl`).trim() || undefined);
    put(rule, "direction", value(`f${i}-direction`) || undefined);
    for (const key of ["transforms", "toOutseta"]) {
      const parsed = transforms(`f${i}-${key}`, `$.fields[${i}].${key}`);
      if (parsed.ok) put(rule, key, parsed.value);
    }
  });
  form.querySelectorAll("fieldset.tag").forEach((fs) => {
    const i = Number(/** @type {HTMLElement} */ (fs).dataset.index);
    const rule = (spec.tags ??= [])[i] ??= {};
    const when = json(`t${i}-when`, `$.tags[${i}].when`);
    if (when.ok) put(rule, "when", when.value);
    put(rule, "add", list(value(`t${i}-add`)));
    put(rule, "remove", list(value(`t${i}-remove`)));
  });
  return { spec, localErrors };
}

/**
 * Shows each problem next to the control whose path is the longest prefix of the
 * problem's path (else on its rule, else at the top), and marks the control invalid.
 * @param {HTMLFormElement} form @param {MappingProblem[]} problems
 */
export function showProblems(form, problems) {
  for (const msg of form.querySelectorAll(".msg")) msg.textContent = "";
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const targets = /** @type {HTMLElement[]} */ ([...form.querySelectorAll("[data-path]")]);
  for (const p of problems) {
    let best = /** @type {HTMLElement | null} */ (null);
    let bestLen = -1;
    for (const el of targets) {
      const dp = el.dataset.path ?? "";
      const fits = p.path === dp || p.path.startsWith(`${dp}.`) || p.path.startsWith(`${dp}[`) || dp === "$";
      if (fits && dp.length > bestLen) {
        best = el;
        bestLen = dp.length;
      }
    }
    if (!best) continue;
    let msg;
    if (best.tagName === "FIELDSET") {
      const index = best.dataset.index;
      msg = best.classList.contains("field") ? form.querySelector(`#f${index}-msg`) : best.classList.contains("tag") ? form.querySelector(`#t${index}-msg`) : form.querySelector("#spec-root-msg");
    } else {
      best.setAttribute("aria-invalid", "true");
      msg = form.querySelector(`#${best.id}-msg`);
    }
    if (msg) msg.textContent = `${msg.textContent ? `${msg.textContent} ` : ""}${p.message}`;
  }
}
