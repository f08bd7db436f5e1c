// A local, stateful Outseta REST API v1 simulator, faithful to ../shared/specs/outseta/NOTES.md.
// Bound to 127.0.0.1 only. Used by the tests (import { startOutsetaSim }), benchmarks and the demo.
//
//   node tests/sim/outseta.mjs --port PORT [options]     prints its URL, serves until killed
//     --seed FILE            JSON {people, accounts, emailLists, activities, definitions: {Person, Account, Deal}}
//     --api-key K            accepted key pair (default test-key / test-secret):
//     --secret-key S           "Authorization: Outseta K:S", anything else is 401
//     --webhook EVENT=URL    deliver EVENT (person-updated, PersonUpdated or 201) to URL; repeatable
//     --signing-key HEX      64 hex digits: sign deliveries with x-hub-signature-256
//     --rate-limit on|off    4 requests per second per key, else 429 (default on)
//     --time-scale F         multiplies the webhook retry interval (20 min) and slow faults (default 1)
//     --fault KIND=RATE      KIND 429 | 500 | slow | drop, RATE 0..1, on /api/v1 calls; repeatable
//     --random-seed N        seeds uids and faults (default 1)
//     --clock-offset-ms N    this server's clock runs N ms ahead (negative: behind) of the host's
//
// What it does, as the real API does (sources in NOTES.md):
// - the list envelope {metadata: {limit, offset, total}, items}, with `offset` a zero-based PAGE
//   number, `limit` default 25 and at most 100; property filters with __gt/__gte/__lt/__lte/
//   __ne/__isnull, * wildcards and dotted paths; orderBy "Prop ASC|DESC";
// - POST /crm/people answers 200 with the full Person; emails are unique per person;
//   validation failures answer 400 {ErrorMessage, EntityValidationErrors: [{Entity, TypeName,
//   ValidationErrors: [{ErrorCode, ErrorMessage, PropertyName}]}]};
// - a PUT without PersonAccount wipes the person's memberships (the partial-PUT quirk);
// - nested Person/Account inside PersonAccount are null unless `fields` expands them;
// - custom properties are top-level keys, kept as sent; timestamps in mixed forms (Created
//   with no offset, Updated with seven fractional digits and Z);
// - signed webhooks (the bare record, no event field) on create, update and delete, retried
//   20 times, 20 minutes (x time scale) apart, when the target fails.
// - `fields` (NOTES.md §2: "by default the root object plus its immediate children; deeper
//   references come back as null"): without it, a Person's PersonAccount[] and
//   EmailListPerson[] are there with their Person/Account/EmailList references null, and an
//   Account's PersonAccount[] with Person/Account null. `*.*` expands every such reference
//   one level; `PersonAccount.*` (or `PersonAccount.Account.*`) expands memberships;
//   `EmailListPerson.*` list subscriptions; `Account.*` a person's Account. A page is at most
//   25 items when any expansion is asked for (§2: "or 25 when you request child-object
//   fields"), else 100. `fields` never trims the root object's own fields.
// Simplified: `q` and `donotlog` are accepted and ignored; deals, tasks, segments,
// registrations and subscriptions billing are not simulated.
// Unconfirmed upstream, chosen here: the duplicate-email error text; a 429 with Retry-After: 1
// and {"Message"}; string filters compare case-insensitively; `limit` over 100 is clamped;
// a Person's own `Account` (in the model, [OAS]) is filled, with the primary membership's
// account, only when `Account.*` or `*.*` asks for it, and `personAccount: false` in the
// config leaves it null even then (the other reading: only PersonAccount[].Account carries
// the account), so the engine is tested against both; AccountStageUpdated (103) is sent
// with AccountUpdated (101) when a PUT changes AccountStage.
//
// Not in the real API (test hooks): GET /_sim/state, GET /_sim/stats, GET /_sim/webhooks,
// POST /_sim/reset, POST /_sim/seed (same shape as --seed), POST /_sim/config
// ({rateLimit, faults, webhooks, signingKey, timeScale, personAccount}).
import { createServer } from "node:http";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const MAX_BODY = 1 << 20;
const RETRIES = 20;
const RETRY_INTERVAL_MS = 20 * 60 * 1000;

const ACTIVITY_TYPES = {
  AccountCreated: 100, AccountUpdated: 101, AccountAddPerson: 102, AccountStageUpdated: 103, AccountDeleted: 104,
  AccountRemovePerson: 111, PersonCreated: 200, PersonUpdated: 201, PersonDeleted: 202,
  PersonListSubscribed: 204, PersonListUnsubscribed: 205, Custom: 10, Note: 50,
};

/** "person-updated" | "PersonUpdated" | "201" -> 201 */
export function activityTypeOf(name) {
  const wanted = String(name).replace(/[-_ ]/g, "").toLowerCase();
  if (/^\d+$/.test(wanted)) return Number(wanted);
  const hit = Object.entries(ACTIVITY_TYPES).find(([k]) => k.toLowerCase() === wanted);
  if (!hit) throw new Error(`unknown activity type ${name}`);
  return hit[1];
}

/**
 * What a `fields` selection expands beyond the root and its immediate children (NOTES.md
 * §2): memberships' Person/Account, list subscriptions' EmailList, a person's Account.
 * @param {string | null | undefined} fields
 */
