// Types for every runtime entry of outseta-ghl-sync (browser, node, worker).

/** Stable codes carried by every error this package throws or reports. */
export type ErrorCode =
  /** The input is not the shape expected; `details.path` says where. */
  | "INPUT_INVALID"
  /** The person has neither an email nor a phone, so no GHL contact can be matched. */
  | "MAPPING_NO_IDENTITY"
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
  /** A webhook delivery that cannot be handled: unknown event, over 1 MiB, not a record with a Uid. */
  | "OUTSETA_WEBHOOK_INVALID"
  /** The `x-hub-signature-256` header is missing, malformed or does not match the body. */
  | "SIGNATURE_INVALID"
  /** A bug in this package; please report it with the error's details. */
  | "INTERNAL";

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
  /** Pace requests to Outseta's 4 per second per key (default true). */
  rateLimit?: boolean;
}

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

  listPeople(query?: OutsetaListQuery | null): Promise<OutsetaPage<OutsetaPersonRecord>>;
  /** Every matching person, page after page. */
  listAllPeople(query?: OutsetaListQuery | null): Promise<OutsetaPersonRecord[]>;
  getPerson(uid: string): Promise<OutsetaPersonRecord>;
  /** `Email` is required and unique in Outseta. */
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
