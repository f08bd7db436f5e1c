// Types for every runtime entry of outseta-ghl-sync (browser, node, worker).

/** Stable codes carried by every error this package throws or reports. */
export type ErrorCode =
  /** The input is not the shape expected; `details.path` says where. */
  | "INPUT_INVALID"
  /**
   * The person has neither an email nor a phone that can be read (or, toward Outseta, no
   * email); `details.unreadable` lists `{ field, path, value, reason }` for each email or
   * phone value it has that could not be read.
   */
  | "MAPPING_NO_IDENTITY"
  /** The mapping spec, policy or context is invalid; `details.problems` lists every problem. */
  | "MAPPING_INVALID"
  /** A dedup config (or GHL duplicate setting) is not valid; `details.path` says where. */
  | "CONFIG_INVALID"
  /** A request never got a response (refused, reset, DNS, CORS, aborted). */
  | "HTTP_TRANSPORT"
  /** Outseta answered 400: `details.errors` lists `{ property, message, code }` per field. */
  | "OUTSETA_VALIDATION"
  /** Outseta answered 401 or 403: the API key pair is wrong or lacks access. */
  | "OUTSETA_UNAUTHORIZED"
  /** Outseta answered 404: no such record. */
  | "OUTSETA_NOT_FOUND"
  /** Outseta answered 429 (over 4 requests/second per key); `details.retryAfterSeconds`. */
  | "OUTSETA_RATE_LIMITED"
  /** Outseta answered another error status; `details.status`, `details.message`. */
  | "OUTSETA_HTTP"
  /** Outseta answered 2xx with a body that is not the documented shape. */
  | "OUTSETA_DECODE"
  /** A webhook delivery that cannot be handled: unknown event, not a record with a Uid. */
  | "OUTSETA_WEBHOOK_INVALID"
  /** The `x-hub-signature-256` header is missing, malformed or does not match the body. */
  | "SIGNATURE_INVALID"
  /** A bug in this package; please report it with the error's details. */
  | "INTERNAL"
  /** No HTTP response arrived (refused, reset, DNS, CORS); `details.ambiguous` says whether a write may have applied. */
  | "HTTP_TRANSPORT"
  /** HighLevel 400 (e.g. "Contact with id x not found"). */
  | "GHL_BAD_REQUEST"
  /** HighLevel 400 "This location does not allow duplicated contacts."; `details.contactId`, `details.matchingField`. */
  | "GHL_DUPLICATE"
  /** HighLevel 401 that could not be cured by a token refresh. */
  | "GHL_UNAUTHORIZED"
  /** HighLevel 403, e.g. "The token does not have access to this location." */
  | "GHL_FORBIDDEN"
  | "GHL_NOT_FOUND"
  /** HighLevel 422; `details.messages` is the API's message array. */
  | "GHL_VALIDATION"
  /** 429 after every retry, or the location's daily budget spent; `details.retryInMs`. */
  | "GHL_RATE_LIMITED"
  | "GHL_SERVER_ERROR"
  | "GHL_HTTP_ERROR"
  /** A 2xx whose body is not the documented shape. */
  | "GHL_RESPONSE_INVALID"
  /** A webhook signature is missing, malformed or does not verify; `details.header`. */
  | "SIGNATURE_INVALID"
  /** A webhook body that is not JSON, not an object, or has wrong types. */
  | "WEBHOOK_INVALID"
  /** A body over its limit (1 MiB for webhooks), refused by its length alone: HTTP 413; `details.limit`. */
  | "BODY_TOO_LARGE"
  /** A signed HighLevel delivery for another location than the one served: HTTP 403; `details.locationId`. */
  | "WEBHOOK_WRONG_LOCATION"
  /** A contact with more than 20,000 tags; `details.count`, `details.limit`. */
  | "TAGS_TOO_MANY"
  /** The admin token is missing or wrong (the Worker): HTTP 401. */
  | "UNAUTHORIZED"
  | "WEBHOOK_UNKNOWN_EVENT"
  /** A webhook `timestamp` more than `maxAgeMs` (5 min) from now, or missing. */
  | "WEBHOOK_STALE"
  /** A `webhookId` already accepted. */
  | "WEBHOOK_REPLAYED"
  /** A JS store threw, or returned the wrong type; `details.op`, `details.key`. */
  | "STORE_FAILED"
  /** The store holds a value that does not parse; `details.key`. */
  | "STORE_CORRUPT"
  /** A webhook arrived for a system whose verification is not configured. */
  | "NOT_CONFIGURED"
  /** The Worker only: a request trapped inside the WebAssembly core; the instance was replaced, retry it. */
  | "WASM_TRAPPED";

/** Every error thrown by this package: a real `Error` with a stable `code`. */
export interface OutsetaGhlSyncError extends Error {
  name: "OutsetaGhlSyncError";
  code: ErrorCode;
  /** Structured facts about the error, e.g. `{ path: "$.Email", expected: "string", found: "number" }`. */
  details: Record<string, unknown>;
}

/**
 * Records cross into the core as JSON: what `JSON.stringify` drops (functions,
 * `undefined` properties) is dropped; a value with no JSON form (a BigInt, a cycle,
 * `undefined` itself) is refused with `INPUT_INVALID`.
 *
 * An Outseta Person as the REST API returns it (PascalCase keys). Only the fields the
 * mapping reads are listed; every other key, custom properties included, is allowed.
 */
export interface OutsetaPerson {
  Uid?: string;
  Email?: string | null;
  FirstName?: string | null;
  LastName?: string | null;
  PhoneMobile?: string | null;
  PhoneWork?: string | null;
  [property: string]: unknown;
}

/** A GHL create payload (camelCase keys, `CreateContactDto`); empty fields are left out. */
export interface GhlContactPayload {
  email?: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  /** E.164 with the built-in mapping, e.g. "+15550102030". */
  phone?: string;
  address1?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  website?: string;
  timezone?: string;
  companyName?: string;
  source?: string;
  dateOfBirth?: string;
  dnd?: boolean;
  tags?: string[];
  customFields?: { id: string; field_value: string | string[] | Record<string, unknown> }[];
  locationId?: string;
}

/** One entry of a batch result, in input order. */
export type MapResult =
  | { ok: true; contact: GhlContactPayload }
  | { ok: false; error: { code: ErrorCode; message: string; details: Record<string, unknown> } };

/** The package version, e.g. "0.1.0". */
export function version(): string;

/** The most bytes a webhook body may hold (1 MiB): read no more from the network (413 `BODY_TOO_LARGE`). */
export function webhookBodyLimit(): number;

/**
 * Maps one Outseta Person to a GHL contact payload with the built-in mapping:
 * Email (trimmed, lower-cased), FirstName, LastName (trimmed), and PhoneMobile, or
 * PhoneWork when the mobile is empty. Throws an {@link OutsetaGhlSyncError} on bad input.
 */
export function mapContact(person: OutsetaPerson): GhlContactPayload;

/**
 * Maps a batch of Outseta People; one bad record yields an error entry, not a failed
 * batch. Throws only when `people` is not an array.
 */
export function mapContacts(people: OutsetaPerson[]): MapResult[];

// ---- mapping spec, merge and Plan (issue 5) ----------------------------------------

/** A transform step: a name, or an object with one key. */
export type Transform =
  | "trim" | "lowercase" | "uppercase" | "titlecase" | "e164" | "joinName"
  | { e164: { defaultRegion: string } }
  | { splitName: "first" | "last" }
  | { date: { from?: DateFormat; to: Exclude<DateFormat, "auto"> } }
  | { map: { values: Record<string, unknown>; default?: unknown } }
  | { const: unknown }
  | { template: string }
  | { defaultIfEmpty: unknown };

export type DateFormat = "auto" | "iso" | "YYYY-MM-DD" | "MM/DD/YYYY" | "DD/MM/YYYY" | "epochMs";

/** One field between an Outseta Person path and a GHL contact field. */
export interface FieldRule {
  /** Outseta path(s): "Email", "MailingAddress.City", "Account.AccountStage", a custom property name. */
  outseta?: string | string[];
  /** A GHL contact field ("email", "phone", ...) or "customFields.<field key>". */
  ghl: string;
  direction?: "both" | "toGhl" | "toOutseta";
  /** Applied toward GHL, in order. */
  transforms?: Transform[];
  /** Applied toward Outseta; by default the inverse of `transforms` where one exists. */
  toOutseta?: Transform[];
  description?: string;
}

