// What the sync commands (import, reconcile, timeline, poll, serve) share: the config
// file, secrets from the environment, and a SyncEngine on the SQLite store.
import { dirname, resolve } from "node:path";
import { SyncEngine } from "../node.js";
import { DEFAULT_SQLITE_FILE, SqliteStore } from "../sqlite-store.js";
import { readJson, redact, UsageError } from "./support.js";

/** The config file read when --config is not given. */
export const DEFAULT_CONFIG = "./outseta-ghl-sync.json";

/** Flags every sync command takes. */
export const ENGINE_FLAGS = /** @type {const} */ ({ config: "string", store: "string" });

export const ENGINE_USAGE = `  --config FILE      the JSON config (default ${DEFAULT_CONFIG}):
                     { "ghl": { "locationId", "baseUrl"? }, "outseta": { "subdomain" | "baseUrl" },
                       "mapping"?, "policy"?, "context"?, "options"?, "webhooks"?, "store"? }
  --store FILE       the SQLite state file (default: the config's "store", else
                     ${DEFAULT_SQLITE_FILE}; a config's path is relative to the config)
Secrets come only from the environment: GHL_TOKEN, OUTSETA_API_KEY, OUTSETA_SECRET_KEY,
and OUTSETA_SIGNING_KEY (Outseta webhooks, for serve). They are never printed.
`;

const GHL_KEYS = ["locationId", "baseUrl", "defaultRegion", "defaultCountryCode", "retry", "timeoutMs", "rateLimit"];
const OUTSETA_KEYS = ["subdomain", "baseUrl", "rateLimit", "retry", "timeoutMs"];
const TOP_KEYS = ["ghl", "outseta", "mapping", "policy", "context", "options", "webhooks", "store"];
const SECRET_KEYS = ["token", "oauth", "apiKey", "secretKey", "outsetaSigningKey"];

/** @param {string} message @param {string} path */
function configError(message, path) {
  return Object.assign(new Error(message), { code: "CONFIG_INVALID", details: { path } });
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * @param {Record<string, unknown>} section @param {string[]} allowed @param {string} path
 * @returns {Record<string, unknown>}
 */
function pick(section, allowed, path) {
  for (const key of Object.keys(section)) {
    if (SECRET_KEYS.includes(key)) {
      throw configError(`${path}.${key} is a secret: set it in the environment instead of the config file`, `${path}.${key}`);
    }
    if (!allowed.includes(key)) throw configError(`${path}.${key} is not a known setting (known: ${allowed.join(", ")})`, `${path}.${key}`);
  }
  return { ...section };
}

/** @param {string} name */
function secret(name) {
  const value = process.env[name];
  if (!value) throw new UsageError(`the environment variable ${name} is not set`);
  return value;
}

/**
 * Reads the config and the secrets; returns the SyncEngine options (without the store)
 * and the store's file.
 * @param {Record<string, string | boolean>} flags the command's parsed flags
 */
export function loadConfig(flags) {
  const file = typeof flags.config === "string" ? flags.config : DEFAULT_CONFIG;
  const config = readJson(file);
  if (!isObject(config)) throw configError("the config must be a JSON object", "$");
  for (const key of Object.keys(config)) {
    if (SECRET_KEYS.includes(key)) throw configError(`$.${key} is a secret: set it in the environment instead of the config file`, `$.${key}`);
    if (!TOP_KEYS.includes(key)) throw configError(`$.${key} is not a known setting (known: ${TOP_KEYS.join(", ")})`, `$.${key}`);
  }
  if (!isObject(config.ghl)) throw configError("$.ghl must be an object with locationId", "$.ghl");
  if (typeof config.ghl.locationId !== "string" || !config.ghl.locationId) throw configError("$.ghl.locationId must be a non-empty string", "$.ghl.locationId");
  if (!isObject(config.outseta)) throw configError("$.outseta must be an object with subdomain or baseUrl", "$.outseta");
  if (typeof config.outseta.subdomain !== "string" && typeof config.outseta.baseUrl !== "string") {
    throw configError("$.outseta needs subdomain (e.g. \"acme\") or baseUrl", "$.outseta");
  }
  if (config.store !== undefined && typeof config.store !== "string") throw configError("$.store must be a file path", "$.store");
  if (config.webhooks !== undefined && !isObject(config.webhooks)) throw configError("$.webhooks must be an object", "$.webhooks");
  const webhooks = config.webhooks === undefined ? {} : pick(config.webhooks, ["ghl"], "$.webhooks");

  const ghl = pick(config.ghl, GHL_KEYS, "$.ghl");
  const outseta = pick(config.outseta, OUTSETA_KEYS, "$.outseta");
  const signingKey = process.env.OUTSETA_SIGNING_KEY;
  /** @type {import("../index.js").SyncEngineOptions} */
  const options = {
    ghl: /** @type {any} */ ({ ...ghl, token: secret("GHL_TOKEN") }),
    outseta: /** @type {any} */ ({ ...outseta, apiKey: secret("OUTSETA_API_KEY"), secretKey: secret("OUTSETA_SECRET_KEY") }),
    mapping: /** @type {any} */ (config.mapping ?? null),
    policy: /** @type {any} */ (config.policy ?? null),
    context: /** @type {any} */ (config.context ?? null),
    options: /** @type {any} */ (config.options ?? {}),
    webhooks: { ...webhooks, ...(signingKey ? { outsetaSigningKey: signingKey } : {}) },
  };
  const storeFile =
    typeof flags.store === "string"
      ? flags.store
      : typeof config.store === "string"
        ? resolve(dirname(file === "-" ? "." : file), config.store)
        : DEFAULT_SQLITE_FILE;
  return { options, storeFile };
}

/**
 * Opens the store and an engine on it.
 * @param {Record<string, string | boolean>} flags
 */
export function openEngine(flags) {
  const { options, storeFile } = loadConfig(flags);
  const store = new SqliteStore(storeFile);
  try {
    // The generated bindings type the class loosely; index.d.ts has its real shape.
    const engine = /** @type {import("../index.js").SyncEngine} */ (/** @type {unknown} */ (new SyncEngine({ ...options, store })));
    return { engine, store, options };
  } catch (err) {
    store.close();
    throw err;
  }
}

/** A report as JSON text, with any secret from the environment redacted. @param {unknown} value */
export function jsonText(value) {
  return redact(JSON.stringify(value, null, 2)) + "\n";
}

/** @param {unknown} value */
export function printJson(value) {
  process.stdout.write(jsonText(value));
}
