// A stateful local HighLevel (GHL) Contacts API v2 simulator, faithful to the official
// OpenAPI files (read from GHL_SPEC_DIR, never copied) and to the live behaviour sourced
// in ../shared/specs/ghl/NOTES.md. Binds 127.0.0.1 only.
//
//   node tests/sim/ghl.mjs --port 0 [options]      prints its URL, serves until killed
//
// Options (each also a key of startGhlSim({...})):
//   --port N                 0 = a free port
//   --location ID            the location the token may access (default loc_sim)
//   --token T                a Private Integration Token it accepts (default sim-token)
//   --seed FILE              JSON {contacts:[...], tasks:[...], notes:[...], customFields:[...]}
//   --webhook-url URL        POST signed webhook events there
//   --duplicates MODE        allow | email | phone  (disallow, with that primary field)
//   --rate-limit on|off      100 requests / 10 s per location, with 429 (default on)
//   --time-scale F           time runs F times faster (rate window, slow faults)
//   --fault-429 R --fault-5xx R --fault-slow R --fault-drop R --fault-422-created R
//                            each a rate in [0,1]; --slow-ms N (default 2000); --fault-seed N
//                            (422-created: create and upsert write, then answer 422)
//   --clock-offset-ms N      this server's clock runs N ms ahead (negative: behind) of the host's
//   --unknown-custom-fields ignore|reject
//                            a write naming a custom field id the location has no definition
//                            for: the entry is not kept (ignore, default) or the write gets 422
//
// Unconfirmed upstream (NOTES.md has no source for it), chosen here and handled both ways
// by the engine: what a contact write with a custom field id the location does not have
// does. By default the entry is dropped and the answer's contact simply lacks it;
// `unknownCustomFields: "reject"` answers 422 naming the field instead.
//
// Test-only routes (paths the real API does not use):
//   GET /_sim/state  GET /_sim/stats  GET /_sim/keys  POST /_sim/reset  POST /_sim/config
//   POST /_sim/oauth/code (mints an authorization code)  POST /_sim/expire-tokens
import { createServer } from "node:http";
import { generateKeyPairSync, sign, randomUUID } from "node:crypto";
import { readFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { OpenAPIBackend } from "openapi-backend";
import addFormats from "ajv-formats";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** GHL_SPEC_DIR, else ../shared/specs/ghl from the repository root (or ../../shared for a worktree). */
export function specDir() {
  if (process.env.GHL_SPEC_DIR) return resolve(process.env.GHL_SPEC_DIR);
  const near = resolve(ROOT, "../shared/specs/ghl");
  return existsSync(near) ? near : resolve(ROOT, "../../shared/specs/ghl");
}

// Messages from NOTES.md §7 (exact spellings).
const MSG = {
  invalidToken: "Invalid token: access token is invalid",
  noLocation: "The token does not have access to this location.",
  duplicate: "This location does not allow duplicated contacts.",
  dupSearch: "Pass at least one of number, email query parameter",
};

/** Loads an app spec with its ../common refs inlined, so one document validates alone. */
function loadSpec(dir, file, strictBodies) {
  const common = JSON.parse(readFileSync(join(dir, "common/common-schemas.json"), "utf8"));
  const text = readFileSync(join(dir, "apps", file), "utf8").replaceAll(
    '"../common/common-schemas.json#/components/schemas/',
    '"#/components/schemas/__common__',
  );
  const spec = JSON.parse(text);
  for (const [name, schema] of Object.entries(common.components?.schemas ?? {})) {
    spec.components.schemas[`__common__${name}`] = schema;
  }
  // Spec defect: POST /contacts/bulk/tags/update/{type} never declares {type}. Declare
  // every undeclared path template parameter as a string so the path validates.
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (typeof op !== "object" || !op || method === "parameters") continue;
      for (const [, name] of template.matchAll(/\{(\w+)\}/g)) {
        const params = (op.parameters ??= []);
        if (!params.some((p) => p.in === "path" && p.name === name)) {
          params.push({ name, in: "path", required: true, schema: { type: "string" } });
        }
      }
    }
  }
  // The live API whitelists body properties (class-validator forbidNonWhitelisted,
  // GHL#314): a top-level request DTO with declared properties refuses any other key.
  for (const path of Object.values(spec.paths)) {
    for (const op of Object.values(path)) {
      const ref = op?.requestBody?.content?.["application/json"]?.schema?.$ref;
      if (!strictBodies || !ref) continue;
      const schema = spec.components.schemas[ref.split("/").pop()];
      if (schema?.properties && Object.keys(schema.properties).length && schema.additionalProperties === undefined) {
        schema.additionalProperties = false;
      }
    }
  }
  return spec;
}

/** ajv errors as class-validator words them (the live API's 422 `message` array). */
function messagesFrom(errors) {
  return (errors ?? []).map((e) => {
    // openapi-backend roots body errors at /requestBody; the live API names the property.
    const path = (e.instancePath || "").split("/").filter(Boolean);
    if (path[0] === "requestBody") path.shift();
    const prop = path.length ? path.join(".") : "";
    switch (e.keyword) {
      case "additionalProperties":
        return `property ${[...path, e.params.additionalProperty].join(".")} should not exist`;
      case "required":
        return `${[...path, e.params.missingProperty].join(".")} should not be empty`;
      case "type":
        return `${prop || "body"} must be a ${e.params.type}`;
      case "enum":
        return `${prop || "value"} must be one of the following values: ${e.params.allowedValues.join(", ")}`;
      default:
        return `${prop || "body"} ${e.message}`;
    }
  });
}

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