/** A condition on the Outseta record (tag rules). */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { field: string; equals: unknown }
  | { field: string; in: unknown[] }
  | { field: string; exists: boolean }
  | { field: string; olderThanDays: number }
  | { field: string; withinDays: number };

export interface TagRule {
  when: Condition;
  add?: string[];
  remove?: string[];
  description?: string;
}

/** The declarative mapping spec (JSON Schema: `outseta-ghl-sync/mapping-spec.schema.json`). */
export interface MappingSpec {
  $schema?: string;
  version: 1;
  description?: string;
  /** Region for national phone numbers in `e164` (default "US"). */
  defaultRegion?: string;
  /** Outseta custom properties map to GHL custom fields keyed `contact.<snake_case name>`. */
  autoCustomFields?: boolean;
  fields?: FieldRule[];
  tags?: TagRule[];
}

/** What a spec is validated and applied against. */
export interface MappingContext {
  /** The location's custom field definitions (`GET /locations/{id}/customFields`). */
  ghlCustomFields?: { id: string; fieldKey: string; dataType?: string; name?: string }[];
  /** The Outseta custom property names, to check `outseta` paths against. */
  outsetaProperties?: string[];
  /** Added to create payloads. */
  locationId?: string;
  /** "Now" for activity conditions (ISO-8601 or epoch ms): passed in, so results repeat. */
  now?: string | number;
}

export interface MappingProblem {
  /** JSON path of the problem, e.g. "$.fields[2].transforms[0]" ("$context..." / "$policy..." for those inputs). */
  path: string;
  code:
    | "UNKNOWN_PROPERTY" | "UNKNOWN_FIELD" | "UNKNOWN_TRANSFORM" | "UNKNOWN_REGION" | "TYPE_MISMATCH"
    | "TRANSFORM_INVALID" | "TRANSFORM_NOT_APPLICABLE" | "TRANSFORM_NOT_REVERSIBLE" | "CUSTOM_FIELD_UNKNOWN"
    | "MAPPED_TWICE" | "MISSING" | "INVALID_VALUE" | "UNSUPPORTED_VERSION" | "CONTEXT_MISSING";
  message: string;
}

/**
 * One field of one record that was not mapped or not written; the rest of the record
 * still is. Never recorded as synced: the next run tries it again.
 */
export interface FieldError {
  /** The GHL-side field, e.g. "phone" or "customFields.contact.plan". */
  field: string;
  code:
    | "INPUT_INVALID" | "TRANSFORM_FAILED" | "TYPE_MISMATCH" | "CUSTOM_FIELD_UNRESOLVED" | "CUSTOM_FIELD_NOT_STORED"
    | "OUTSETA_PROPERTY_UNKNOWN" | "FIELD_NOT_UPDATABLE" | "UNKNOWN_FIELD" | "CONTEXT_MISSING";
  message: string;
  /**
   * Always `value` (the value as the record held it) where there is one; `path`, and more
   * by code. A value refused by a transform or of the wrong type also has `reason`
   * (why) and `path` (where it was read, `"$.PhoneMobile"`), and for a transform
   * `transform`. A rule with several sources (`["PhoneMobile", "PhoneWork"]`) tries each
   * non-empty one in order; when every one is refused, `tried` lists
   * `{ path, value, reason }` for each.
   */
  details: { value?: unknown; path?: string; reason?: string; tried?: Array<{ path: string; value: unknown; reason: string }>; [key: string]: unknown };
}