export function expansion(fields) {
  const parts = String(fields ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  const all = parts.includes("*.*");
  const has = (prefix) => all || parts.some((p) => p.startsWith(`${prefix}.`));
  const x = { memberships: has("PersonAccount"), lists: has("EmailListPerson"), account: has("Account") };
  return { ...x, any: x.memberships || x.lists || x.account };
}

/** Outseta's signature header value for a body under a hex key. */
export function signBody(keyHex, body) {
  return "sha256=" + createHmac("sha256", Buffer.from(keyHex, "hex")).update(body).digest("hex");
}

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Timestamps in the forms the live API mixes.
let tick = 0;
function plainUtc(date = new Date()) {
  return date.toISOString().slice(0, 19);
}
function sevenDigitsZ(date = new Date()) {
  tick = (tick + 1) % 10000;
  return `${date.toISOString().slice(0, 23)}${String(tick).padStart(4, "0")}Z`;
}
function timeOf(text) {
  if (typeof text !== "string") return NaN;
  return Date.parse(/(Z|[+-]\d\d:\d\d)$/.test(text) ? text : `${text}Z`);
}

const PERSON_FIELDS = new Set([
  "Uid", "Email", "FirstName", "LastName", "FullName", "PhoneMobile", "PhoneWork", "Title", "Timezone",
  "Language", "IPAddress", "Referer", "UserAgent", "UserAgentPlatformBrowser", "ProfileImageS3Url",
  "MailingAddress", "PasswordMustChange", "PasswordLastUpdated", "LastLoginDateTime", "HasLoggedIn",
  "HasUnsubscribed", "OptInToEmailList", "OAuthGoogleProfileId", "OAuthIntegrationStatus", "DiscordUser",
  "IsConnectedToDiscord", "PersonAccount", "Account", "AccountUids", "DealPeople", "LeadFormSubmissions",
  "EmailListPerson", "_objectType", "ActivityEventData", "SchemaLessDataLoaded", "Created", "Updated",
]);
const PERSON_STRINGS = ["Email", "FirstName", "LastName", "PhoneMobile", "PhoneWork", "Title", "Timezone", "Language"];
const ACCOUNT_STAGES = { 1: "Demo", 2: "Trialing", 3: "Subscribing", 4: "Cancelling", 5: "Expired",
  6: "Trial Expired", 7: "Past Due", 8: "Cancelling Trial", 9: "Paused" };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

class HttpError extends Error {
  constructor(status, body, headers = {}) {
    super(`HTTP ${status}`);
    Object.assign(this, { status, body, headers });
  }
}

function validation(typeName, entity, errors) {
  return new HttpError(400, {
    ErrorMessage: "Validation failed for one or more entities. See 'EntityValidationErrors' property for more details.",
    EntityValidationErrors: [{
      Entity: entity,
      TypeName: typeName,
      ValidationErrors: errors.map(([PropertyName, ErrorMessage]) => ({ ErrorCode: "outsetaError", ErrorMessage, PropertyName })),
    }],
  });
}
const notFound = () => new HttpError(404, { Message: "No HTTP resource was found that matches the request URI." });

/** Starts the simulator; resolves to { url, baseUrl, close(), sim }. Port 0 picks a free port. */
export function startOutsetaSim(options = {}) {
  const sim = new OutsetaSim(options);
  const server = createServer((req, res) => sim.handle(req, res));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({
        url,
        baseUrl: `${url}/api/v1`,
        sim,
        close: () => {
          sim.stop();
          server.closeAllConnections?.();
          return new Promise((done) => server.close(done));
        },
      });
    });
  });
}

export class OutsetaSim {
  constructor(options = {}) {
    this.apiKey = options.apiKey ?? "test-key";
    this.secretKey = options.secretKey ?? "test-secret";
    this.seedData = options.seed ?? null;
    this.random = rng(options.randomSeed ?? 1);
    this.timers = new Set();
    this.clockOffsetMs = 0;
    this.configure({
      rateLimit: options.rateLimit ?? true,
      timeScale: options.timeScale ?? 1,
      faults: options.faults ?? {},
      webhooks: options.webhooks ?? {},
      signingKey: options.signingKey ?? null,
      clockOffsetMs: options.clockOffsetMs ?? 0,
      personAccount: options.personAccount ?? true,
    });
    this.reset();
  }

  configure({ rateLimit, timeScale, faults, webhooks, signingKey, clockOffsetMs, personAccount }) {
    if (clockOffsetMs !== undefined) this.clockOffsetMs = Number(clockOffsetMs);
    if (personAccount !== undefined) this.personAccount = Boolean(personAccount);
    if (rateLimit !== undefined) this.rateLimit = Boolean(rateLimit);
    if (timeScale !== undefined) this.timeScale = Number(timeScale);
    if (faults !== undefined) this.faults = { ...faults };
    if (signingKey !== undefined) {
      if (signingKey !== null && !/^[0-9a-fA-F]{64}$/.test(signingKey)) throw new Error("signingKey must be 64 hex digits");
      this.signingKey = signingKey;
    }
    if (webhooks !== undefined) {
      // { "person-updated": "http://..." | ["http://..."] } -> Map(activityType -> [urls])
      this.webhooks = new Map();
      for (const [event, urls] of Object.entries(webhooks)) {
        this.webhooks.set(activityTypeOf(event), [urls].flat());
      }
    }
  }

