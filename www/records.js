// Reading a data set the user pasted or dropped: JSON (an array, or an API page such as
// Outseta's { items } or HighLevel's { contacts }) or CSV (an export of either tool),
// and telling Outseta people from HighLevel contacts. CSV columns are matched to the
// record's field names by their header, ignoring case, spaces and punctuation.
import { inputInvalid, parseCsv } from "./csv.js";

/** @typedef {"outseta" | "ghl"} Shape */
/** @typedef {{ header: string, field: string | null }} Column */
/**
 * @typedef {object} DataSet
 * @property {"json" | "csv"} format
 * @property {Shape} shape
 * @property {Record<string, unknown>[]} records
 * @property {Column[] | null} columns CSV only: each header and the field it fills (null: not used)
 */

/** @param {string} header */
const norm = (header) => header.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Outseta People columns (the export's and the API's names). */
const OUTSETA_COLUMNS = /** @type {Record<string, string>} */ ({
  uid: "Uid", personuid: "Uid", email: "Email", emailaddress: "Email",
  firstname: "FirstName", lastname: "LastName", title: "Title", timezone: "Timezone",
  phonemobile: "PhoneMobile", mobilephone: "PhoneMobile", mobile: "PhoneMobile",
  phonework: "PhoneWork", workphone: "PhoneWork", phone: "PhoneMobile",
  addressline1: "MailingAddress.AddressLine1", mailingaddressaddressline1: "MailingAddress.AddressLine1",
  address: "MailingAddress.AddressLine1", address1: "MailingAddress.AddressLine1",
  addressline2: "MailingAddress.AddressLine2", mailingaddressaddressline2: "MailingAddress.AddressLine2",
  city: "MailingAddress.City", mailingaddresscity: "MailingAddress.City",
  state: "MailingAddress.State", mailingaddressstate: "MailingAddress.State",
  postalcode: "MailingAddress.PostalCode", mailingaddresspostalcode: "MailingAddress.PostalCode",
  zip: "MailingAddress.PostalCode", zipcode: "MailingAddress.PostalCode",
  country: "MailingAddress.Country", mailingaddresscountry: "MailingAddress.Country",
  accountstage: "Account.AccountStage", accountname: "Account.Name", account: "Account.Name",
  hasunsubscribed: "HasUnsubscribed", unsubscribed: "HasUnsubscribed",
  created: "Created", updated: "Updated", lastupdated: "Updated",
});

/** HighLevel contact columns (the contacts export's and the API's names). */
const GHL_COLUMNS = /** @type {Record<string, string>} */ ({
  contactid: "id", id: "id", email: "email", firstname: "firstName", lastname: "lastName",
  name: "name", fullname: "name", contactname: "name", phone: "phone", tags: "tags",
  businessname: "companyName", companyname: "companyName", company: "companyName",
  address: "address1", address1: "address1", streetaddress: "address1",
  city: "city", state: "state", postalcode: "postalCode", zip: "postalCode", zipcode: "postalCode",
  country: "country", timezone: "timezone", source: "source", website: "website",
  dateofbirth: "dateOfBirth", dob: "dateOfBirth", dnd: "dnd", locationid: "locationId",
  created: "dateAdded", dateadded: "dateAdded", dateupdated: "dateUpdated", updated: "dateUpdated",
  lastupdated: "dateUpdated",
});

/** Headers only one of the two tools' exports has. */
const OUTSETA_ONLY = new Set(["uid", "personuid", "phonemobile", "phonework", "mobilephone", "accountstage",
  "hasunsubscribed", "mailingaddresscity", "mailingaddressaddressline1", "mailingaddresspostalcode", "accountname"]);
const GHL_ONLY = new Set(["contactid", "phone", "tags", "businessname", "dateadded", "dnd", "locationid", "dateupdated"]);

/** JSON keys only one of the two tools' records has. */
const OUTSETA_KEYS = ["Uid", "Email", "FirstName", "LastName", "PhoneMobile", "PhoneWork", "PersonAccount", "MailingAddress", "Account"];
const GHL_KEYS = ["id", "email", "firstName", "lastName", "phone", "locationId", "tags", "dateAdded", "customFields", "contactName"];

/**
 * Which tool a JSON record comes from, by its keys (PascalCase: Outseta; camelCase: GHL).
 * @param {Record<string, unknown>[]} records
 * @returns {Shape}
 */
export function detectShape(records) {
  let outseta = 0;
  let ghl = 0;
  for (const r of records.slice(0, 200)) {
    if (!r || typeof r !== "object") continue;
    for (const k of OUTSETA_KEYS) if (k in r) outseta++;
    for (const k of GHL_KEYS) if (k in r) ghl++;
  }
  return ghl > outseta ? "ghl" : "outseta";
}