export interface CodedErrorJson {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

/** One record's preview: the payload, with field errors beside it (never inside). */
export interface PreviewResult {
  ok: boolean;
  /** A GHL create payload (toGhl) or an Outseta Person payload (toOutseta); absent when `ok` is false. */
  payload?: Record<string, unknown>;
  errors: FieldError[];
  /** Why the whole record could not be mapped. */
  error?: CodedErrorJson;
}

export interface PreviewOptions {
  direction?: "toGhl" | "toOutseta";
  context?: MappingContext;
}

/** A canonical contact: GHL field names, custom fields as "customFields.<key>". */
export interface CanonicalContact {
  links?: { outsetaUid?: string; ghlId?: string; ghlLocationId?: string };
  fields?: Record<string, unknown>;
  tags?: string[];
  createdAt?: string;
  updatedAt?: string;
}

export type Strategy = "outsetaWins" | "ghlWins" | "newestWins" | "review";
export type FieldPolicy = Strategy | { strategy: Strategy; neverErase?: boolean };

/** Conflict policy. Default: newestWins with neverErase, 300,000 ms clock-skew tolerance. */
export interface MergePolicy {
  default?: FieldPolicy;
  fields?: Record<string, FieldPolicy>;
  clockSkewMs?: number;
  noteOnReview?: boolean;
  taskOnReview?: boolean;
}

export interface Conflict {
  field: string;
  base: unknown;
  outseta: unknown;
  ghl: unknown;
  reason: string;
}

export interface MergeResult {
  merged: Required<Pick<CanonicalContact, "links" | "fields" | "tags">> & CanonicalContact;
  /** Fields to write (null clears). */
  toOutseta: Record<string, unknown>;
  toGhl: Record<string, unknown>;
  tagsAdd: string[];
  tagsRemove: string[];
  conflicts: Conflict[];
  decisions: { field: string; taken: "outseta" | "ghl" | "both" | "base"; reason: string }[];
}

export type SyncSystem = "outseta" | "ghl";

export type Operation =
  | { op: "CreateContact"; system: SyncSystem; payload: Record<string, unknown>; link: { outsetaUid?: string | null; ghlId?: string | null }; reason: string }
  | { op: "UpdateContact"; system: SyncSystem; id: string; changes: Record<string, unknown>; reason: string }
  | { op: "AddTags"; id: string; tags: string[]; reason: string }
  | { op: "RemoveTags"; id: string; tags: string[]; reason: string }
  | { op: "CreateNote"; system: SyncSystem; id: string; body: string; reason: string }
  | { op: "CreateTask"; system: SyncSystem; id: string; title: string; body: string; reason: string }
  | { op: "CompleteTask"; system: SyncSystem; id: string; taskId: string; reason: string }
  | { op: "LinkRecords"; outsetaUid: string; ghlId: string; reason: string }
  | { op: "CreateCustomField"; key: string; name: string; dataType: string; reason: string }
  | { op: "Unlink"; outsetaUid: string; ghlId: string; reason: string }
  | { op: "DeleteContact"; system: SyncSystem; id: string; reason: string }
  | { op: "Review"; conflict: Conflict; reason: string };

/** What the Store keeps per linked pair. */
export interface PairState {
  base?: CanonicalContact;
  /** Hashes of what we last wrote to each side. */
  echo?: { outseta?: string; ghl?: string };
  reviewTaskId?: string;
}

export interface SyncPair {
  /** An Outseta Person, as the API or a webhook gives it. */
  outseta?: OutsetaPerson | null;
  /** A GHL contact, as `GET /contacts/{id}` or a webhook gives it. */
  ghl?: Record<string, unknown> | null;
  state?: PairState | null;
}

export interface PlanInput {
  pairs: SyncPair[];
  spec?: MappingSpec | null;
  policy?: MergePolicy | null;
  context?: MappingContext | null;
  /** Also give each pair's `fields`: what the Plan does with each field the records hold differently. */
  explain?: boolean;
}

/** What the Plan does with a field the two records hold differently (`explain`). */
export interface FieldOutcome {
  field: string;
  outseta: unknown;
  ghl: unknown;
  /** `toGhl` (Outseta's value is written to GHL), `toOutseta`, `held` for review, or `kept` (neither is written). */
  outcome: "toGhl" | "toOutseta" | "held" | "kept";
  reason: string;
}

export interface PairPlan {
  operations: Operation[];
  /** Store this once every operation has run. */
  state: PairState;
  /** Fields not written, each with its code, value and why (once run, also those the API did not keep). */
  errors: FieldError[];
  /** With `explain`: the fields the two records hold differently and what the Plan does with each. */
  fields?: FieldOutcome[];
  error?: CodedErrorJson;
}

/**
 * Maps records with `spec` (the built-in mapping when null/undefined): Outseta People
 * to GHL create payloads, or with `direction: "toOutseta"` GHL contacts to Outseta
 * payloads. Throws `MAPPING_INVALID` for a bad spec; a bad record is its own result.
 */
export function previewMapping(records: unknown[], spec?: MappingSpec | null, options?: PreviewOptions | null): PreviewResult[];

/** Every problem of a spec, each with a JSON path and a plain-language message. Never throws on a bad spec. */
export function validateMapping(spec: unknown, context?: MappingContext | null): { valid: boolean; problems: MappingProblem[] };

/** The built-in mapping spec. */
export function defaultMapping(): MappingSpec;

/** Field-level three-way merge of canonical contacts against their base snapshot. */
export function mergeContact(
  base: CanonicalContact | null,
  outseta: CanonicalContact,
  ghl: CanonicalContact,
  policy?: MergePolicy | null,
): MergeResult;

/** Plans a batch of pairs: the operations (with reasons) and the next state of each pair. */
export function planSync(input: PlanInput): PairPlan[];

/**
 * `planSync` with JSON text in and out (for callers that already hold text). The output
 * is all ASCII: non-ASCII characters are written as `\uXXXX` escapes, which
 * `JSON.parse` reads back to the same strings (and JavaScript decodes ASCII faster).
 */
export function planSyncJson(input: string): string;
// ---------------------------------------------------------------------------------------
// Duplicate detection and record linkage

/**
 * A GHL contact as the API returns it (camelCase keys), or a canonical contact (the same
 * field names). Only the fields dedup reads are listed; anything else is allowed and ignored.
 */
export interface DedupGhlContact {
  id?: string;
  email?: string | null;
  additionalEmails?: (string | { email?: string | null })[] | null;
  phone?: string | null;
  additionalPhones?: (string | { phone?: string | null })[] | null;
  firstName?: string | null;
  lastName?: string | null;
  /** Used when firstName and lastName are both empty. */
  name?: string | null;
  address1?: string | null;
  city?: string | null;
  postalCode?: string | null;
  /** `YYYY-MM-DD`, `MM/DD/YYYY`, or epoch milliseconds (GHL returns numbers). */
  dateOfBirth?: string | number | null;
  /** Read for the ids listed in `dobFields` / `extraFields`. */
  customFields?: { id?: string; key?: string; value?: unknown }[] | null;
  [property: string]: unknown;
}

/** Any record dedup accepts: an Outseta Person (with `MailingAddress`), or a GHL/canonical contact. */
export type DedupRecord =
  | (OutsetaPerson & {
      FullName?: string | null;
      MailingAddress?: { AddressLine1?: string | null; City?: string | null; PostalCode?: string | null; [k: string]: unknown } | null;
    })
  | DedupGhlContact;

/** Every key is optional; an unknown key is refused with `CONFIG_INVALID`. */
export interface DedupConfig {
  /** How records are read: detected per record (default), or forced. `canonical` reads the GHL field names. */
  shape?: "auto" | "outseta" | "ghl" | "canonical";
  /** Region for phones written without a country code. Default "US". */
  defaultRegion?: string;
  /** gmail.com / googlemail.com: ignore dots and `+tags` in the local part. Default true. */
  gmailRules?: boolean;
  /** Keys (and GHL custom field ids) a date of birth is read from. Default `["dateOfBirth", "DateOfBirth", "Birthday", "birthday", "DOB"]`. */
  dobFields?: string[];
  /** Other mapped fields (keys or GHL custom field ids) that count as evidence when equal. */
  extraFields?: string[];
  /** Which evidence is used at all. All true by default. */
  rules?: { email?: boolean; phone?: boolean; fuzzy?: boolean };
  /** Points per piece of evidence: agreement adds, `…Differs` (negative) removes. */
  weights?: Partial<Record<
    | "email" | "emailDiffers" | "phone" | "phoneDiffers" | "firstName" | "firstNameDiffers"
    | "lastName" | "lastNameDiffers" | "dob" | "dobNear" | "dobDiffers" | "postcode" | "postcodeDiffers"
    | "address" | "addressDiffers" | "city" | "cityDiffers" | "extra" | "extraDiffers",
    number
  >>;
  /** A pair's score (sum of weights) at or above `match` is a match (default 8), at or above `possible` a possible match (default 6). The chaining guard refuses links across pairs scoring below `conflict` (default 0). */
  thresholds?: { match?: number; possible?: number; conflict?: number };
  /** Blocks larger than `maxBlockSize` (default 16) are compared within a sorted window of `window` (default 8). */
  blocking?: { maxBlockSize?: number; window?: number };
  /** Default 50. */
  maxClusterSize?: number;
  /** Longer strings are ignored with a reason. Default 320. */
  maxFieldLength?: number;
  /** Include `explanations`. Default true. */
  explain?: boolean;
}

export type DedupDecision = "match" | "possible" | "nonmatch";

/** One compared field: how alike (0..1) and the points it gave. */
export interface DedupEvidence {
  field: string;
  similarity: number;
  weight: number;
  /** e.g. "nickname", "initial", "first and last names swapped", "one typo apart". */
  note?: string;
}

export interface DedupExplanation {
  a: string;
  b: string;
  decision: "match" | "possible";
  score: number;
  /** "email", "phone", or "name+" the other fields that agreed, e.g. "name+dateOfBirth+postcode". */
  rule: string;
  evidence: DedupEvidence[];
  /** Why a match is only possible (e.g. the chaining guard refused the link). */
  note?: string;
}

export interface DedupStats {
  records: number;
  used: number;
  skipped: number;
  /** The first 100 skipped records. */
  skippedRecords: { index: number; id?: string; reason: string }[];
  fieldIssues: number;
  /** The first 100 ignored fields. */
  fieldIssueExamples: { index: number; field: string; reason: string }[];
  shapes: { outseta: number; ghl: number };
  blocks: number;
  largestBlock: number;
  cappedBlocks: number;
  cappedBlockRecords: number;
  pairsSkippedByCap: number;
  /** The largest capped blocks (at most 10), e.g. `{ kind: "name", size: 812 }`. */
  largestCapped: { kind: string; size: number }[];
  pairsCompared: number;
  matches: number;
  possibleMatches: number;
  chainGuardRefused: number;
  clusters: number;
  recordsInClusters: number;
  timingsMs: { toWasm: number; normalise: number; blocking: number; scoring: number; clustering: number; explaining: number };
}

export interface DedupReport {
  /** Groups of record ids (`Uid` / `id`, or `#index` for a record without one) that are one person. */
  clusters: string[][];
  possible: { a: string; b: string; score: number }[];
  explanations: DedupExplanation[];
  stats: DedupStats;
}

/**
 * Finds duplicates within one batch (mixed shapes are fine). `records` may also be the
 * JSON text of the array (a file or request body as read), which skips a parse and a
 * stringify. Bad records are skipped with a reason in `stats`; throws only when `records`
 * is not an array (or not JSON text of one) or `config` is invalid.
 */
export function findDuplicates(records: DedupRecord[] | string, config?: DedupConfig | null): DedupReport;

/**
 * Pairs Outseta people with GHL contacts as a bulk import links them (the preview's
 * pairing): each person takes the contact it matches if that one is free; a person to
 * decide on stays unpaired with `held` (why); contacts no one took follow.
 */
export function pairRecords(outseta: DedupRecord[] | null, ghl: DedupRecord[] | null): Array<{ outseta: number | null; ghl: number | null; held?: string }>;

export interface DedupCandidate {
  id: string;
  decision: "match" | "possible";
  score: number;
  rule: string;
  evidence: DedupEvidence[];
  note?: string;
}

/** GHL's "Allow Duplicate Contact" location setting and its match fields. */
export interface GhlDuplicateSetting {
  /** Default false: GHL merges an incoming contact into the one sharing the primary (else secondary) field. */
  allowDuplicateContact?: boolean;
  primaryField?: "email" | "phone";
  secondaryField?: "email" | "phone" | null;
}

export interface DedupLinkResult {
  id: string;
  action: "link" | "review" | "create" | "skip";
  target?: string;
  score?: number;
  rule?: string;
  /** The contact GHL would merge into by itself (allowDuplicateContact off). */
  ghlWouldMergeInto?: string;
  reason: string;
}

/** An incremental index for webhooks: add records as they arrive, query one at a time. */
export class DedupIndex {
  constructor(config?: DedupConfig | null);
  /** Adds records; a record whose id is already indexed replaces it. */
  add(records: DedupRecord[]): { added: number; replaced: number; skipped: { index: number; id?: string; reason: string }[]; fieldIssues: number; size: number };
  /** The indexed records that match or possibly match `record`, best first. */
  query(record: DedupRecord): {
    decision: DedupDecision;
    candidates: DedupCandidate[];
    compared: number;
    capped: { kind: string; size: number }[];
  };
  /** Links each record to the indexed ones (e.g. Outseta people against existing GHL contacts). */
  link(records: DedupRecord[], ghl?: GhlDuplicateSetting | null): DedupLinkResult[];
  /** How many records the index holds. */
  readonly size: number;
  /** Frees the index's memory in wasm now. */
  free(): void;
  [Symbol.dispose](): void;
}
// ---- Outseta REST API v1 -------------------------------------------------------------

/**
 * An Outseta timestamp exactly as the API sent it. Forms seen: `2023-04-11T18:23:43` (no
 * offset, UTC), `2021-01-24T23:03:35.2226324Z`, `2018-05-01T10:00:00-05:00`, and the
 * `0001-01-01T00:00:00` stub. Records are refused (`OUTSETA_DECODE`) if a timestamp field
 * holds anything else.
 */
export type OutsetaTimestamp = string;

/** A postal address (`MailingAddress`, `BillingAddress`). */
export interface OutsetaAddress {
  AddressLine1?: string | null;
  AddressLine2?: string | null;
  AddressLine3?: string | null;
  City?: string | null;
  State?: string | null;
  PostalCode?: string | null;
  Country?: string | null;
  GeoLocation?: unknown;
  Uid?: string | null;
  Created?: OutsetaTimestamp;
  Updated?: OutsetaTimestamp;
  [property: string]: unknown;
}

/** One person in one account. `Person`/`Account` are null unless expanded with `fields`. */
export interface OutsetaPersonAccount {
  Uid?: string;
  Person?: OutsetaPersonRecord | null;
  Account?: OutsetaAccount | null;
  IsPrimary?: boolean;
  ReceiveInvoices?: boolean;
  Created?: OutsetaTimestamp;
  Updated?: OutsetaTimestamp;
  [property: string]: unknown;
}

/**
 * A Person as the client returns it: the documented fields, plus custom properties as
 * top-level keys by system name (e.g. `CoffeePreference`). Nulls are left out.
 */
export interface OutsetaPersonRecord extends OutsetaPerson {
  FullName?: string;
  Title?: string;
  Timezone?: string;
  Language?: string;
  IPAddress?: string;
  Referer?: string;
  UserAgent?: string;
  UserAgentPlatformBrowser?: string;
  ProfileImageS3Url?: string;
  MailingAddress?: OutsetaAddress;
  PasswordMustChange?: boolean;
  PasswordLastUpdated?: OutsetaTimestamp;
  LastLoginDateTime?: OutsetaTimestamp;
  HasLoggedIn?: boolean;
  HasUnsubscribed?: boolean;
  OptInToEmailList?: boolean;
  OAuthGoogleProfileId?: string;
  OAuthIntegrationStatus?: number;
  IsConnectedToDiscord?: boolean;
  PersonAccount?: OutsetaPersonAccount[];
  Account?: OutsetaAccount;
  _objectType?: string;
  ActivityEventData?: unknown;
  Created?: OutsetaTimestamp;
  Updated?: OutsetaTimestamp;
}

/** A subscription (`CurrentSubscription`, `LatestSubscription`, `Subscriptions[]`). */
export interface OutsetaSubscription {
  Uid?: string;
  /** 1 Monthly, 2 Yearly, 3 Quarterly, 4 One Time. */
  BillingRenewalTerm?: number;
  Plan?: { Uid?: string; Name?: string; [property: string]: unknown };
  Quantity?: number;
  StartDate?: OutsetaTimestamp;
  EndDate?: OutsetaTimestamp;
  ExpirationDate?: OutsetaTimestamp;
  RenewalDate?: OutsetaTimestamp;
  Rate?: number;
  Created?: OutsetaTimestamp;
  Updated?: OutsetaTimestamp;
  [property: string]: unknown;
}

/** An Account, with custom properties as top-level keys. */
export interface OutsetaAccount {
  Uid?: string;
  Name?: string;
  ClientIdentifier?: string;
  Currency?: string;
  InvoiceNotes?: string;
  IsDemo?: boolean;
  BillingAddress?: OutsetaAddress;
  MailingAddress?: OutsetaAddress;
  /** 2 Trialing, 3 Subscribing, 4 Cancelling, 5 Expired, 6 Trial Expired, 7 Past Due, 8 Cancelling Trial, 9 Paused. */
  AccountStage?: number;
  AccountStageLabel?: string;
  PersonAccount?: OutsetaPersonAccount[];
  Subscriptions?: OutsetaSubscription[];
  CurrentSubscription?: OutsetaSubscription;
  LatestSubscription?: OutsetaSubscription;
  PrimarySubscription?: OutsetaSubscription;
  PrimaryContact?: OutsetaPersonRecord;
  LastLoginDateTime?: OutsetaTimestamp;
  HasLoggedIn?: boolean;
  LifetimeRevenue?: number;
  DomainName?: string;
  _objectType?: string;
  Created?: OutsetaTimestamp;
  Updated?: OutsetaTimestamp;
  [property: string]: unknown;
}

/** 1 Account, 2 Person, 3 Deal. */
export type OutsetaEntityType = 1 | 2 | 3;

/** An entry of the activity feed. */
export interface OutsetaActivity {
  Uid?: string;
  Title?: string;
  Description?: string;
  ActivityData?: unknown;
  ActivityDateTime?: OutsetaTimestamp;
  /** 10 Custom, 50 Note, 100-120 account events, 200-219 person events, ... */
  ActivityType?: number;
  EntityType?: number;
  EntityUid?: string;
  Created?: OutsetaTimestamp;
  Updated?: OutsetaTimestamp;
  [property: string]: unknown;
}

/** The body of a custom activity: the only activity write Outseta documents. */
export interface OutsetaCustomActivity {
  Title: string;
  Description?: string;
  /** Structured data goes in as JSON text. */
  ActivityData?: string;
  EntityType: OutsetaEntityType;
  EntityUid: string;
}

export interface OutsetaEmailList {
  Uid?: string;
  Name?: string;
  Description?: string;
  Created?: OutsetaTimestamp;
  Updated?: OutsetaTimestamp;
  [property: string]: unknown;
}

export interface OutsetaEmailListSubscription {
  Uid?: string;
  EmailList?: OutsetaEmailList;
  Person?: OutsetaPersonRecord;
  /** 1 Subscribed, 2 Unsubscribed, 3 Cleaned, 4 Confirmed. */
  EmailListSubscriberStatus?: number;
  SubscribedDate?: OutsetaTimestamp;
  Created?: OutsetaTimestamp;
  Updated?: OutsetaTimestamp;
  [property: string]: unknown;
}

/** A custom property definition (undocumented endpoint). */
export interface OutsetaPropertyDefinition {
  SystemName?: string;
  Label?: string;
  /** `Text`, `Date`, `Select`, `CheckboxList`, ...: any text is accepted. */
  ControlType?: string;
  /** JSON text: Options, HintText. */
  ControlParams?: string;
  Hidden?: boolean;
  Position?: number;
  [property: string]: unknown;
}

/** One page of a list. `offset` is the zero-based PAGE number, not an item offset. */
export interface OutsetaPage<T> {
  metadata: { limit: number; offset: number; total: number };
  items: T[];
}

/** A list request. */
export interface OutsetaListQuery {
  /** Zero-based page number (`offset=1&limit=20` is items 21-40). Default 0. */
  offset?: number;
  /** 1 to 100; Outseta's default is 25. */
  limit?: number;
  /** e.g. `"*,PersonAccount.*"`. */
  fields?: string;
  /** e.g. `"Updated DESC"`. */
  orderBy?: string;
  /** Property filters, e.g. `{ Email: "a@b.co" }`, `{ Updated__gte: "2024-01-01" }`, `{ EntityUid, ActivityType: 10 }`. */
  filters?: Record<string, string | number | boolean>;
}

export interface OutsetaClientOptions {
  /** `acme` for https://acme.outseta.com/api/v1. Give this or `baseUrl`. */
  subdomain?: string;
  /** Any base URL, e.g. the local simulator's `http://127.0.0.1:PORT/api/v1`. */
  baseUrl?: string;
  apiKey: string;
  secretKey: string;
  /**
   * Limit requests to Outseta's 4 per second per key (default true), or to a budget of
   * your own (`{ burst: 4, windowMs: 1050 }` is the default one). Off, nothing is
   * throttled client-side, but a 429's `Retry-After` is still obeyed and retried.
   */
  rateLimit?: boolean | { burst?: number; windowMs?: number; daily?: number };
  /**
   * Attempts in all (default 5; 1 = never retry) and the full-jitter exponential backoff
   * (base 500 ms, cap 30 s). A 429 is always retried; a 5xx or network error only for
   * GET, PUT and DELETE. A POST is never blindly re-sent: a person create that failed
   * ambiguously is looked up by email first.
   */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Per-attempt timeout in ms (default 30,000); `null` for none. */
  timeoutMs?: number | null;
}

/** Request counters of an {@link OutsetaClient}. */
export interface OutsetaStats { requests: number; attempts: number; retries: number; throttledMs: number; backoffMs: number }

/**
 * An Outseta REST API v1 client over the host's `fetch`. Every method returns a Promise
 * of plain JSON; failures reject with an {@link OutsetaGhlSyncError} (`OUTSETA_*`,
 * `HTTP_TRANSPORT` or `INPUT_INVALID`). Call `free()` when done, or let the
 * FinalizationRegistry reclaim it.
 */
export class OutsetaClient {
  /** Throws `INPUT_INVALID` on bad options. */
  constructor(options: OutsetaClientOptions);
  /** The base URL requests go to (never the keys). */
  readonly baseUrl: string;
  free(): void;
  /** Requests, attempts, retries, and time spent throttled or backing off. */
  stats(): OutsetaStats;

