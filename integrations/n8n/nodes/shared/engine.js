// What the four nodes share: turning n8n credentials into the options of the
// outseta-ghl-sync package, one SyncEngine per node execution, the optional store in
// the workflow's static data, coded errors, and redaction of every secret from output.
// All sync logic lives in the package; nothing here maps, merges or calls an API itself.
"use strict";

const { NodeOperationError } = require("n8n-workflow");

const OUTSETA_CREDENTIAL = "outsetaGhlSyncOutsetaApi";
const GHL_CREDENTIAL = "outsetaGhlSyncHighLevelApi";
/** Every node that runs the engine needs both APIs. */
const ENGINE_CREDENTIALS = [
  { name: OUTSETA_CREDENTIAL, required: true },
  { name: GHL_CREDENTIAL, required: true },
];

/**
 * The package is ESM; n8n loads nodes with require(), so it is imported on first use.
 * @returns {Promise<import("outseta-ghl-sync")>}
 */
function loadPackage() {
  return import("outseta-ghl-sync");
}

/** The options every engine-backed node offers (a "collection" parameter named `options`). */
/** @type {import("n8n-workflow").INodeProperties} */
const ENGINE_OPTIONS = {
  displayName: "Options",
  name: "options",
  type: "collection",
  placeholder: "Add Option",
  default: {},
  options: [
    {
      displayName: "Conflict Policy",
      name: "conflictPolicy",
      type: "options",
      default: "outsetaWins",
      description: "Which side wins a field both sides changed. Outseta Wins suits a per-execution state, where every run is a first sync.",
      options: [
        { name: "Outseta Wins", value: "outsetaWins" },
        { name: "HighLevel Wins", value: "ghlWins" },
        { name: "Newest Wins", value: "newestWins" },
        { name: "Review (Hold Conflicts)", value: "review" },
      ],
    },
    {
      displayName: "Mapping Spec (JSON)",
      name: "mappingSpec",
      type: "json",
      default: "",
      description: "A mapping spec (outseta-ghl-sync/mapping-spec.schema.json). Empty: the built-in mapping.",
    },
    {
      displayName: "Default Phone Region",
      name: "defaultRegion",
      type: "string",
      default: "",
      placeholder: "US",
      description: "Region for phone numbers written without a country code",
    },
    {
      displayName: "Find Before Create",
      name: "findBeforeCreate",
      type: "boolean",
      default: true,
      description: "Whether to look for an existing HighLevel contact (email, phone) before creating one",
    },
    {
      displayName: "State",
      name: "state",
      type: "options",
      default: "execution",
      description: "Where links and last-synced snapshots are kept",
      options: [
        { name: "Per Execution (Memory)", value: "execution", description: "Forgotten when the node finishes: each run links by HighLevel's duplicate search" },
        { name: "Workflow Static Data", value: "workflowStaticData", description: "Kept with the workflow; n8n saves it after production (active) executions only" },
      ],
    },
  ],
};

/**
 * A SyncStore over an object in the workflow's static data. n8n watches that object and
 * saves it after an active workflow's execution; keys and values are strings.
 * @param {Record<string, unknown>} staticData
 * @returns {import("outseta-ghl-sync").SyncStore}
 */
function staticDataStore(staticData) {
  if (!staticData.outsetaGhlSync || typeof staticData.outsetaGhlSync !== "object") staticData.outsetaGhlSync = {};
  const map = /** @type {Record<string, string>} */ (staticData.outsetaGhlSync);
  return {
    get: (key) => (Object.hasOwn(map, key) ? map[key] : null),
    put: (key, value) => { map[key] = value; },
    putIfAbsent: (key, value) => {
      if (Object.hasOwn(map, key)) return false;
      map[key] = value;
      return true;
    },
    delete: (key) => { delete map[key]; },
    list: (prefix) => Object.keys(map).filter((k) => k.startsWith(prefix)).sort().map((k) => /** @type {[string, string]} */ ([k, map[k]])),
  };
}

/**
 * @param {import("../../index").ExecuteContext} ctx
 * @param {unknown} value a json parameter: an object, JSON text, or empty
 * @param {string} name
 */