/**
 * Which tool a CSV export comes from, by its headers (Outseta when nothing tells).
 * @param {string[]} headers
 * @returns {Shape}
 */
export function detectCsvShape(headers) {
  let outseta = 0;
  let ghl = 0;
  for (const h of headers.map(norm)) {
    if (OUTSETA_ONLY.has(h) || h.startsWith("mailingaddress")) outseta++;
    if (GHL_ONLY.has(h)) ghl++;
  }
  return ghl > outseta ? "ghl" : "outseta";
}

/**
 * A cell's value: numbers for Outseta's AccountStage, booleans for flags, a list for
 * GHL tags, else the trimmed-at-the-edges-only text (transforms do the rest).
 * @param {string} field @param {string} cell
 * @returns {unknown}
 */
function cellValue(field, cell) {
  if (field === "Account.AccountStage" && /^\s*\d+\s*$/.test(cell)) return Number(cell);
  if (field === "HasUnsubscribed" || field === "dnd") {
    const t = cell.trim().toLowerCase();
    if (["true", "yes", "1", "y"].includes(t)) return true;
    if (["false", "no", "0", "n"].includes(t)) return false;
  }
  if (field === "tags") return cell.split(",").map((t) => t.trim()).filter(Boolean);
  return cell;
}

/** Keys that would reach an object's prototype instead of the record. */
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Sets `path` ("MailingAddress.City") in `record`, making the objects on the way.
 * @param {Record<string, any>} record @param {string} path @param {unknown} value
 */
function setPath(record, path, value) {
  const keys = path.split(".");
  let at = record;
  for (const k of keys.slice(0, -1)) at = at[k] ??= {};
  at[keys[keys.length - 1]] = value;
}

/**
 * Reads CSV text as records of `shape` (detected from the headers when absent).
 * An Outseta column no rule names becomes a custom property (its header without spaces
 * or punctuation, e.g. "Coffee Preference" → CoffeePreference); a GHL one is not used.
 * @param {string} text @param {Shape} [forced]
 * @returns {DataSet}
 */
export function readCsv(text, forced) {
  const rows = parseCsv(text);
  if (rows.length === 0) throw inputInvalid("CSV: the file is empty", { line: 1 });
  const headers = rows[0].map((h) => h.trim());
  const shape = forced ?? detectCsvShape(headers);
  const table = shape === "ghl" ? GHL_COLUMNS : OUTSETA_COLUMNS;
  const taken = new Set();
  /** @type {Column[]} */
  const columns = headers.map((header) => {
    /** @type {string | null} */
    // Own keys only: a header named "constructor" must not find Object's.
    let field = Object.hasOwn(table, norm(header)) ? table[norm(header)] : null;
    if (!field && shape === "outseta" && /[A-Za-z]/.test(header)) field = header.replace(/[^A-Za-z0-9_]/g, "");
    // A custom property may not be named after what every object has.
    if (field && UNSAFE_KEYS.has(field)) field = null;
    if (field && taken.has(field)) field = null; // the first column for a field wins
    if (field) taken.add(field);
    return { header, field };
  });
  const records = [];
  for (let r = 1; r < rows.length; r++) {
    /** @type {Record<string, unknown>} */
    const record = {};
    const row = rows[r];
    for (let c = 0; c < columns.length; c++) {
      const field = columns[c].field;
      const cell = row[c];
      if (!field || cell === undefined || cell.trim() === "") continue;
      setPath(record, field, cellValue(field, cell));
    }
    records.push(record);
  }
  return { format: "csv", shape, records, columns };
}

/**
 * Reads JSON text: an array of records, one record, or an API page holding the array
 * (`items`, `people`, `contacts`, `data`, `records`).
 * @param {string} text @param {Shape} [forced]
 * @returns {DataSet}
 */
export function readJson(text, forced) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw inputInvalid(`JSON: ${err instanceof Error ? err.message : String(err)}`, { path: "$" });
  }
  let records = value;
  if (!Array.isArray(value)) {
    if (!value || typeof value !== "object") throw inputInvalid("JSON: expected an array of records or an object", { path: "$" });
    const list = ["items", "people", "contacts", "data", "records"].find((k) => Array.isArray(value[k]));
    records = list ? value[list] : [value];
  }
  const shape = forced ?? detectShape(records);
  return { format: "json", shape, records, columns: null };
}

/**
 * Reads pasted or dropped text: JSON when it starts like JSON (or the file is named
 * .json), else CSV.
 * @param {string} text @param {{ name?: string, shape?: Shape }} [options]
 * @returns {DataSet}
 */
export function readRecords(text, options = {}) {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const start = body.trimStart()[0];
  const json = /\.json$/i.test(options.name ?? "") || start === "[" || start === "{";
  return json ? readJson(body, options.shape) : readCsv(body, options.shape);
}