  listPeople(query?: OutsetaListQuery | null): Promise<OutsetaPage<OutsetaPersonRecord>>;
  /** Every matching person, page after page. */
  listAllPeople(query?: OutsetaListQuery | null): Promise<OutsetaPersonRecord[]>;
  getPerson(uid: string): Promise<OutsetaPersonRecord>;
  /** `Email` is required and unique in Outseta. After a 5xx or network error the person is looked up by email before any re-send. */
  createPerson(person: OutsetaPerson): Promise<OutsetaPersonRecord>;
  /** Reads the whole person, applies `patch`, PUTs the result (a partial PUT can wipe `PersonAccount`). */
  updatePerson(uid: string, patch: Record<string, unknown>): Promise<OutsetaPersonRecord>;
  deletePerson(uid: string): Promise<void>;
  /** Compared case-insensitively; `null` when nobody has the email. */
  findPersonByEmail(email: string): Promise<OutsetaPersonRecord | null>;

  listAccounts(query?: OutsetaListQuery | null): Promise<OutsetaPage<OutsetaAccount>>;
  listAllAccounts(query?: OutsetaListQuery | null): Promise<OutsetaAccount[]>;
  getAccount(uid: string): Promise<OutsetaAccount>;
  /** `Name` and at least one `PersonAccount: [{ Person: { Uid } | { Email }, IsPrimary }]`. */
  createAccount(account: OutsetaAccount & { Name: string; PersonAccount: Array<{ Person: { Uid: string } | { Email: string; [property: string]: unknown }; IsPrimary?: boolean }> }): Promise<OutsetaAccount>;
  updateAccount(uid: string, patch: Record<string, unknown>): Promise<OutsetaAccount>;
  deleteAccount(uid: string): Promise<void>;
  addMembership(accountUid: string, membership: { Person: { Uid: string } | { Email: string; [property: string]: unknown }; IsPrimary?: boolean; ReceiveInvoices?: boolean }): Promise<OutsetaPersonAccount>;
  /** Outseta refuses to remove the primary contact. */
  removeMembership(accountUid: string, membershipUid: string): Promise<void>;