function jsonParameter(ctx, value, name) {
  if (value === "" || value === undefined || value === null) return null;
  if (typeof value === "object") return value;
  try {
    return JSON.parse(String(value));
  } catch (err) {
    throw new NodeOperationError(ctx.getNode(), `${name} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Reads both credentials into the package's client options; also returns every secret,
 * for redaction.
 * @param {import("../../index").ExecuteContext} ctx
 */
async function readCredentials(ctx) {
  const o = await ctx.getCredentials(OUTSETA_CREDENTIAL);
  const g = await ctx.getCredentials(GHL_CREDENTIAL);
  const str = (/** @type {unknown} */ v) => (typeof v === "string" ? v.trim() : "");
  const outseta = { apiKey: str(o.apiKey), secretKey: str(o.secretKey) };
  if (str(o.baseUrl)) Object.assign(outseta, { baseUrl: str(o.baseUrl) });
  else if (str(o.subdomain)) Object.assign(outseta, { subdomain: str(o.subdomain) });
  else throw new NodeOperationError(ctx.getNode(), "The Outseta credential needs a Subdomain or a Base URL");
  const ghl = { locationId: str(g.locationId), token: str(g.token) };
  if (str(g.baseUrl)) Object.assign(ghl, { baseUrl: str(g.baseUrl) });
  const signingKey = str(o.signingKey);
  return { outseta, ghl, signingKey, secrets: [outseta.apiKey, outseta.secretKey, ghl.token, signingKey] };
}

/**
 * One SyncEngine for this node execution, built from the credentials and the node's
 * `options` parameter (read at item 0: the engine serves every item).
 * @param {import("../../index").ExecuteContext} ctx
 */
async function createEngine(ctx) {
  const { SyncEngine } = await loadPackage();
  const creds = await readCredentials(ctx);
  const opts = /** @type {Record<string, any>} */ (ctx.getNodeParameter("options", 0, {}));
  const mapping = jsonParameter(ctx, opts.mappingSpec, "Mapping Spec");
  if (opts.defaultRegion) Object.assign(creds.ghl, { defaultRegion: String(opts.defaultRegion) });
  /** @type {import("outseta-ghl-sync").SyncEngineOptions} */
  const config = {
    ghl: creds.ghl,
    outseta: creds.outseta,
    mapping: /** @type {any} */ (mapping),
    policy: { default: opts.conflictPolicy ?? "outsetaWins" },
    options: { findBeforeCreate: opts.findBeforeCreate ?? true },
  };
  if (creds.signingKey) config.webhooks = { outsetaSigningKey: creds.signingKey };
  if (opts.state === "workflowStaticData") config.store = staticDataStore(ctx.getWorkflowStaticData("global"));
  try {
    return { engine: new SyncEngine(config), creds };
  } catch (err) {
    throw codedNodeError(ctx, err, creds.secrets);
  }
}

/**
 * For nodes that answer once per execution: builds the engine, runs `work` on it, and
 * returns its result as one redacted item; the engine is freed whatever happens.
 * @param {import("../../index").ExecuteContext} ctx
 * @param {(engine: any) => Promise<unknown>} work
 */
async function reportOnce(ctx, work) {
  const { engine, creds } = await createEngine(ctx);
  try {
    return [[{ json: redact(await work(engine), creds.secrets) }]];
  } catch (err) {
    throw codedNodeError(ctx, err, creds.secrets);
  } finally {
    engine.free();
  }
}

/**
 * `value` as plain JSON with every secret replaced by "[redacted]". The package never
 * puts keys in its results or errors; this makes sure a future change cannot leak them
 * into n8n's execution data either.
 * @param {unknown} value
 * @param {string[]} secrets
 * @returns {import("n8n-workflow").IDataObject}
 */
function redact(value, secrets) {
  let text = JSON.stringify(value ?? null);
  for (const s of secrets) if (s && s.length >= 4) text = text.split(JSON.stringify(s).slice(1, -1)).join("[redacted]");
  return JSON.parse(text);
}

/**
 * The package's coded error `{ code, message, details }` as JSON (redacted).
 * @param {unknown} err @param {string[]} secrets
 * @returns {{ code: string, message: string, details: import("n8n-workflow").IDataObject }}
 */
function errorJson(err, secrets) {
  const e = /** @type {{ code?: unknown, message?: unknown, details?: unknown }} */ (err ?? {});
  return /** @type {any} */ (redact({
    code: typeof e.code === "string" ? e.code : "INTERNAL",
    message: typeof e.message === "string" ? e.message : String(err),
    details: e.details && typeof e.details === "object" ? e.details : {},
  }, secrets));
}

/**
 * A NodeOperationError carrying the package's error code and details (redacted).
 * @param {import("../../index").ExecuteContext} ctx @param {unknown} err @param {string[]} secrets
 * @param {number} [itemIndex]
 */
function codedNodeError(ctx, err, secrets, itemIndex) {
  if (err instanceof NodeOperationError) return err;
  const json = errorJson(err, secrets);
  return new NodeOperationError(ctx.getNode(), `${json.code}: ${json.message}`, {
    itemIndex,
    description: JSON.stringify(json.details),
  });
}

module.exports = {
  OUTSETA_CREDENTIAL,
  GHL_CREDENTIAL,
  ENGINE_CREDENTIALS,
  ENGINE_OPTIONS,
  loadPackage,
  createEngine,
  reportOnce,
  readCredentials,
  staticDataStore,
  jsonParameter,
  redact,
  errorJson,
  codedNodeError,
};
