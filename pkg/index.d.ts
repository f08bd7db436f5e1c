// Types for every runtime entry of outseta-ghl-sync (browser, node, worker).

/** Stable codes carried by every error this package throws or reports. */
export type ErrorCode =
  /** The input is not the shape expected; `details.path` says where. */
  | "INPUT_INVALID"
  /** The person has neither an email nor a phone, so no GHL contact can be matched. */
  | "MAPPING_NO_IDENTITY"
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
  /** A webhook body that is not JSON, not an object, has wrong types, or is over 1 MiB. */
  | "WEBHOOK_INVALID"
  | "WEBHOOK_UNKNOWN_EVENT"
  /** A webhook `timestamp` more than `maxAgeMs` (5 min) from now, or missing. */
  | "WEBHOOK_STALE"
  /** A `webhookId` already accepted. */
  | "WEBHOOK_REPLAYED";

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

/** A GHL contact payload (camelCase keys); empty fields are left out. */
export interface GhlContactPayload {
  email?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
}

/** One entry of a batch result, in input order. */
export type MapResult =
  | { ok: true; contact: GhlContactPayload }
  | { ok: false; error: { code: ErrorCode; message: string; details: Record<string, unknown> } };

/** The package version, e.g. "0.1.0". */
export function version(): string;

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
  /** Normalised to E.164 before sending (national numbers use `defaultCountryCode`). */
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
  /** Calling code for national phone numbers (default "1"). */
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
  constructor(options?: { ed25519Keys?: string[]; rsaKeys?: string[]; maxAgeMs?: number });
  free(): void;
  /** `rawBody` exactly as received. Throws SIGNATURE_INVALID, WEBHOOK_INVALID, WEBHOOK_UNKNOWN_EVENT, WEBHOOK_STALE or WEBHOOK_REPLAYED. */
  verify(rawBody: string | Uint8Array, headers: Record<string, string | undefined> | Headers, nowMs?: number): GhlVerifiedWebhook;
}

/** Parses a webhook body without verifying it. */
export function parseGhlWebhook(rawBody: string | Uint8Array): { event: GhlWebhookEvent; envelope: GhlWebhookEnvelope };