  reset() {
    this.people = new Map();
    this.accounts = new Map();
    this.memberships = new Map();
    this.activities = [];
    this.emailLists = new Map();
    this.subscriptions = new Map();
    this.definitions = {};
    this.stats = { requests: 0, byRoute: {}, byStatus: {}, rateLimited: 0, faults: 0 };
    this.deliveries = [];
    this.windows = new Map();
    this.stop();
    if (this.seedData) this.seed(this.seedData);
  }

  /** This server's clock: every timestamp it stamps reads it (clock-skew tests). */
  now() {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  stop() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  uid() {
    const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let out = "";
    for (let i = 0; i < 8; i++) out += chars[Math.floor(this.random() * chars.length)];
    return out;
  }

  seed({ people = [], accounts = [], emailLists = [], activities = [], definitions = {} } = {}) {
    for (const p of people) this.createPerson(p, { silent: true });
    for (const a of accounts) this.createAccount(a, { silent: true });
    for (const l of emailLists) {
      const Uid = l.Uid ?? this.uid();
      this.emailLists.set(Uid, { Uid, Name: l.Name ?? "List", Description: l.Description ?? "", Created: plainUtc(this.now()), Updated: sevenDigitsZ(this.now()) });
    }
    for (const a of activities) this.activities.push({ Uid: this.uid(), Created: plainUtc(this.now()), Updated: plainUtc(this.now()), ...a });
    Object.assign(this.definitions, definitions);
  }

  // ---- HTTP ------------------------------------------------------------------------

  async handle(req, res) {
    const url = new URL(req.url, "http://x");
    const send = (status, body, headers = {}) => {
      this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
      const text = body === undefined ? "" : JSON.stringify(body);
      res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
      res.end(text);
    };
    try {
      const raw = await readBody(req);
      if (url.pathname.startsWith("/_sim/")) return send(200, this.simRoute(req.method, url.pathname, raw));
      if (!url.pathname.startsWith("/api/v1/")) throw notFound();
      this.stats.requests++;
      const route = `${req.method} ${routeOf(url.pathname.slice("/api/v1".length))}`;
      this.stats.byRoute[route] = (this.stats.byRoute[route] ?? 0) + 1;
      const auth = req.headers.authorization ?? "";
      if (auth.replace(/^outseta /i, "Outseta ") !== `Outseta ${this.apiKey}:${this.secretKey}`) {
        throw new HttpError(401, { Message: "Authorization has been denied for this request." });
      }
      if (this.rateLimit && !this.admit(auth)) {
        this.stats.rateLimited++;
        throw new HttpError(429, { Message: "API rate limit exceeded: 4 requests per second." }, { "Retry-After": "1" });
      }
      const fault = this.pickFault();
      if (fault === "drop") return req.socket.destroy();
      if (fault === "429") throw new HttpError(429, { Message: "API rate limit exceeded: 4 requests per second." }, { "Retry-After": "1" });
      if (fault === "500") throw new HttpError(500, { Message: "An error has occurred." });
      if (fault === "slow") await new Promise((r) => this.later(r, 2000));
      let body;
      if (raw.declaredSize > MAX_BODY) throw new HttpError(413, { Message: "The request entity is too large." });
      if (raw.length) {
        try {
          body = JSON.parse(raw.toString("utf8"));
        } catch {
          throw new HttpError(400, { Message: "The request is invalid.", ErrorMessage: "The request body is not valid JSON." });
        }
      }
      const result = this.apiRoute(req.method, url.pathname.slice("/api/v1".length), url.searchParams, body);
      send(200, result);
    } catch (err) {
      if (err instanceof HttpError) send(err.status, err.body, err.headers);
      else send(500, { Message: "An error has occurred.", ExceptionMessage: String(err?.message ?? err) });
    }
  }

  /** Sliding one-second window of admitted requests per key. */
  admit(key) {
    const now = Date.now();
    const starts = (this.windows.get(key) ?? []).filter((t) => t > now - 1000);
    if (starts.length >= 4) {
      this.windows.set(key, starts);
      return false;
    }
    starts.push(now);
    this.windows.set(key, starts);
    return true;
  }

  pickFault() {
    for (const [kind, rate] of Object.entries(this.faults)) {
      if (this.random() < Number(rate)) {
        this.stats.faults++;
        return kind;
      }
    }
    return null;
  }

  later(fn, ms) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms * this.timeScale);
    this.timers.add(t);
  }

  simRoute(method, path, raw) {
    const body = raw.length ? JSON.parse(raw.toString("utf8")) : {};
    if (method === "GET" && path === "/_sim/state") {
      return {
        people: [...this.people.keys()].map((u) => this.renderPerson(u, true)),
        accounts: [...this.accounts.keys()].map((u) => this.renderAccount(u, true)),
        memberships: [...this.memberships.values()],
        activities: this.activities,
        emailLists: [...this.emailLists.values()],
        subscriptions: [...this.subscriptions.values()],
        definitions: this.definitions,
      };
    }
    if (method === "GET" && path === "/_sim/stats") return this.stats;
    if (method === "GET" && path === "/_sim/webhooks") return this.deliveries;
    if (method === "POST" && path === "/_sim/reset") return this.reset(), { ok: true };
    if (method === "POST" && path === "/_sim/seed") return this.seed(body), { ok: true };
    if (method === "POST" && path === "/_sim/config") return this.configure(body), { ok: true };
    throw notFound();
  }

  apiRoute(method, path, query, body) {
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const [a, b, c, d, e] = parts;
    const expand = expansion(query.get("fields"));
    const needObject = () => {
      if (body === null || typeof body !== "object" || Array.isArray(body)) {
        throw new HttpError(400, { Message: "The request is invalid.", ErrorMessage: "The request body must be a JSON object." });
      }
      return body;
    };
    if (a === "crm" && b === "people") {
      if (!c && method === "GET") return this.page([...this.people.keys()].map((u) => this.renderPerson(u, expand)), query);
      if (!c && method === "POST") return this.renderPerson(this.createPerson(needObject()), expand);
      if (c && !d && method === "GET") return this.renderPerson(this.mustPerson(c), expand);
      if (c && !d && method === "PUT") return this.renderPerson(this.updatePerson(this.mustPerson(c), needObject()), expand);
      if (c && !d && method === "DELETE") return this.deletePerson(this.mustPerson(c));
    }
    if (a === "crm" && b === "accounts") {
      if (!c && method === "GET") return this.page([...this.accounts.keys()].map((u) => this.renderAccount(u, expand)), query);
      if (!c && method === "POST") return this.renderAccount(this.createAccount(needObject()), expand);
      if (c && !d && method === "GET") return this.renderAccount(this.mustAccount(c), expand);
      if (c && !d && method === "PUT") return this.renderAccount(this.updateAccount(this.mustAccount(c), needObject()), expand);
      if (c && !d && method === "DELETE") return this.deleteAccount(this.mustAccount(c));
      if (c && d === "memberships" && !e && method === "POST") return this.addMembership(this.mustAccount(c), needObject());
      if (c && d === "memberships" && e && method === "DELETE") return this.removeMembership(this.mustAccount(c), e);
    }
    if (a === "activities") {
      if (!b && method === "GET") return this.page(this.activities, query);
      if (b === "customactivity" && !c && method === "POST") return this.customActivity(needObject());
    }
    if (a === "email" && b === "lists") {
      if (!c && method === "GET") return this.page([...this.emailLists.values()], query);
      if (!c && method === "POST") {
        const Name = needObject().Name;
        if (typeof Name !== "string" || !Name.trim()) throw validation("EmailList", body, [["Name", "The Name field is required."]]);
        const list = { Uid: this.uid(), Name, Description: body.Description ?? "", Created: plainUtc(this.now()), Updated: sevenDigitsZ(this.now()) };
        this.emailLists.set(list.Uid, list);
        return list;
      }
      if (c && d === "subscriptions") {
        const list = this.emailLists.get(c);
        if (!list) throw notFound();
        if (!e && method === "GET") return this.page([...this.subscriptions.values()].filter((s) => s.EmailList.Uid === c), query);
        if (!e && method === "POST") return this.subscribe(list, needObject());
        if (e && method === "DELETE") return this.unsubscribe(list, e);
      }
    }
    if (a === "attributes" && c === "definitions" && !d && method === "GET") {
      const defs = this.definitions[b];
      if (!defs) throw notFound();
      return defs;
    }
    throw notFound();
  }

  /** The list envelope; `offset` is a zero-based page number. */
  page(records, query) {
    let items = records.filter((r) => matchesFilters(r, query));
    const orderBy = query.get("orderBy");
    if (orderBy) {
      const [prop, dir = "ASC"] = orderBy.trim().split(/\s+/);
      const sign = dir.toUpperCase() === "DESC" ? -1 : 1;
      items = [...items].sort((x, y) => sign * compare(lookup(x, prop), lookup(y, prop)));
    }
    const limitParam = query.get("limit");
    const offsetParam = query.get("offset");
    const limit = limitParam === null ? 25 : Number(limitParam);
    const offset = offsetParam === null ? 0 : Number(offsetParam);
    if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) {
      throw new HttpError(400, { Message: "The request is invalid.", ErrorMessage: "offset and limit must be non-negative integers." });
    }
    const size = Math.min(limit, expansion(query.get("fields")).any ? 25 : 100);
    return { metadata: { limit: size, offset, total: items.length }, items: items.slice(offset * size, (offset + 1) * size) };
  }

  // ---- people ------------------------------------------------------------------

  mustPerson(uid) {
    if (!this.people.has(uid)) throw notFound();
    return uid;
  }

  personByEmail(email) {
    const wanted = String(email).trim().toLowerCase();
    return [...this.people.values()].find((p) => p.Email.toLowerCase() === wanted);
  }

  checkPerson(fields, entity, selfUid) {
    const errors = [];
    for (const key of PERSON_STRINGS) {
      if (key in fields && fields[key] !== null && typeof fields[key] !== "string") errors.push([key, `The ${key} field must be a string.`]);
    }
    if ("Email" in fields || !selfUid) {
      const email = fields.Email;
      if (typeof email !== "string" || !EMAIL.test(email.trim()) || email.length > 250) {
        errors.push(["Email", "The Email field is not a valid e-mail address."]);
      } else {
        const other = this.personByEmail(email);
        if (other && other.Uid !== selfUid) errors.push(["Email", `A person with the email address ${email.trim()} already exists.`]);
      }
    }
    if ("MailingAddress" in fields && fields.MailingAddress !== null && (typeof fields.MailingAddress !== "object" || Array.isArray(fields.MailingAddress))) {
      errors.push(["MailingAddress", "The MailingAddress field must be an object."]);
    }
    if (errors.length) throw validation("Person", entity, errors);
  }

  createPerson(fields, { silent = false } = {}) {
    this.checkPerson(fields, fields);
    const Uid = typeof fields.Uid === "string" && fields.Uid && !this.people.has(fields.Uid) ? fields.Uid : this.uid();
    const now = this.now();
    const person = {
      Uid, Email: "", FirstName: "", LastName: "", PhoneMobile: "", PhoneWork: "", Title: null, Timezone: null,
      Language: null, IPAddress: null, Referer: null, UserAgent: null, ProfileImageS3Url: null, MailingAddress: null,
      PasswordMustChange: false, HasLoggedIn: false, HasUnsubscribed: false, OptInToEmailList: false,
      OAuthIntegrationStatus: 0, IsConnectedToDiscord: false, SchemaLessDataLoaded: true,
    };
    for (const [k, v] of Object.entries(fields)) {
      if (!["Uid", "PersonAccount", "Account", "_objectType", "Created", "Updated", "FullName"].includes(k)) person[k] = v;
    }
    person.Email = person.Email.trim();
    if (person.MailingAddress) person.MailingAddress = { Uid: this.uid(), Created: "0001-01-01T00:00:00", Updated: "0001-01-01T00:00:00", ...person.MailingAddress };
    person.Created = typeof fields.Created === "string" ? fields.Created : plainUtc(now);
    person.Updated = typeof fields.Updated === "string" ? fields.Updated : sevenDigitsZ(now);
    this.people.set(Uid, person);
    if (!silent) this.event(ACTIVITY_TYPES.PersonCreated, 2, Uid, `${person.Email} was created`);
    return Uid;
  }

  updatePerson(uid, fields) {
    const person = this.people.get(uid);
    this.checkPerson(fields, { ...person, ...fields }, uid);
    for (const [k, v] of Object.entries(fields)) {
      if (!["Uid", "PersonAccount", "Account", "_objectType", "Created", "Updated", "FullName"].includes(k)) person[k] = v;
    }
    person.Email = person.Email.trim();
    // The partial-PUT quirk: a PUT that leaves PersonAccount out drops the memberships.
    if (!("PersonAccount" in fields)) {
      for (const [muid, m] of this.memberships) if (m.personUid === uid) this.memberships.delete(muid);
    }
    person.Updated = sevenDigitsZ(this.now());
    this.event(ACTIVITY_TYPES.PersonUpdated, 2, uid, `${person.Email} was updated`);
    return uid;
  }

  deletePerson(uid) {
    const rendered = this.renderPerson(uid, false);
    for (const [muid, m] of this.memberships) if (m.personUid === uid) this.memberships.delete(muid);
    for (const [suid, s] of this.subscriptions) if (s.Person.Uid === uid) this.subscriptions.delete(suid);
    this.people.delete(uid);
    this.event(ACTIVITY_TYPES.PersonDeleted, 2, uid, `${rendered.Email} was deleted`, rendered);
    return undefined;
  }

  /** `expand`: what `fields` asked for (see expansion()); `true` expands everything. */
  renderPerson(uid, expand) {
    const x = expand === true ? expansion("*,*.*") : expand || expansion(null);
    const p = this.people.get(uid);
    const FullName = [p.FirstName, p.LastName].filter(Boolean).join(" ") || p.Email;
    const memberships = [...this.memberships.values()].filter((m) => m.personUid === uid);
    const PersonAccount = memberships.map((m) => this.renderMembership(m, { person: false, account: x.memberships }));
    // The person's list subscriptions, an immediate child collection whose EmailList is a
    // deeper reference (NOTES.md §2).
    const EmailListPerson = [...this.subscriptions.values()]
      .filter((s) => s.Person.Uid === uid)
      .map(({ Uid, EmailList, EmailListSubscriberStatus, SubscribedDate }) => ({ Uid, EmailList: x.lists ? EmailList : null, EmailListSubscriberStatus, SubscribedDate }));
    const primary = memberships.find((m) => m.IsPrimary) ?? memberships[0];
    const Account = x.account && this.personAccount && primary ? this.renderMembership(primary, { person: false, account: true }).Account : null;
    const { Created, Updated, ...rest } = p;
    return { ...rest, FullName, PersonAccount, Account, EmailListPerson, _objectType: "Person", Created, Updated };
  }

  // ---- accounts -------------------------------------------------------------------

  mustAccount(uid) {
    if (!this.accounts.has(uid)) throw notFound();
    return uid;
  }

  resolvePerson(ref, entity) {
    if (ref && typeof ref === "object" && typeof ref.Uid === "string" && ref.Uid) {
      if (!this.people.has(ref.Uid)) throw validation("PersonAccount", entity, [["Person", `No person with Uid ${ref.Uid}.`]]);
      return ref.Uid;
    }
    if (ref && typeof ref === "object" && typeof ref.Email === "string") {
      return this.personByEmail(ref.Email)?.Uid ?? this.createPerson(ref);
    }
    throw validation("PersonAccount", entity, [["Person", "A Person with a Uid or an Email is required."]]);
  }

  createAccount(fields, { silent = false } = {}) {
    const errors = [];
    if (typeof fields.Name !== "string" || !fields.Name.trim() || fields.Name.length > 250) errors.push(["Name", "The Name field is required."]);
    if (!Array.isArray(fields.PersonAccount) || fields.PersonAccount.length === 0) errors.push(["PersonAccount", "An account needs at least one person."]);
    if ("AccountStage" in fields && !Number.isInteger(fields.AccountStage)) errors.push(["AccountStage", "The AccountStage field must be a number."]);
    if (errors.length) throw validation("Account", fields, errors);
    const Uid = typeof fields.Uid === "string" && fields.Uid && !this.accounts.has(fields.Uid) ? fields.Uid : this.uid();
    const now = this.now();
    const account = { Uid, Name: "", AccountStage: 2, IsDemo: false, ClientIdentifier: null, Currency: "USD", BillingAddress: null, MailingAddress: null, CurrentSubscription: null, LifetimeRevenue: 0 };
    for (const [k, v] of Object.entries(fields)) {
      if (!["Uid", "PersonAccount", "_objectType", "Created", "Updated", "AccountStageLabel"].includes(k)) account[k] = v;
    }
    account.Created = plainUtc(now);
    account.Updated = sevenDigitsZ(now);
    this.accounts.set(Uid, account);
    const members = fields.PersonAccount.map((m) => [this.resolvePerson(m?.Person, fields), m]);
    members.forEach(([personUid, m], i) => this.link(Uid, personUid, m?.IsPrimary ?? i === 0, m?.ReceiveInvoices ?? false));
    if (!silent) this.event(ACTIVITY_TYPES.AccountCreated, 1, Uid, `${account.Name} was created`);
    return Uid;
  }

  link(accountUid, personUid, IsPrimary, ReceiveInvoices) {
    const now = this.now();
    const m = { Uid: this.uid(), accountUid, personUid, IsPrimary: Boolean(IsPrimary), ReceiveInvoices: Boolean(ReceiveInvoices), Created: plainUtc(now), Updated: plainUtc(now) };
    this.memberships.set(m.Uid, m);
    return m;
  }

  updateAccount(uid, fields) {
    const account = this.accounts.get(uid);
    if ("Name" in fields && (typeof fields.Name !== "string" || !fields.Name.trim())) throw validation("Account", fields, [["Name", "The Name field is required."]]);
    const stage = account.AccountStage;
    for (const [k, v] of Object.entries(fields)) {
      if (!["Uid", "PersonAccount", "_objectType", "Created", "Updated", "AccountStageLabel"].includes(k)) account[k] = v;
    }
    account.Updated = sevenDigitsZ(this.now());
    this.event(ACTIVITY_TYPES.AccountUpdated, 1, uid, `${account.Name} was updated`);
    if (account.AccountStage !== stage) this.event(ACTIVITY_TYPES.AccountStageUpdated, 1, uid, `${account.Name} is now ${ACCOUNT_STAGES[account.AccountStage] ?? account.AccountStage}`);
    return uid;
  }

  deleteAccount(uid) {
    const rendered = this.renderAccount(uid, false);
    for (const [muid, m] of this.memberships) if (m.accountUid === uid) this.memberships.delete(muid);
    this.accounts.delete(uid);
    this.event(ACTIVITY_TYPES.AccountDeleted, 1, uid, `${rendered.Name} was deleted`, rendered);
    return undefined;
  }

  addMembership(accountUid, body) {
    const personUid = this.resolvePerson(body.Person, body);
    const existing = [...this.memberships.values()].find((m) => m.accountUid === accountUid && m.personUid === personUid);
    if (existing) throw validation("PersonAccount", body, [["Person", "This person is already a member of the account."]]);
    const m = this.link(accountUid, personUid, body.IsPrimary ?? false, body.ReceiveInvoices ?? false);
    if (m.IsPrimary) for (const other of this.memberships.values()) if (other !== m && other.accountUid === accountUid) other.IsPrimary = false;
    this.event(ACTIVITY_TYPES.AccountAddPerson, 1, accountUid, `${this.people.get(personUid).Email} was added`);
    return this.renderMembership(m, { person: true, account: true });
  }

  removeMembership(accountUid, membershipUid) {
    const m = this.memberships.get(membershipUid);
    if (!m || m.accountUid !== accountUid) throw notFound();
    if (m.IsPrimary) throw validation("PersonAccount", this.renderMembership(m, {}), [["IsPrimary", "The primary contact cannot be removed from the account."]]);
    this.memberships.delete(membershipUid);
    this.event(ACTIVITY_TYPES.AccountRemovePerson, 1, accountUid, "A person was removed");
    return undefined;
  }

  renderMembership(m, { person, account }) {
    const p = this.people.get(m.personUid);
    const a = this.accounts.get(m.accountUid);
    return {
      Person: person && p ? { Uid: p.Uid, Email: p.Email, FirstName: p.FirstName, LastName: p.LastName } : null,
      Account: account && a ? { Uid: a.Uid, Name: a.Name, AccountStage: a.AccountStage } : null,
      IsPrimary: m.IsPrimary, ReceiveInvoices: m.ReceiveInvoices, Uid: m.Uid, Created: m.Created, Updated: m.Updated,
    };
  }

  renderAccount(uid, expand) {
    const x = expand === true ? expansion("*,*.*") : expand || expansion(null);
    const a = this.accounts.get(uid);
    const PersonAccount = [...this.memberships.values()]
      .filter((m) => m.accountUid === uid)
      .map((m) => this.renderMembership(m, { person: x.memberships, account: false }));
    const primary = [...this.memberships.values()].find((m) => m.accountUid === uid && m.IsPrimary);
    const { Created, Updated, ...rest } = a;
    return {
      ...rest, AccountStageLabel: ACCOUNT_STAGES[a.AccountStage] ?? null, PersonAccount,
      PrimaryContact: primary ? this.renderMembership(primary, { person: true }).Person : null,
      _objectType: "Account", Created, Updated,
    };
  }

  // ---- activities, lists ---------------------------------------------------------

  customActivity(body) {
    const errors = [];
    if (typeof body.Title !== "string" || !body.Title.trim()) errors.push(["Title", "The Title field is required."]);
    if (![1, 2, 3].includes(body.EntityType)) errors.push(["EntityType", "EntityType must be 1 (Account), 2 (Person) or 3 (Deal)."]);
    if (body.ActivityData != null && typeof body.ActivityData !== "string") errors.push(["ActivityData", "ActivityData must be a string."]);
    if (body.Description != null && typeof body.Description !== "string") errors.push(["Description", "Description must be a string."]);
    const store = body.EntityType === 1 ? this.accounts : body.EntityType === 2 ? this.people : null;
    if (typeof body.EntityUid !== "string" || (store && !store.has(body.EntityUid))) errors.push(["EntityUid", "No such entity."]);
    if (errors.length) throw validation("Activity", body, errors);
    return this.record(ACTIVITY_TYPES.Custom, body.EntityType, body.EntityUid, body.Title, body.Description ?? "", body.ActivityData ?? null);
  }

  record(ActivityType, EntityType, EntityUid, Title, Description = "", ActivityData = null) {
    const now = this.now();
    const activity = { Uid: this.uid(), Title, Description, ActivityData, ActivityDateTime: plainUtc(now), ActivityType, EntityType, EntityUid, Created: plainUtc(now), Updated: sevenDigitsZ(now) };
    this.activities.push(activity);
    return activity;
  }

  subscribe(list, body) {
    const personUid = this.resolvePerson(body.Person, body);
    const existing = [...this.subscriptions.values()].find((s) => s.EmailList.Uid === list.Uid && s.Person.Uid === personUid);
    if (existing) throw validation("EmailListPerson", body, [["Person", "This person is already subscribed to the list."]]);
    const p = this.people.get(personUid);
    const now = this.now();
    const sub = {
      Uid: this.uid(), EmailList: { Uid: list.Uid, Name: list.Name }, Person: { Uid: p.Uid, Email: p.Email, FirstName: p.FirstName, LastName: p.LastName },
      EmailListSubscriberStatus: 1, SubscribedDate: plainUtc(now), Created: plainUtc(now), Updated: sevenDigitsZ(now),
    };
    this.subscriptions.set(sub.Uid, sub);
    this.event(ACTIVITY_TYPES.PersonListSubscribed, 2, personUid, `Subscribed to ${list.Name}`);
    return sub;
  }

  unsubscribe(list, subUid) {
    const sub = this.subscriptions.get(subUid);
    if (!sub || sub.EmailList.Uid !== list.Uid) throw notFound();
    this.subscriptions.delete(subUid);
    this.event(ACTIVITY_TYPES.PersonListUnsubscribed, 2, sub.Person.Uid, `Unsubscribed from ${list.Name}`);
    return undefined;
  }

  // ---- events and webhooks ---------------------------------------------------------

  /** Logs the activity and delivers the bare record to every URL set for its type. */
  event(activityType, entityType, uid, title, snapshot) {
    this.record(activityType, entityType, uid, title);
    const urls = this.webhooks.get(activityType) ?? [];
    if (!urls.length) return;
    const record = snapshot ?? (entityType === 2 ? this.renderPerson(uid, false) : this.renderAccount(uid, false));
    const body = JSON.stringify(record);
    for (const url of urls) {
      const delivery = { id: this.deliveries.length + 1, activityType, uid, url, attempts: 0, statuses: [], delivered: false, body };
      if (this.signingKey) delivery.signature = signBody(this.signingKey, body);
      this.deliveries.push(delivery);
      this.deliver(delivery);
    }
  }

  async deliver(delivery) {
    delivery.attempts++;
    let status = 0;
    try {
      const headers = { "Content-Type": "application/json", "User-Agent": "Outseta-Simulator" };
      if (delivery.signature) headers["x-hub-signature-256"] = delivery.signature;
      const res = await fetch(delivery.url, { method: "POST", headers, body: delivery.body });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 0;
    }
    delivery.statuses.push(status);
    if (status >= 200 && status < 300) delivery.delivered = true;
    else if (delivery.attempts <= RETRIES) this.later(() => this.deliver(delivery), RETRY_INTERVAL_MS);
  }
}