const id = (prefix = "") => prefix + randomUUID().replaceAll("-", "").slice(0, 20);
const now = () => new Date().toISOString();
const lc = (v) => (typeof v === "string" ? v.toLowerCase() : v);

function e164(phone) {
  if (typeof phone !== "string" || !phone.trim()) return phone ?? null;
  const digits = phone.replace(/[^\d]/g, "");
  if (phone.trim().startsWith("+")) return `+${digits}`;
  if (digits.length === 10) return `+1${digits}`;
  return `+${digits}`;
}

const CONTACT_WRITABLE = [
  "firstName", "lastName", "name", "email", "gender", "phone", "address1", "city", "state",
  "postalCode", "website", "timezone", "dnd", "dndSettings", "inboundDndSettings", "tags",
  "source", "dateOfBirth", "country", "companyName", "assignedTo", "keyword", "ssn", "type",
];
const SEARCH_FIELDS = new Set([
  "id", "firstName", "lastName", "email", "phone", "tags", "dateAdded", "dateUpdated",
  "companyName", "source", "city", "state", "country", "postalCode", "assignedTo", "dnd",
  "businessId", "type", "contactName",
]);

// Validators and signing keys are built once per process: parsing and dereferencing the
// three spec files takes seconds on a busy machine, and an RSA key pair is not free.
const validatorCache = new Map();
function validators(dir) {
  if (!validatorCache.has(dir)) {
    validatorCache.set(dir, (async () => {
      const apis = [];
      for (const [file, strict] of [["contacts.json", true], ["locations.json", false], ["oauth.json", false]]) {
        const api = new OpenAPIBackend({
          definition: loadSpec(dir, file, strict),
          strict: false,
          validate: true,
          quick: false,
          ignoreTrailingSlashes: false, // "/contacts/" is its own path in the spec
          ajvOpts: { strict: false, allErrors: true },
          customizeAjv: (ajv) => { addFormats(ajv); return ajv; },
        });
        await api.init();
        apis.push(api);
      }
      return apis;
    })());
  }
  return validatorCache.get(dir);
}

let keyCache;
function signingKeys() {
  if (!keyCache) {
    const ed = generateKeyPairSync("ed25519");
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    keyCache = {
      ed, rsa,
      keys: {
        ed25519: ed.publicKey.export({ type: "spki", format: "pem" }),
        rsa: rsa.publicKey.export({ type: "spki", format: "pem" }),
      },
    };
  }
  return keyCache;
}

