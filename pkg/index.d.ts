// Types for every runtime entry of outseta-ghl-sync (browser, node, worker).

/** Stable codes carried by every error this package throws or reports. */
export type ErrorCode =
  /** The input is not the shape expected; `details.path` says where. */
  | "INPUT_INVALID"
  /** The person has neither an email nor a phone, so no GHL contact can be matched. */
  | "MAPPING_NO_IDENTITY"
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