// ---- filters -----------------------------------------------------------------------

const ROUTE_WORDS = new Set(["crm", "people", "accounts", "activities", "customactivity", "memberships",
  "email", "lists", "subscriptions", "attributes", "definitions", "Person", "Account", "Deal"]);
/** "/crm/people/DQ2DyknW" -> "/crm/people/:id", for the request counters. */
function routeOf(path) {
  return path.split("/").map((s) => (s === "" || ROUTE_WORDS.has(s) ? s : ":id")).join("/");
}

const RESERVED = new Set(["offset", "limit", "fields", "orderBy", "q", "donotlog"]);

function lookup(record, path) {
  return path.split(".").reduce((v, k) => (v == null ? undefined : v[k]), record);
}

function compare(x, y) {
  if (x == null || y == null) return (x == null) - (y == null);
  const tx = timeOf(x), ty = timeOf(y);
  if (typeof x === "string" && typeof y === "string" && !Number.isNaN(tx) && !Number.isNaN(ty)) return tx - ty;
  if (typeof x === "number" && typeof y === "number") return x - y;
  return String(x).toLowerCase().localeCompare(String(y).toLowerCase());
}

function matchesFilters(record, query) {
  for (const [key, raw] of query) {
    if (RESERVED.has(key)) continue;
    const m = key.match(/^(.*?)(?:__(gt|gte|lt|lte|ne|isnull))?$/);
    const [, path, op] = m;
    const value = lookup(record, path);
    if (op === "isnull") {
      if ((value == null || value === "") !== (raw.toLowerCase() === "true")) return false;
      continue;
    }
    const target = typeof value === "number" && raw !== "" && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    if (op) {
      const cmp = compare(value, target);
      if (value == null) return false;
      if ({ gt: cmp > 0, gte: cmp >= 0, lt: cmp < 0, lte: cmp <= 0, ne: cmp !== 0 }[op] === false) return false;
      continue;
    }
    if (typeof target === "string" && target.includes("*")) {
      const re = new RegExp(`^${target.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i");
      if (!re.test(String(value ?? ""))) return false;
    } else if (typeof value === "boolean") {
      if (String(value) !== String(target).toLowerCase()) return false;
    } else if (compare(value, target) !== 0 || value == null) {
      return false;
    }
  }
  return true;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY + 1) chunks.push(chunk);
    });
    req.on("end", () => resolve(Object.assign(Buffer.concat(chunks), { declaredSize: size })));
    req.on("error", reject);
  });
}

// ---- command line ----------------------------------------------------------------------

function parseArgs(argv) {
  const options = { webhooks: {}, faults: {} };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const pair = () => {
      const v = value();
      const at = v.indexOf("=");
      if (at < 1) throw new Error(`${flag} takes NAME=VALUE, got ${v}`);
      return [v.slice(0, at), v.slice(at + 1)];
    };
    switch (flag) {
      case "--port": options.port = Number(value()); break;
      case "--seed": options.seed = JSON.parse(readFileSync(value(), "utf8")); break;
      case "--api-key": options.apiKey = value(); break;
      case "--secret-key": options.secretKey = value(); break;
      case "--webhook": { const [event, url] = pair(); options.webhooks[event] = [options.webhooks[event] ?? []].flat().concat(url); break; }
      case "--signing-key": options.signingKey = value(); break;
      case "--rate-limit": options.rateLimit = value() !== "off"; break;
      case "--time-scale": options.timeScale = Number(value()); break;
      case "--fault": { const [kind, rate] = pair(); options.faults[kind] = Number(rate); break; }
      case "--random-seed": options.randomSeed = Number(value()); break;
      case "--clock-offset-ms": options.clockOffsetMs = Number(value()); break;
      case "--help": case "-h":
        console.log(readFileSync(new URL(import.meta.url), "utf8").split("\n").filter((l) => l.startsWith("//")).slice(0, 13).map((l) => l.slice(3)).join("\n"));
        process.exit(0);
      default: throw new Error(`unknown option ${flag} (see --help)`);
    }
  }
  for (const kind of Object.keys(options.faults)) {
    if (!["429", "500", "slow", "drop"].includes(kind)) throw new Error(`unknown fault ${kind}`);
  }
  for (const event of Object.keys(options.webhooks)) activityTypeOf(event);
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const options = parseArgs(process.argv.slice(2));
    const { url } = await startOutsetaSim(options);
    console.log(url);
  } catch (err) {
    console.error(`outseta sim: ${err.message}`);
    process.exit(2);
  }
}