export async function startGhlSim(options = {}) {
  const o = {
    port: 0,
    location: "loc_sim",
    token: "sim-token",
    duplicates: "allow",
    rateLimit: true,
    timeScale: 1,
    fault429: 0, fault5xx: 0, faultSlow: 0, faultDrop: 0, fault422Created: 0,
    slowMs: 2000,
    faultSeed: 1,
    webhookUrl: null,
    seed: null,
    clientId: "sim-client",
    clientSecret: "sim-secret",
    clockOffsetMs: 0,
    unknownCustomFields: "ignore",
    ...options,
  };
  // Every timestamp the simulated API stamps reads this clock (clock-skew tests).
  const now = () => new Date(Date.now() + o.clockOffsetMs).toISOString();
  const apis = await validators(specDir());
  const { ed, rsa, keys } = signingKeys();

  let random = rng(o.faultSeed);
  let state;
  let stats;
  const tokens = new Map(); // access token -> { location, valid }
  const refreshTokens = new Map(); // refresh token -> location
  const codes = new Map(); // authorization code -> location
  const windows = new Map(); // location -> [timestamps]
  const daily = new Map();
  const webhookDeliveries = [];

  function reset() {
    state = { contacts: new Map(), tasks: new Map(), notes: new Map(), customFields: new Map(), followers: new Map(), campaigns: new Map(), workflows: new Map(), businesses: new Map() };
    stats = { requests: 0, byOperation: {}, byStatus: {}, validationErrors: 0, faults: { 429: 0, "5xx": 0, slow: 0, drop: 0, "422created": 0 }, rateLimited: 0, webhooks: { sent: 0, failed: 0 } };
    tokens.clear();
    tokens.set(o.token, { location: o.location, valid: true });
    windows.clear();
    daily.clear();
    random = rng(o.faultSeed);
    if (o.seed) {
      const seed = typeof o.seed === "string" ? JSON.parse(readFileSync(o.seed, "utf8")) : o.seed;
      for (const c of seed.contacts ?? []) storeContact({ ...blankContact(c.locationId ?? o.location), ...c });
      for (const t of seed.tasks ?? []) state.tasks.set(t.id, t);
      for (const n of seed.notes ?? []) state.notes.set(n.id, n);
      for (const f of seed.customFields ?? []) state.customFields.set(f.id, { locationId: o.location, model: "contact", ...f });
    }
  }

  function blankContact(locationId) {
    const t = now();
    return {
      id: id(), locationId, firstName: null, lastName: null, name: null, email: null, phone: null,
      companyName: null, timezone: null, dnd: false, dndSettings: {}, type: "lead", source: null,
      assignedTo: null, address1: null, city: null, state: null, country: null, postalCode: null,
      website: null, tags: [], dateOfBirth: null, dateAdded: t, dateUpdated: t, customFields: [],
      businessId: null, attributions: [], additionalEmails: [],
      // Seen live, not in the spec (NOTES.md §4): clients must keep such keys.
      createdBy: { source: "INTEGRATION", channel: "OAUTH", sourceId: o.clientId, timestamp: t },
    };
  }

  function storeContact(c) {
    c.emailLowerCase = lc(c.email) ?? null;
    c.firstNameLowerCase = lc(c.firstName) ?? null;
    c.lastNameLowerCase = lc(c.lastName) ?? null;
    const full = [c.firstName, c.lastName].filter(Boolean).join(" ");
    c.fullNameLowerCase = full ? full.toLowerCase() : null;
    if (!c.name && full) c.name = full;
    state.contacts.set(c.id, c);
    return c;
  }

  function applyWrite(c, body) {
    for (const key of CONTACT_WRITABLE) if (key in body) c[key] = body[key];
    if ("phone" in body) c.phone = e164(body.phone);
    if ("email" in body && typeof body.email === "string") c.email = body.email.trim();
    if (Array.isArray(body.tags)) c.tags = [...new Set(body.tags.map((t) => String(t).trim().toLowerCase()))];
    if (Array.isArray(body.customFields)) {
      const byId = new Map(c.customFields.map((f) => [f.id, f]));
      for (const f of body.customFields) {
        // An id that is no definition of the location is not kept (unconfirmed upstream:
        // see the header; `unknownCustomFields: "reject"` refuses the write instead).
        if (!isDefinition(c.locationId, f.id)) continue;
        // field_value, fieldValue (v3 name) and value are all accepted; value is emitted.
        const value = f.field_value ?? f.fieldValue ?? f.value;
        byId.set(f.id, { id: f.id, value });
      }
      c.customFields = [...byId.values()];
    }
    c.dateUpdated = now();
    return storeContact(c);
  }

  const contactsOf = (loc) => [...state.contacts.values()].filter((c) => c.locationId === loc);

  const isDefinition = (loc, id) => [...state.customFields.values()].some((f) => f.locationId === loc && f.id === id);
  /** With unknownCustomFields "reject": the 422 for a write naming an id the location lacks, else null. */
  function unknownCustomFields(loc, body) {
    if (o.unknownCustomFields !== "reject" || !Array.isArray(body.customFields)) return null;
    const bad = body.customFields.map((f, i) => [i, f?.id]).filter(([, id]) => !isDefinition(loc, id));
    return bad.length ? bad.map(([i, id]) => `customFields.${i}.id ${id} is not a custom field of this location`) : null;
  }

  function findMatch(loc, field, value) {
    if (value == null || value === "") return null;
    const want = field === "email" ? lc(value) : e164(value);
    return contactsOf(loc).find((c) => (field === "email" ? lc(c.email) : c.phone) === want) ?? null;
  }

  // ---- webhooks -------------------------------------------------------------------
  function contactEvent(type, c) {
    const ev = { type, locationId: c.locationId, id: c.id };
    for (const k of ["address1", "city", "state", "companyName", "country", "source", "dateAdded", "dateOfBirth", "dnd", "email", "name", "firstName", "lastName", "phone", "postalCode", "tags", "website", "assignedTo", "customFields"]) {
      if (c[k] !== null && c[k] !== undefined) ev[k] = c[k];
    }
    ev.attachments = [];
    if (type === "ContactDndUpdate") ev.dndSettings = c.dndSettings;
    return ev;
  }

  async function deliver(event) {
    if (!o.webhookUrl) return;
    const payload = { ...event, webhookId: randomUUID(), timestamp: now(), appId: o.clientId, versionId: "sim-1" };
    const body = Buffer.from(JSON.stringify(payload));
    const headers = {
      "content-type": "application/json",
      "x-ghl-signature": sign(null, body, ed.privateKey).toString("base64"),
      "x-wh-signature": sign("sha256", body, rsa.privateKey).toString("base64"),
    };
    webhookDeliveries.push(payload);
    try {
      const res = await fetch(o.webhookUrl, { method: "POST", headers, body });
      stats.webhooks.sent++;
      await res.arrayBuffer();
    } catch {
      stats.webhooks.failed++;
    }
  }
  const emit = (event) => { deliver(event); };

  // ---- HTTP ------------------------------------------------------------------------
  const traceId = () => randomUUID();
  function send(res, status, body, extraHeaders = {}) {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...res.rateHeaders, ...extraHeaders });
    res.end(text);
  }
  const err = (res, status, message, extra = {}) => {
    const error = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 422: "Unprocessable Entity", 429: "Too Many Requests" }[status];
    send(res, status, { statusCode: status, message, ...(error ? { error } : {}), ...extra, traceId: traceId() });
  };

  function rateCheck(loc, res) {
    const windowMs = 10_000 / o.timeScale;
    const t = Date.now();
    const list = (windows.get(loc) ?? []).filter((x) => x > t - windowMs);
    windows.set(loc, list);
    const day = new Date().toISOString().slice(0, 10);
    const d = daily.get(loc)?.day === day ? daily.get(loc) : { day, n: 0 };
    daily.set(loc, d);
    const over = o.rateLimit && list.length >= 100;
    if (!over) { list.push(t); d.n++; }
    res.rateHeaders = {
      "x-ratelimit-limit-daily": "200000",
      "x-ratelimit-daily-remaining": String(Math.max(0, 200000 - d.n)),
      "x-ratelimit-interval-milliseconds": String(Math.round(windowMs)),
      "x-ratelimit-max": "100",
      // With the limit off nothing is ever refused, so nothing is reported as spent
      // (a client obeying a "0 remaining" header would otherwise wait for nothing).
      "x-ratelimit-remaining": String(o.rateLimit ? Math.max(0, 100 - list.length) : 100),
    };
    return !over;
  }

  async function readBody(req) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    return Buffer.concat(chunks).toString("utf8");
  }

  function authLocation(req) {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
    const t = m && tokens.get(m[1]);
    return t && t.valid ? t.location : null;
  }

  async function handle(req, res) {
    const url = new URL(req.url, "http://127.0.0.1");
    const path = url.pathname;
    const raw = await readBody(req);
    res.rateHeaders = {};
    if (path.startsWith("/_sim/")) return simRoute(req, res, path, raw);
    stats.requests++;

    // OAuth token endpoint: form-urlencoded, no Version header, no bearer.
    if (path === "/oauth/token" && req.method === "POST") return oauthToken(res, raw);

    // Validate against the official spec.
    let body;
    if (raw && (req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded")) {
      body = Object.fromEntries(new URLSearchParams(raw));
    } else if (raw) {
      try { body = JSON.parse(raw); } catch {
        return err(res, 400, "Unexpected token in JSON body");
      }
    }
    const query = Object.fromEntries(url.searchParams);
    const request = { method: req.method, path, query, headers: req.headers, body };
    let api, operation;
    for (const a of apis) {
      operation = a.matchOperation(request);
      if (operation) { api = a; break; }
    }
    if (!operation) return err(res, 404, `Cannot ${req.method} ${path}`);
    const opId = operation.operationId;
    stats.byOperation[opId] = (stats.byOperation[opId] ?? 0) + 1;

    const loc = authLocation(req);
    if (!loc) return err(res, 401, MSG.invalidToken);
    if (!rateCheck(loc, res)) { stats.rateLimited++; return err(res, 429, "Too Many Requests"); }

    // Faults, each drawn independently.
    if (random() < o.fault429) { stats.faults[429]++; return err(res, 429, "Too Many Requests"); }
    if (random() < o.faultDrop) { stats.faults.drop++; return req.socket.destroy(); }
    if (random() < o.fault5xx) { stats.faults["5xx"]++; return send(res, 502, { statusCode: 502, message: "Bad Gateway" }); }
    if (random() < o.faultSlow) { stats.faults.slow++; await new Promise((r) => setTimeout(r, o.slowMs / o.timeScale)); }

    const v = api.validateRequest(request, operation);
    if (!v.valid) {
      stats.validationErrors++;
      return err(res, 422, messagesFrom(v.errors));
    }
    const params = operation.path ? matchParams(operation.path, path) : {};
    try {
      return await route(opId, { req, res, loc, params, query, body: body ?? {} });
    } catch (e) {
      return send(res, 500, { statusCode: 500, message: String(e?.message ?? e) });
    }
  }

  function matchParams(template, path) {
    const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const re = new RegExp("^" + template.replace(/\{\w+\}/g, "([^/]+)") + "$");
    const m = re.exec(path);
    return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m?.[i + 1] ?? "")]));
  }

  function contactFor(res, loc, contactId) {
    const c = state.contacts.get(contactId);
    if (!c) { err(res, 400, `Contact with id ${contactId} not found`); return null; }
    if (c.locationId !== loc) { err(res, 403, MSG.noLocation); return null; }
    return c;
  }

  const searchItem = (c) => {
    const { address1, dndSettings, emailLowerCase, firstNameLowerCase, lastNameLowerCase, fullNameLowerCase, ...rest } = c;
    return {
      ...rest,
      contactName: c.name,
      firstNameRaw: c.firstName,
      lastNameRaw: c.lastName,
      address: address1,
      businessName: c.companyName,
      validEmail: c.email ? true : null,
      phoneLabel: c.phone ? "mobile" : null,
      additionalPhones: [],
      dateOfBirth: c.dateOfBirth ? Date.parse(c.dateOfBirth) : null, // epoch number (GHL#314)
      searchAfter: [Date.parse(c.dateAdded), c.id],
    };
  };

  function filterMatch(c, f) {
    if (f.group) {
      const results = (f.filters ?? []).map((x) => filterMatch(c, x));
      return f.group === "OR" ? results.some(Boolean) : results.every(Boolean);
    }
    const v = c[f.field];
    const norm = (x) => (typeof x === "string" ? x.toLowerCase() : x);
    switch (f.operator) {
      case "eq": return Array.isArray(v) ? v.map(norm).includes(norm(f.value)) : norm(v) === norm(f.value);
      case "not_eq": return Array.isArray(v) ? !v.map(norm).includes(norm(f.value)) : norm(v) !== norm(f.value);
      case "contains": return String(v ?? "").toLowerCase().includes(String(f.value).toLowerCase());
      case "not_contains": return !String(v ?? "").toLowerCase().includes(String(f.value).toLowerCase());
      case "exists": return v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && !v.length);
      case "not_exists": return v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length);
      case "range": {
        const x = typeof v === "string" && /^\d{4}-/.test(v) ? Date.parse(v) : v;
        const r = f.value ?? {};
        const n = (y) => (typeof y === "string" && /^\d{4}-/.test(y) ? Date.parse(y) : y);
        return (r.gte === undefined || x >= n(r.gte)) && (r.lte === undefined || x <= n(r.lte)) &&
          (r.gt === undefined || x > n(r.gt)) && (r.lt === undefined || x < n(r.lt));
      }
      default: return false;
    }
  }

  function checkFilterFields(filters) {
    for (const f of filters ?? []) {
      if (f.group) { const bad = checkFilterFields(f.filters); if (bad) return bad; continue; }
      if (!SEARCH_FIELDS.has(f.field)) return f.field;
    }
    return null;
  }

  async function route(op, { res, loc, params, query, body }) {
    const cid = params.contactId;
    switch (op) {
      case "get-contact": {
        const c = contactFor(res, loc, cid); if (!c) return;
        return send(res, 200, { contact: c });
      }
      case "get-contacts": {
        if (query.locationId !== loc) return err(res, 403, MSG.noLocation);
        const limit = Math.min(Number(query.limit ?? 20), 100);
        let list = contactsOf(loc).sort((a, b) => Date.parse(a.dateAdded) - Date.parse(b.dateAdded) || a.id.localeCompare(b.id));
        if (query.query) {
          const q = query.query.toLowerCase();
          list = list.filter((c) => [c.email, c.name, c.phone].some((x) => x?.toLowerCase?.().includes(q)));
        }
        if (query.startAfterId) {
          const i = list.findIndex((c) => c.id === query.startAfterId);
          list = list.slice(i + 1);
        }
        const page = list.slice(0, limit);
        const last = page[page.length - 1];
        return send(res, 200, {
          contacts: page.map(searchItem).map(({ searchAfter, ...c }) => c),
          count: contactsOf(loc).length,
          meta: {
            total: contactsOf(loc).length,
            startAfterId: last?.id ?? null,
            startAfter: last ? Date.parse(last.dateAdded) : null,
          },
        });
      }
      case "get-contacts-by-businessId": {
        if (query.locationId !== loc) return err(res, 403, MSG.noLocation);
        const list = contactsOf(loc).filter((c) => c.businessId === params.businessId);
        const skip = Number(query.skip ?? 0), limit = Number(query.limit ?? 25);
        return send(res, 200, { contacts: list.slice(skip, skip + limit), count: list.length });
      }
      case "create-contact": {
        if (body.locationId !== loc) return err(res, 403, MSG.noLocation);
        if (o.duplicates !== "allow") {
          const order = o.duplicates === "phone" ? ["phone", "email"] : ["email", "phone"];
          for (const field of order) {
            const m = findMatch(loc, field, body[field]);
            if (m) return err(res, 400, MSG.duplicate, { meta: { contactId: m.id, contactName: m.name, matchingField: field } });
          }
        }
        const unknown = unknownCustomFields(loc, body);
        if (unknown) return err(res, 422, unknown);
        const c = applyWrite(blankContact(loc), body);
        emit(contactEvent("ContactCreate", c));
        if (random() < o.fault422Created) {
          stats.faults["422created"]++;
          return err(res, 422, ["Internal validation failed"]); // GHL#64: created anyway
        }
        return send(res, 201, { contact: c });
      }
      case "upsert-contact": {
        if (body.locationId !== loc) return err(res, 403, MSG.noLocation);
        const { createNewIfDuplicateAllowed, locationId, ...fields } = body;
        let match = null;
        if (!(o.duplicates === "allow" && createNewIfDuplicateAllowed)) {
          const order = o.duplicates === "phone" ? ["phone", "email"] : ["email", "phone"];
          for (const field of order) {
            match = findMatch(loc, field, fields[field]);
            if (match) {
              // GHL#37: the other field matching a different contact is silently dropped.
              const other = field === "email" ? "phone" : "email";
              const otherMatch = findMatch(loc, other, fields[other]);
              if (otherMatch && otherMatch.id !== match.id) delete fields[other];
              break;
            }
          }
        }
        const isNew = !match;
        const unknown = unknownCustomFields(loc, fields);
        if (unknown) return err(res, 422, unknown);
        const c = applyWrite(match ?? blankContact(loc), fields);
        emit(contactEvent(isNew ? "ContactCreate" : "ContactUpdate", c));
        // GHL#64 is reported on create; the fault applies to upsert's writes too, so a
        // client that only upserts meets the same "failed, but written" answer.
        if (random() < o.fault422Created) {
          stats.faults["422created"]++;
          return err(res, 422, ["Internal validation failed"]);
        }
        return send(res, 200, { new: isNew, contact: c, traceId: traceId() });
      }
      case "update-contact": {
        const c = contactFor(res, loc, cid); if (!c) return;
        const dndBefore = JSON.stringify(c.dndSettings);
        const tagsBefore = JSON.stringify(c.tags);
        const unknown = unknownCustomFields(loc, body);
        if (unknown) return err(res, 422, unknown);
        applyWrite(c, body);
        emit(contactEvent("ContactUpdate", c));
        if (JSON.stringify(c.dndSettings) !== dndBefore) emit(contactEvent("ContactDndUpdate", c));
        if (JSON.stringify(c.tags) !== tagsBefore) emit(contactEvent("ContactTagUpdate", c));
        return send(res, 200, { succeded: true, contact: c });
      }
      case "delete-contact": {
        const c = contactFor(res, loc, cid); if (!c) return;
        state.contacts.delete(cid);
        emit(contactEvent("ContactDelete", c));
        return send(res, 200, { succeded: true });
      }
      case "search-contacts-advanced": {
        if (body.locationId !== loc) return err(res, 403, MSG.noLocation);
        if (body.pageLimit === undefined) return err(res, 422, ["pageLimit must not be less than 1", "pageLimit must be a number conforming to the specified constraints"]);
        if (typeof body.pageLimit !== "number" || body.pageLimit < 1 || body.pageLimit > 500) return err(res, 422, ["pageLimit must not be greater than 500"]);
        if (typeof body.query === "string" && body.query.length > 75) return err(res, 422, ["query must be shorter than or equal to 75 characters"]);
        const bad = checkFilterFields(body.filters) ?? (body.sort ?? []).map((s) => s.field).find((f) => !SEARCH_FIELDS.has(f));
        if (bad) return err(res, 400, `Invalid field ${bad}`);
        if (body.page !== undefined && body.searchAfter !== undefined) return err(res, 400, "page and searchAfter cannot be used together");
        const page = body.page ?? 1;
        if (body.page !== undefined && page * body.pageLimit > 10_000) {
          return err(res, 400, "page-based pagination is limited to the first 10000 records; use searchAfter");
        }
        let list = contactsOf(loc).filter((c) => (body.filters ?? []).every((f) => filterMatch(c, f)));
        if (body.query) {
          const q = body.query.toLowerCase();
          list = list.filter((c) => [c.email, c.name, c.phone, c.companyName].some((x) => x?.toLowerCase?.().includes(q)));
        }
        const sorts = body.sort?.length ? body.sort : [{ field: "dateAdded", direction: "asc" }];
        const key = (c, f) => (f === "dateAdded" || f === "dateUpdated" ? Date.parse(c[f]) : c[f] ?? "");
        list.sort((a, b) => {
          for (const s of sorts) {
            const x = key(a, s.field), y = key(b, s.field);
            if (x < y) return s.direction === "desc" ? 1 : -1;
            if (x > y) return s.direction === "desc" ? -1 : 1;
          }
          return a.id.localeCompare(b.id);
        });
        const items = list.map(searchItem);
        let start = (page - 1) * body.pageLimit;
        if (Array.isArray(body.searchAfter)) {
          const [t, after] = body.searchAfter;
          const i = items.findIndex((c) => c.searchAfter[0] === t && c.searchAfter[1] === after);
          start = i + 1;
        }
        return send(res, 200, { contacts: items.slice(start, start + body.pageLimit), total: items.length, traceId: traceId() });
      }
      case "get-duplicate-contact": {
        if (query.locationId !== loc) return err(res, 403, MSG.noLocation);
        if (!query.email && !query.number) return err(res, 400, MSG.dupSearch);
        const m = findMatch(loc, "email", query.email) ?? findMatch(loc, "phone", query.number);
        return send(res, 200, { contact: m ?? null, traceId: traceId() });
      }
      case "add-tags": case "remove-tags": {
        const c = contactFor(res, loc, cid); if (!c) return;
        const tags = body.tags.map((t) => String(t).trim().toLowerCase());
        c.tags = op === "add-tags" ? [...new Set([...c.tags, ...tags])] : c.tags.filter((t) => !tags.includes(t));
        storeContact(c);
        emit(contactEvent("ContactTagUpdate", c));
        return send(res, op === "add-tags" ? 201 : 200, { tags: c.tags });
      }
      case "get-all-tasks": {
        const c = contactFor(res, loc, cid); if (!c) return;
        return send(res, 200, { tasks: [...state.tasks.values()].filter((t) => t.contactId === cid) });
      }
      case "get-task": case "update-task": case "update-task-completed": case "delete-task": {
        const c = contactFor(res, loc, cid); if (!c) return;
        const t = state.tasks.get(params.taskId);
        if (!t || t.contactId !== cid) return err(res, 400, `Task with id ${params.taskId} not found`);
        if (op === "get-task") return send(res, 200, { task: t });
        if (op === "delete-task") {
          state.tasks.delete(t.id);
          emit({ type: "TaskDelete", locationId: loc, ...t });
          return send(res, 200, { succeded: true });
        }
        const wasDone = t.completed;
        Object.assign(t, body);
        if (op === "update-task-completed" && t.completed && !wasDone) emit({ type: "TaskComplete", locationId: loc, ...t });
        return send(res, 200, { task: t });
      }
      case "create-task": {
        const c = contactFor(res, loc, cid); if (!c) return;
        const t = { id: id(), title: body.title, body: body.body ?? null, assignedTo: body.assignedTo ?? null, dueDate: body.dueDate, completed: body.completed, contactId: cid, dateAdded: now() };
        state.tasks.set(t.id, t);
        // GHL#332: real TaskCreate payloads lack contactId and body.
        const { contactId, body: taskBody, ...withoutQuirks } = t;
        emit({ type: "TaskCreate", locationId: loc, ...withoutQuirks });
        return send(res, 201, { task: { ...t, businessId: null }, traceId: traceId() });
      }
      case "get-all-notes": {
        const c = contactFor(res, loc, cid); if (!c) return;
        return send(res, 200, { notes: [...state.notes.values()].filter((n) => n.contactId === cid) });
      }
      case "create-note": {
        const c = contactFor(res, loc, cid); if (!c) return;
        const n = { id: id(), body: body.body, userId: body.userId ?? null, title: body.title ?? null, color: body.color ?? null, pinned: body.pinned ?? false, dateAdded: now(), contactId: cid };
        state.notes.set(n.id, n);
        emit({ type: "NoteCreate", locationId: loc, id: n.id, body: n.body, contactId: cid, dateAdded: n.dateAdded });
        return send(res, 201, { note: n });
      }
      case "get-note": case "update-note": case "delete-note": {
        const c = contactFor(res, loc, cid); if (!c) return;
        const n = state.notes.get(params.id);
        if (!n || n.contactId !== cid) return err(res, 400, `Note with id ${params.id} not found`);
        if (op === "get-note") return send(res, 200, { note: n });
        if (op === "delete-note") {
          state.notes.delete(n.id);
          emit({ type: "NoteDelete", locationId: loc, id: n.id, body: n.body, contactId: cid, dateAdded: n.dateAdded });
          return send(res, 200, { succeded: true });
        }
        Object.assign(n, body);
        emit({ type: "NoteUpdate", locationId: loc, id: n.id, body: n.body, contactId: cid, dateAdded: n.dateAdded });
        return send(res, 200, { note: n });
      }
      case "get-appointments-for-contact": {
        const c = contactFor(res, loc, cid); if (!c) return;
        return send(res, 200, { events: (c.appointments ?? []) });
      }
      case "add-followers-contact": case "remove-followers-contact": {
        const c = contactFor(res, loc, cid); if (!c) return;
        const set = new Set(c.followers ?? []);
        const changed = body.followers.filter((f) => (op === "add-followers-contact" ? !set.has(f) : set.has(f)));
        for (const f of body.followers) op === "add-followers-contact" ? set.add(f) : set.delete(f);
        c.followers = [...set];
        return op === "add-followers-contact"
          ? send(res, 201, { followers: c.followers, followersAdded: changed })
          : send(res, 200, { followers: c.followers, followersRemoved: changed });
      }
      case "add-contact-to-campaign": case "remove-contact-from-campaign": case "remove-contact-from-every-campaign": {
        const c = contactFor(res, loc, cid); if (!c) return;
        const set = new Set(state.campaigns.get(cid) ?? []);
        if (op === "add-contact-to-campaign") set.add(params.campaignId);
        else if (op === "remove-contact-from-campaign") set.delete(params.campaignId);
        else set.clear();
        state.campaigns.set(cid, [...set]);
        return send(res, op === "add-contact-to-campaign" ? 201 : 200, { succeded: true });
      }
      case "add-contact-to-workflow": case "delete-contact-from-workflow": {
        const c = contactFor(res, loc, cid); if (!c) return;
        const set = new Set(state.workflows.get(cid) ?? []);
        op === "add-contact-to-workflow" ? set.add(params.workflowId) : set.delete(params.workflowId);
        state.workflows.set(cid, [...set]);
        return send(res, 200, { succeded: true });
      }
      case "create-association": {
        const type = params.type;
        if (type !== "add" && type !== "remove") return err(res, 400, `type must be add or remove`);
        if (body.locationId !== loc) return err(res, 403, MSG.noLocation);
        const responses = body.contacts.map((contactId) => {
          const c = state.contacts.get(contactId);
          if (!c || c.locationId !== loc) return { contactId, message: "Contact not found", type: "error" };
          const oldTags = [...c.tags];
          const tags = body.tags.map((t) => String(t).trim().toLowerCase());
          if (type === "add") c.tags = [...new Set([...c.tags, ...tags])];
          else c.tags = body.removeAllTags ? [] : c.tags.filter((t) => !tags.includes(t));
          return { contactId, message: "Tags updated", type: "success", oldTags, tagsAdded: type === "add" ? tags.filter((t) => !oldTags.includes(t)) : [], tagsRemoved: type === "remove" ? oldTags.filter((t) => !c.tags.includes(t)) : [] };
        });
        const errorCount = responses.filter((r) => r.type === "error").length;
        return send(res, 201, { succeded: errorCount === 0, errorCount, responses });
      }
      case "add-remove-contact-from-business": {
        if (body.locationId !== loc) return err(res, 403, MSG.noLocation);
        for (const cid2 of body.ids) {
          const c = state.contacts.get(cid2);
          if (c && c.locationId === loc) c.businessId = body.businessId ?? null;
        }
        return send(res, 200, { success: true, ids: body.ids });
      }
      // Custom-field definitions (apps/locations.json).
      case "get-custom-fields": {
        if (params.locationId !== loc) return err(res, 403, MSG.noLocation);
        const model = query.model ?? "all";
        return send(res, 200, { customFields: [...state.customFields.values()].filter((f) => f.locationId === loc && (model === "all" || f.model === model)) });
      }
      case "get-custom-field": {
        if (params.locationId !== loc) return err(res, 403, MSG.noLocation);
        const f = [...state.customFields.values()].find((x) => x.locationId === loc && (x.id === params.id || x.fieldKey === params.id));
        if (!f) return err(res, 400, `Custom field with id ${params.id} not found`);
        return send(res, 200, { customField: f });
      }
      case "create-custom-field": {
        if (params.locationId !== loc) return err(res, 403, MSG.noLocation);
        const slug = body.name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");
        const f = { id: id(), name: body.name, fieldKey: body.fieldKey ?? `contact.${slug}`, placeholder: body.placeholder ?? "", dataType: body.dataType, position: body.position ?? 0, picklistOptions: body.textBoxListOptions?.map((x) => x.label ?? x) ?? [], locationId: loc, model: body.model ?? "contact" };
        state.customFields.set(f.id, f);
        return send(res, 201, { customField: f });
      }
      case "delete-custom-field": {
        if (params.locationId !== loc) return err(res, 403, MSG.noLocation);
        const f = [...state.customFields.values()].find((x) => x.locationId === loc && x.id === params.id);
        if (!f) return err(res, 400, `Custom field with id ${params.id} not found`);
        state.customFields.delete(f.id);
        // The field's values go with it (NOTES.md §5: DELETE answers {succeded}).
        for (const c of contactsOf(loc)) c.customFields = c.customFields.filter((v) => v.id !== f.id);
        return send(res, 200, { succeded: true });
      }
      case "get-location-access-token": return locationToken(res, loc, body);
      default:
        return err(res, 400, `${op} is not simulated`);
    }
  }

  function issueTokens(location) {
    const access = id("at_"), refresh = id("rt_");
    tokens.set(access, { location, valid: true });
    refreshTokens.set(refresh, location);
    return { access_token: access, token_type: "Bearer", expires_in: 86399, refresh_token: refresh, scope: "contacts.readonly contacts.write", userType: "Location", locationId: location, companyId: "company_sim", userId: "user_sim" };
  }

  function oauthToken(res, raw) {
    const form = Object.fromEntries(new URLSearchParams(raw));
    stats.byOperation["get-access-token"] = (stats.byOperation["get-access-token"] ?? 0) + 1;
    const v = apis[2].validateRequest({ method: "POST", path: "/oauth/token", headers: { "content-type": "application/x-www-form-urlencoded" }, query: {}, body: form }, "get-access-token");
    if (!v.valid) { stats.validationErrors++; return err(res, 422, messagesFrom(v.errors)); }
    if (form.client_id !== o.clientId || form.client_secret !== o.clientSecret) return err(res, 401, "Invalid client credentials");
    if (form.grant_type === "refresh_token") {
      const location = refreshTokens.get(form.refresh_token);
      if (!location) return err(res, 401, "Invalid grant: refresh token is invalid");
      refreshTokens.delete(form.refresh_token); // single use: rotation
      return send(res, 200, issueTokens(location));
    }
    if (form.grant_type === "authorization_code") {
      const location = codes.get(form.code);
      if (!location) return err(res, 401, "Invalid grant: authorization code is invalid");
      codes.delete(form.code);
      return send(res, 200, issueTokens(location));
    }
    return err(res, 422, [`grant_type ${form.grant_type} is not simulated`]);
  }

  function locationToken(res, loc, body) {
    const t = issueTokens(body.locationId ?? loc);
    delete t.refresh_token;
    return send(res, 200, { ...t, planId: "plan_sim", appId: o.clientId, versionId: "sim-1" });
  }

  function serialise() {
    const obj = {};
    for (const [k, m] of Object.entries(state)) obj[k] = [...m.values ? m.entries() : []].map(([key, v]) => (k === "campaigns" || k === "workflows" ? { contactId: key, ids: v } : v));
    return obj;
  }

  function simRoute(req, res, path, raw) {
    if (path === "/_sim/state") return send(res, 200, serialise());
    if (path === "/_sim/stats") return send(res, 200, stats);
    if (path === "/_sim/keys") return send(res, 200, keys);
    if (path === "/_sim/webhooks") return send(res, 200, webhookDeliveries);
    if (req.method === "POST" && path === "/_sim/reset") { reset(); return send(res, 200, { ok: true }); }
    if (req.method === "POST" && path === "/_sim/config") {
      const patch = raw ? JSON.parse(raw) : {};
      Object.assign(o, patch);
      if ("faultSeed" in patch) random = rng(o.faultSeed);
      return send(res, 200, { ok: true });
    }
    if (req.method === "POST" && path === "/_sim/oauth/code") {
      const code = id("code_"); codes.set(code, o.location);
      return send(res, 200, { code, clientId: o.clientId, clientSecret: o.clientSecret });
    }
    if (req.method === "POST" && path === "/_sim/expire-tokens") {
      // {"except": [token]} keeps those alive (a test's own Private Integration Token).
      const keep = new Set((raw ? JSON.parse(raw) : {}).except ?? []);
      for (const [value, t] of tokens) if (!keep.has(value)) t.valid = false;
      return send(res, 200, { ok: true });
    }
    return send(res, 404, { message: "unknown sim route" });
  }

  reset();
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => { try { send(res, 500, { statusCode: 500, message: String(e) }); } catch { /* closed */ } });
  });
  server.keepAliveTimeout = 1000;
  await new Promise((r, j) => { server.once("error", j); server.listen(o.port, "127.0.0.1", r); });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    keys,
    options: o,
    stats: () => stats,
    deliveries: webhookDeliveries,
    close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(done); }),
  };
}

function parseArgs(argv) {
  const out = {};
  const num = new Set(["port", "timeScale", "clockOffsetMs", "fault429", "fault5xx", "faultSlow", "faultDrop", "fault422Created", "slowMs", "faultSeed"]);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(.+)$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    const key = m[1].replace(/-(\w)/g, (_, c) => c.toUpperCase()).replace(/^fault422-created$/, "fault422Created");
    const value = argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    if (key === "rateLimit") out.rateLimit = value !== "off";
    else if (key === "webhookUrl") out.webhookUrl = value;
    else out[key] = num.has(key) ? Number(value) : value;
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sim = await startGhlSim(parseArgs(process.argv.slice(2)));
  console.log(sim.url);
}