  /** Filter with `EntityUid`, `EntityType`, `ActivityType`. */
  listActivities(query?: OutsetaListQuery | null): Promise<OutsetaPage<OutsetaActivity>>;
  /** Timeline entries, notes and onboarding "tasks" (Outseta has no task or note write API). */
  createCustomActivity(activity: OutsetaCustomActivity): Promise<OutsetaActivity>;

  listEmailLists(query?: OutsetaListQuery | null): Promise<OutsetaPage<OutsetaEmailList>>;
  listSubscriptions(listUid: string, query?: OutsetaListQuery | null): Promise<OutsetaPage<OutsetaEmailListSubscription>>;
  subscribe(listUid: string, subscription: { Person: { Uid: string } | { Email: string; FirstName?: string; LastName?: string }; SendWelcomeEmail?: boolean }): Promise<OutsetaEmailListSubscription>;
  unsubscribe(listUid: string, subscriptionUid: string): Promise<void>;

  /** Custom property definitions; `null` if the (undocumented) endpoint answers 404. */
  propertyDefinitions(entity: "Person" | "Account" | "Deal"): Promise<OutsetaPropertyDefinition[] | null>;
}

/** A raw webhook body: the exact bytes received, or their text. */
export type RawBody = string | Uint8Array;

/**
 * Checks `x-hub-signature-256: sha256=<hex>` (HMAC-SHA256 of the raw body under the
 * hex-decoded 32-byte key) in constant time. Throws `SIGNATURE_INVALID`
 * (`details.reason`: "missing" | "malformed" | "mismatch") or `INPUT_INVALID` for a key
 * that is not 64 hex digits.
 */
export function verifyOutsetaSignature(key: string, body: RawBody, signature: string | null | undefined): void;

/** A verified delivery. */
export interface OutsetaWebhookEvent {
  /** Outseta's activity type name, e.g. "PersonUpdated". */
  event: string;
  activityType: number;
  entity: "Person" | "Account";
  uid: string;
  /** Identical for every retry of one delivery (Outseta retries 20 times, 20 minutes apart). */
  idempotencyKey: string;
  record: OutsetaPersonRecord | OutsetaAccount;
}

/**
 * Verifies, then parses, one activity-notification delivery. The body carries no event
 * type, so `event` is the one the route was configured for: "person-updated",
 * "PersonUpdated" or "201". Throws `SIGNATURE_INVALID`, `OUTSETA_WEBHOOK_INVALID` or
 * `INPUT_INVALID`.
 */
export function parseOutsetaWebhook(event: string, body: RawBody, signature: string | null | undefined, key: string): OutsetaWebhookEvent;
// ---- HighLevel (GHL) Contacts API v2 --------------------------------------------------
// Shapes follow the official apps/contacts.json. Read shapes keep every key the API
// sends (`[key: string]: unknown`); write shapes list exactly what the API accepts, and
// an unknown key is refused with INPUT_INVALID before anything is sent.

/** `{status: active|inactive|permanent, message?, code?}` per channel; live payloads add `RCS`. */
export interface GhlDndChannel { status: "active" | "inactive" | "permanent" | string; message?: string; code?: string; [key: string]: unknown }
export interface GhlDndSettings { Call?: GhlDndChannel; Email?: GhlDndChannel; SMS?: GhlDndChannel; WhatsApp?: GhlDndChannel; GMB?: GhlDndChannel; FB?: GhlDndChannel; [channel: string]: GhlDndChannel | undefined }
/** A custom field as read: `value` may be a string, number, array or object. */
export interface GhlCustomFieldValue { id: string; value?: unknown; [key: string]: unknown }
/** A custom field as written; `fieldValue` and `value` are accepted as `field_value`. */
export type GhlCustomFieldWrite = { id: string; key?: string } & ({ field_value: unknown } | { fieldValue: unknown } | { value: unknown });

/** `GetContectByIdSchema` (and the create/update responses' `contact`). */
export interface GhlContact {
  id?: string; locationId?: string; name?: string; firstName?: string; lastName?: string;
  email?: string; phone?: string; companyName?: string; timezone?: string; dnd?: boolean;
  dndSettings?: GhlDndSettings; type?: string; source?: string; assignedTo?: string;
  address1?: string; city?: string; state?: string; country?: string; postalCode?: string;
  website?: string; tags?: string[]; dateOfBirth?: string | number; dateAdded?: string;
  dateUpdated?: string; customFields?: GhlCustomFieldValue[]; businessId?: string;
  [key: string]: unknown;
}
/** One `POST /contacts/search` item, with its own `searchAfter` cursor. */
export interface GhlSearchContact {
  id?: string; locationId?: string; contactName?: string; firstName?: string; lastName?: string;
  email?: string; phone?: string; tags?: string[]; dateAdded?: string; dateUpdated?: string;
  customFields?: GhlCustomFieldValue[]; searchAfter?: [number, string] | unknown[];
  [key: string]: unknown;
}
interface GhlContactFields {
  firstName?: string | null; lastName?: string | null; name?: string | null; email?: string | null;
  /** Normalised to E.164 before sending (national numbers take the client's `defaultRegion`); a number that cannot be is refused with `INPUT_INVALID`. */
  phone?: string | null; address1?: string | null; city?: string | null; state?: string | null;
  postalCode?: string | null; website?: string | null; timezone?: string | null; dnd?: boolean | null;
  dndSettings?: GhlDndSettings; inboundDndSettings?: { all?: { status: "active" | "inactive"; message?: string } };
  /** Overwrites every tag on update and upsert: prefer addTags/removeTags. */
  tags?: string[]; customFields?: GhlCustomFieldWrite[]; source?: string | null;
  dateOfBirth?: string | null; country?: string | null; assignedTo?: string | null;
}
/** `CreateContactDto`; `locationId` defaults to the client's. */
export interface GhlContactCreate extends GhlContactFields { locationId?: string; gender?: string | null; companyName?: string | null }
/** `UpsertContactDto`. */
export interface GhlContactUpsert extends GhlContactCreate { createNewIfDuplicateAllowed?: boolean }
/** `UpdateContactDto`. */
export type GhlContactUpdate = GhlContactFields;
export interface GhlTask { id?: string; title?: string; body?: string; assignedTo?: string; dueDate?: string; completed?: boolean; contactId?: string; [key: string]: unknown }
/** Create needs title, dueDate and completed; update takes any subset. Milliseconds in dueDate are dropped. */
export interface GhlTaskWrite { title?: string; body?: string; dueDate?: string; completed?: boolean; assignedTo?: string }
export interface GhlNote { id?: string; body?: string; userId?: string; dateAdded?: string; contactId?: string; [key: string]: unknown }
/** Create needs body. */
export interface GhlNoteWrite { body?: string; userId?: string; title?: string; color?: string; pinned?: boolean }
/** `GetEventSchema`. */
export interface GhlAppointment { id?: string; calendarId?: string; status?: string; title?: string; startTime?: string; endTime?: string; contactId?: string; appointmentStatus?: string; [key: string]: unknown }
export interface GhlCustomFieldDefinition { id?: string; name?: string; fieldKey?: string; dataType?: string; model?: string; [key: string]: unknown }
export interface GhlAck { succeded?: boolean; [key: string]: unknown }
export interface GhlContactPage { contacts: GhlContact[]; count?: number; meta?: { startAfterId?: string | null; startAfter?: number | null; [key: string]: unknown }; [key: string]: unknown }
export interface GhlSearchPage { contacts: GhlSearchContact[]; total?: number; traceId?: string; [key: string]: unknown }
export interface GhlUpserted { new: boolean; contact: GhlContact; traceId?: string; [key: string]: unknown }
/** `recovered`: the create failed ambiguously (network, 5xx, "422 but created") and the contact was found by duplicate search. */
export interface GhlCreated { contact: GhlContact; recovered: boolean }
export interface GhlTokens { access_token: string; refresh_token?: string; token_type?: string; expires_in?: number; scope?: string; locationId?: string; [key: string]: unknown }
export type GhlSearchFilter =
  | { field: string; operator: "eq" | "not_eq" | "contains" | "not_contains" | "exists" | "not_exists" | "range"; value?: unknown }
  | { group: "AND" | "OR"; filters: GhlSearchFilter[] };
/** `POST /contacts/search`; `locationId` defaults to the client's, `pageLimit` to 100 (at most 500). */
export interface GhlSearchBody {
  locationId?: string; pageLimit?: number; page?: number; searchAfter?: unknown[];
  filters?: GhlSearchFilter[]; sort?: { field: string; direction: "asc" | "desc" }[]; query?: string;
}
export interface GhlListQuery { startAfterId?: string; startAfter?: number; query?: string; limit?: number }
export interface GhlStats { requests: number; attempts: number; retries: number; throttledMs: number; backoffMs: number }

export interface GhlClientOptions {
  locationId: string;
  /** A Private Integration Token (or an access token you refresh yourself)... */
  token?: string;
  /** ...or OAuth credentials, refreshed on a 401. */
  oauth?: { accessToken: string; refreshToken?: string; clientId: string; clientSecret: string };
  /** Called with every token set OAuth issues: persist `refresh_token`, it rotates. */
  onTokens?: (tokens: GhlTokens) => void;
  /** Default https://services.leadconnectorhq.com */
  baseUrl?: string;
  /** Region of national phone numbers, e.g. "GB" (default "US"). */
  defaultRegion?: string;
  /** Older form of `defaultRegion`: a calling code ("44"), meaning its main region. Pass one or the other. */
  defaultCountryCode?: string;
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** An attempt with no response after this long is a network error (default 30,000). */
  timeoutMs?: number;
  /** Default 100 per 10,000 ms and 200,000 per day. */
  rateLimit?: { burst?: number; windowMs?: number; daily?: number };
}

/** Pages of contacts: `next()` resolves to the next page, or `null` after the last. */
export interface GhlSearchPager<P = GhlSearchPage> {
  next(): Promise<P | null>;
  free(): void;
}

/** HighLevel Contacts API v2 for one location: rate-limited, retried, typed. */
export class GhlClient {
  constructor(options: GhlClientOptions);
  free(): void;
  stats(): GhlStats;
  getContact(contactId: string): Promise<GhlContact>;
  /** Deprecated upstream: prefer searchContacts. */
  listContacts(query?: GhlListQuery): Promise<GhlContactPage>;
  listPages(query?: GhlListQuery): GhlSearchPager<GhlContactPage>;
  listBusinessContacts(businessId: string, limit?: number, skip?: number, query?: string): Promise<GhlContactPage>;
  createContact(contact: GhlContactCreate): Promise<GhlCreated>;
  upsertContact(contact: GhlContactUpsert): Promise<GhlUpserted>;
  updateContact(contactId: string, update: GhlContactUpdate): Promise<GhlContact>;
  deleteContact(contactId: string): Promise<GhlAck>;
  findDuplicate(email?: string | null, phone?: string | null): Promise<GhlContact | null>;
  searchContacts(body: GhlSearchBody): Promise<GhlSearchPage>;
  /** Follows `searchAfter` cursors (not bound by the 10,000-record cap of `page`). */
  searchPages(body: Omit<GhlSearchBody, "page">): GhlSearchPager<GhlSearchPage>;
  addTags(contactId: string, tags: string[]): Promise<string[]>;
  removeTags(contactId: string, tags: string[]): Promise<string[]>;
  listTasks(contactId: string): Promise<GhlTask[]>;
  getTask(contactId: string, taskId: string): Promise<GhlTask>;
  createTask(contactId: string, task: GhlTaskWrite & { title: string; dueDate: string; completed: boolean }): Promise<GhlTask>;
  updateTask(contactId: string, taskId: string, task: GhlTaskWrite): Promise<GhlTask>;
  completeTask(contactId: string, taskId: string, completed: boolean): Promise<GhlTask>;
  deleteTask(contactId: string, taskId: string): Promise<GhlAck>;
  listNotes(contactId: string): Promise<GhlNote[]>;
  getNote(contactId: string, noteId: string): Promise<GhlNote>;
  createNote(contactId: string, note: GhlNoteWrite & { body: string }): Promise<GhlNote>;
  updateNote(contactId: string, noteId: string, note: GhlNoteWrite): Promise<GhlNote>;
  deleteNote(contactId: string, noteId: string): Promise<GhlAck>;
  listAppointments(contactId: string): Promise<GhlAppointment[]>;
  addFollowers(contactId: string, followers: string[]): Promise<{ followers?: string[]; followersAdded?: string[]; [key: string]: unknown }>;
  removeFollowers(contactId: string, followers: string[]): Promise<{ followers?: string[]; followersRemoved?: string[]; [key: string]: unknown }>;
  addToCampaign(contactId: string, campaignId: string): Promise<GhlAck>;
  removeFromCampaign(contactId: string, campaignId: string): Promise<GhlAck>;
  removeFromAllCampaigns(contactId: string): Promise<GhlAck>;
  addToWorkflow(contactId: string, workflowId: string, eventStartTime?: string): Promise<GhlAck>;
  removeFromWorkflow(contactId: string, workflowId: string, eventStartTime?: string): Promise<GhlAck>;
  bulkUpdateTags(type: "add" | "remove", contacts: string[], tags: string[], removeAllTags?: boolean): Promise<{ succeded?: boolean; errorCount?: number; responses?: unknown[]; [key: string]: unknown }>;
  bulkBusiness(ids: string[], businessId: string | null): Promise<{ success?: boolean; ids?: string[]; [key: string]: unknown }>;
  listCustomFields(model?: "contact" | "opportunity" | "all"): Promise<GhlCustomFieldDefinition[]>;
  /** `id` may also be a field key such as "contact.pincode". */
  getCustomField(id: string): Promise<GhlCustomFieldDefinition>;
  createCustomField(definition: { name: string; dataType: string; [key: string]: unknown }): Promise<GhlCustomFieldDefinition>;
  refreshToken(): Promise<GhlTokens>;
  exchangeCode(clientId: string, clientSecret: string, code: string, redirectUri?: string): Promise<GhlTokens>;
  locationToken(companyId: string, locationId: string): Promise<GhlTokens>;
}

interface GhlContactEventFields { id: string; locationId?: string; email?: string; phone?: string; firstName?: string; lastName?: string; name?: string; tags?: string[]; dnd?: boolean; dndSettings?: GhlDndSettings; customFields?: GhlCustomFieldValue[]; dateAdded?: string; [key: string]: unknown }
interface GhlNoteEventFields { id: string; locationId?: string; contactId?: string; body?: string; dateAdded?: string; [key: string]: unknown }
/** A real TaskCreate may lack `contactId` and `body`. */
interface GhlTaskEventFields { id: string; locationId?: string; contactId?: string; title?: string; body?: string; assignedTo?: string; dueDate?: string; dateAdded?: string; [key: string]: unknown }
export type GhlWebhookEvent =
  | ({ type: "ContactCreate" | "ContactUpdate" | "ContactDelete" | "ContactDndUpdate" | "ContactTagUpdate" } & GhlContactEventFields)
  | ({ type: "NoteCreate" | "NoteUpdate" | "NoteDelete" } & GhlNoteEventFields)
  | ({ type: "TaskCreate" | "TaskComplete" | "TaskDelete" } & GhlTaskEventFields);
export interface GhlWebhookEnvelope { webhookId?: string; timestamp?: string | number; appId?: string; versionId?: string }
export interface GhlVerifiedWebhook { event: GhlWebhookEvent; envelope: GhlWebhookEnvelope; verifiedBy: "x-ghl-signature" | "x-wh-signature" }

/** Verifies deliveries: Ed25519 `x-ghl-signature` first, RSA `x-wh-signature` otherwise, then timestamp and webhookId replay checks. */
export class GhlWebhookVerifier {
  /** Without keys, HighLevel's published keys are used. Keys are SPKI PEM. */
  /** `locationId`: the one location served; another location's delivery throws `WEBHOOK_WRONG_LOCATION`. */
  constructor(options?: { ed25519Keys?: string[]; rsaKeys?: string[]; maxAgeMs?: number; locationId?: string });
  free(): void;
  /** `rawBody` exactly as received. Throws SIGNATURE_INVALID, WEBHOOK_INVALID, WEBHOOK_UNKNOWN_EVENT, WEBHOOK_STALE or WEBHOOK_REPLAYED. */
  verify(rawBody: string | Uint8Array, headers: Record<string, string | undefined> | Headers, nowMs?: number): GhlVerifiedWebhook;
}

/** Parses a webhook body without verifying it. */
export function parseGhlWebhook(rawBody: string | Uint8Array): { event: GhlWebhookEvent; envelope: GhlWebhookEnvelope };

// ---- the sync engine -------------------------------------------------------------

/**
 * Where the engine keeps links, snapshots, cursors, idempotency keys, checkpoints and
 * reviews: text keys to text values. Each method may return its result or a Promise of
 * it. `runStoreConformance(store)` checks an implementation.
 */
export interface SyncStore {
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  put(key: string, value: string): unknown;
  /** Stores only if absent; true when it did (an atomic claim). */
  putIfAbsent(key: string, value: string): boolean | Promise<boolean>;
  delete(key: string): unknown;
  /**
   * Every `[key, value]` whose key starts with `prefix`, in key order; only the first
   * `limit` when it is given (a store that ignores it still works, reading more).
   */
  list(prefix: string, limit?: number): Array<[string, string]> | Promise<Array<[string, string]>>;
  /**
   * Applies every write in order, all or none (one transaction). Optional: without it the
   * engine writes one by one, in an order where a crash between two writes of a link
   * leaves nothing that reads as the wrong link.
   */
  batch?(writes: SyncStoreWrite[]): unknown;
}

/** One write of {@link SyncStore.batch}. */
export type SyncStoreWrite = { op: "put"; key: string; value: string } | { op: "delete"; key: string };

export interface SyncEngineBehaviour {
  /** What a delete on one side does to the other: never deletes by default. */
  deletePolicy?: "ignore" | "unlink" | "tag" | "delete";
  /** The GHL tag of the `tag` policy (default "deleted-in-outseta"). */
  deletedTag?: string;
  /** A new GHL contact with no Outseta person creates one (default true). */
  ghlCreatesPeople?: boolean;
  /** Custom activities created on the new person's Outseta timeline for a new GHL contact. */
  onboarding?: Array<{ title: string; description?: string }>;
  /** Email lists become GHL tags `{prefix}{list name}` (default "list:"; null: off). */
  listTagPrefix?: string | null;
  /** Outseta activity types sent to GHL as notes when polled (default [10, 50]). */
  activityNoteTypes?: number[];
  /** Pairs written at once in a bulk import (default 4). */
  concurrency?: number;
  /** Look for an existing GHL contact (email, canonical email, phone) before creating one (default true). */
  findBeforeCreate?: boolean;
  /** Canonical gmail.com addresses when searching (default true). */
  gmailRules?: boolean;
  /**
   * Create the GHL definitions of custom fields the mapping names but the location
   * lacks; each shows in the Plan as `CreateCustomField` (default false: such a field is
   * reported as `CUSTOM_FIELD_UNRESOLVED` and not written).
   */
  createMissingCustomFields?: boolean;
  /** Custom field definitions and Outseta person properties are cached in the store and read again after this long (default 900000, 15 min). */
  definitionsMaxAgeMs?: number;
  /** When the mapping names a custom field the cache lacks, read the definitions again at most this often (default 60000). */
  definitionsMissRefreshMs?: number;
}

export interface SyncEngineOptions {
  ghl: GhlClientOptions;
  outseta: OutsetaClientOptions;
  /** Defaults to memory (lost when the process ends). */
  store?: SyncStore;
  mapping?: Record<string, unknown> | null;
  policy?: Record<string, unknown> | null;
  context?: Record<string, unknown> | null;
  options?: SyncEngineBehaviour;
  webhooks?: {
    /** Outseta's webhook signing key (64 hex digits); without it Outseta webhooks are refused. */
    outsetaSigningKey?: string;
    /** GHL keys; absent: HighLevel's published keys. A delivery for another location than `ghl.locationId` is refused (`WEBHOOK_WRONG_LOCATION`). */
    ghl?: { ed25519Keys?: string[]; rsaKeys?: string[]; maxAgeMs?: number };
    /** How long an Outseta delivery is remembered, so a repeat gets `WEBHOOK_REPLAYED` (default 8 hours: Outseta retries for 6 h 40 min). */
    outsetaReplayWindowMs?: number;
  };
}

export interface SyncOpResult { op: Operation["op"]; ok: boolean; id?: string; error?: CodedErrorJson }

export interface SyncPairRun {
  outsetaUid?: string;
  ghlId?: string;
  /** How the pair was found. */
  found: "linked" | "matched" | "new";
  plan: PairPlan;
  results: SyncOpResult[];
  /** Set when the pair failed; its stored state is unchanged, so the next run retries it. */
  error?: CodedErrorJson;
}

/** A trigger's Plan per pair and its outcome. */
export interface SyncRun {
  trigger: string;
  /** Why nothing ran, when nothing did (a repeat delivery, an echo, a policy). */
  skipped?: string;
  pairs: SyncPairRun[];
  dryRun: boolean;
  /** Set when the delivery held nothing new (a repeat, an echo, what the last sync left): nothing was read or written. */
  unchanged?: true;
}

export interface ImportProgress { done: number; total: number; rate: number; etaSeconds: number | null; created: number; updated: number; linked: number; unchanged: number }

export interface ImportSummary {
  total: number; done: number; created: number; updated: number; linked: number; unchanged: number;
  skipped: Array<{ outsetaUid: string; reason: string }>;
  /** People held for review as possible duplicates (`reviews()`): never created until resolved. */
  heldForReview: number;
  /** People no contact can be made for (no email and no readable phone), with why. */
  refused: Array<{ outsetaUid?: string; error: CodedErrorJson }>;
  /** Pairs whose writes failed (API or store errors); importing again retries them. */
  failed: Array<{ outsetaUid?: string; error: CodedErrorJson }>;
  /** Operations carried out, by the system written (an import writes GHL only unless `twoWay`). */
  writes: { ghl: number; outseta: number };
  /** Fields not written, counted by field and code, most first. */
  fieldProblems: Array<{ field: string; code: FieldError["code"]; count: number }>;
}

/** One field of one person that was not written, and why. */
export interface FieldProblem {
  outsetaUid?: string;
  ghlId?: string;
  field: string;
  code: FieldError["code"];
  message: string;
  /** The value as the record held it. */
  value: unknown;
  details: Record<string, unknown>;
}

export interface ImportReport {
  summary: ImportSummary;
  dryRun: boolean;
  cancelled: boolean;
  resumedFromPage?: number;
  elapsedMs: number;
  /** Every pair's Plan in a dry run; otherwise the pairs that failed or were refused. */
  pairs: SyncPairRun[];
  /** Every field this run did not write, person by person. */
  problems: FieldProblem[];
}

/** Something held for review: nothing is written for it until it is resolved. */
export interface ReviewItem {
  /** `{outsetaUid}/duplicate` or `{outsetaUid}/{field}`. */
  id: string;
  kind: "duplicate" | "conflict";
  outsetaUid: string;
  /** The linked contact (conflicts); empty for a duplicate. */
  ghlId: string;
  conflict?: Conflict;
  reason: string;
  /** Duplicates: who it may be, best first: `{ system, id, decision, score, rule, evidence }`. */
  candidates?: Array<Record<string, unknown>>;
  /** The records when it was held (a duplicate's GHL record is its best candidate). */
  outseta?: Record<string, unknown>;
  ghl?: Record<string, unknown>;
  heldAt?: string;
}

/** How to resolve a review (`resolveReview`). */
export type ReviewResolution =
  | { link: string }
  | { create: true }
  | { keep: "outseta" | "ghl" }
  | { fields: Record<string, "outseta" | "ghl"> };

export interface ReconcileReport {
  generatedAt: string;
  inSync: boolean;
  counts: {
    outsetaPeople: number; ghlContacts: number; links: number; missingInGhl: number; unlinkedGhl: number; driftedPairs: number;
    driftedFields: number; staleLinks: number; duplicateClusters: number; pendingReviews: number; unwritableFields: number; refused: number;
  };
  missingInGhl: Array<{ id: string; email?: string }>;
  unlinkedGhl: Array<{ id: string; email?: string }>;
  drift: Array<{ outsetaUid: string; ghlId: string; fields: Array<{ field: string; outseta: unknown; ghl: unknown }> }>;
  staleLinks: Array<{ outsetaUid: string; ghlId: string; missing: "outseta" | "ghl" | "both" }>;
  duplicates: { outseta: string[][]; ghl: string[][] };
  pendingReviews: ReviewItem[];
  /** Drift of its own kind: fields the sync cannot write, with the value and why. */
  unwritable: FieldProblem[];
  /** People with no GHL contact that none can be made for. */
  refused: Array<{ outsetaUid: string; error: CodedErrorJson }>;
  /** With `repair`: the Plan (and, unless `dryRun`, its outcome); never a create for a person held for review. */
  repair?: SyncPairRun[];
  /** With `html: true`: the report as one HTML page. */
  html?: string;
}

export interface TimelineEntry { at: string | null; source: "outseta" | "ghl"; kind: "activity" | "note" | "task" | "appointment"; id: string | null; title: string; body?: string }

/** Two-way sync between Outseta and one HighLevel location. */
export class SyncEngine {
  constructor(options: SyncEngineOptions);
  free(): void;
  /** `event` from the route (`person-updated`, `PersonUpdated`, `201`); the raw body exactly as received. */
  handleOutsetaWebhook(event: string, rawBody: string | Uint8Array, headers: Record<string, string | undefined> | Headers): Promise<SyncRun>;
  /**
   * `receivedAt` (epoch ms): when the delivery reached your front door, if it waited in a
   * queue since; HighLevel's 5-minute timestamp window is checked against it (default now).
   */
  handleGhlWebhook(rawBody: string | Uint8Array, headers: Record<string, string | undefined> | Headers, receivedAt?: number): Promise<SyncRun>;
  /** Syncs one Outseta Person now (read again from Outseta unless it plainly holds nothing new). */
  syncPerson(person: OutsetaPerson): Promise<SyncRun>;
  /** The polling fallback: people updated since the last poll, then new activities as GHL notes. */
  poll(): Promise<SyncRun>;
  /** `onProgress` runs after each page; return false to stop (resume later with `resume: true`). */
  bulkImport(
    options?: {
      dryRun?: boolean; resume?: boolean; pageSize?: number; job?: string;
      ghlDuplicates?: { allowDuplicateContact?: boolean; primaryField?: "email" | "phone"; secondaryField?: "email" | "phone" | null };
      /** Also write GHL's newer values to Outseta (default false: GHL only). */
      twoWay?: boolean;
    },
    onProgress?: (progress: ImportProgress) => boolean | void,
  ): Promise<ImportReport>;
  reconcile(options?: { repair?: boolean; dryRun?: boolean; html?: boolean }): Promise<ReconcileReport>;
  timeline(which: { outsetaUid?: string; ghlId?: string }): Promise<{ outsetaUid: string | null; ghlId: string | null; entries: TimelineEntry[] }>;
  /** Every pending review: possible duplicates an import held, fields the policy held. */
  reviews(): Promise<ReviewItem[]>;
  /** Resolves review `id` (or all of a person's, by its Outseta Uid) and runs the sync it decides; the review is dropped once that succeeded. */
  resolveReview(id: string, resolution: ReviewResolution): Promise<SyncRun>;
  /** Request counters of both clients. */
  stats(): { ghl: Record<string, number>; outseta: Record<string, number> };
}

/** Runs the store conformance suite against a store implementation. */
export function runStoreConformance(store: SyncStore): Promise<{ passed: number; failures: string[] }>;

/** Throws `INPUT_INVALID` unless `options` are valid {@link SyncEngine.bulkImport} options (for a host that runs the import later). */
export function checkImportOptions(options: unknown): void;

/** What `runStep` answers: it never throws. */
export type StepResult =
  | { ok: true; action: string; result: unknown }
  | { ok: false; action: string | null; error: CodedErrorJson };

/**
 * One JSON-in / JSON-out entry for no-code code steps (Pipedream, n8n's Code node; Zapier
 * and Make through the Worker's `POST /v1/step`). Actions: `map` ({records} or {person}),
 * `validate` ({mapping}), `dedup` ({records, config}), `plan` ({pairs}), and, with the
 * `SyncEngine` options as `config`, `syncPerson` ({person}), `import` ({options}),
 * `reconcile` ({options}), `timeline` ({outsetaUid, ghlId}), `reviews` ({}) and
 * `resolveReview` ({id, resolution}).
 */
export function runStep(
  input: { action: "map" | "validate" | "dedup" | "plan" | "syncPerson" | "import" | "reconcile" | "timeline" | "reviews" | "resolveReview"; [key: string]: unknown },
  config?: Partial<SyncEngineOptions> & { mapping?: Record<string, unknown> | null; engine?: SyncEngine },
): Promise<StepResult>;
