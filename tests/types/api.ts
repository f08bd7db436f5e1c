// Compiles only if index.d.ts describes the API as users call it, and if the generated
// bindings export every function index.d.ts declares.
import * as api from "outseta-ghl-sync";
import type { ErrorCode, GhlContactPayload, MapResult, OutsetaGhlSyncError } from "outseta-ghl-sync";
import * as generated from "../../pkg/wasm/outseta_ghl_sync.js";

const declared: { [K in keyof typeof api]: ((...args: never[]) => unknown) | (abstract new (...args: never[]) => unknown) } = generated;
void declared;

const version: string = api.version();
const contact: GhlContactPayload = api.mapContact({ Email: "a@b.co", CoffeePreference: "Latte" });
const results: MapResult[] = api.mapContacts([{ Email: "x@y.co", PhoneMobile: null }]);
for (const result of results) {
  if (result.ok) {
    const email: string | undefined = result.contact.email;
    void email;
  } else {
    const code: ErrorCode = result.error.code;
    void code;
  }
}
try {
  api.mapContact({ Email: "a@b.co" });
} catch (err) {
  const coded = err as OutsetaGhlSyncError;
  const code: ErrorCode = coded.code;
  const mapping: ErrorCode[] = ["INPUT_INVALID", "MAPPING_NO_IDENTITY", "INTERNAL", "GHL_RATE_LIMITED", "SIGNATURE_INVALID"];
  void mapping;
  void code;
}
// @ts-expect-error: a person is an object, not an email string
api.mapContact("jane@example.com");
// @ts-expect-error: the batch takes an array
api.mapContacts({ Email: "a@b.co" });

void version, contact;

// HighLevel: the client, its pagers and the webhook verifier, as users call them.
import type { GhlContact, GhlCreated, GhlSearchPage, GhlVerifiedWebhook, GhlTokens } from "outseta-ghl-sync";

async function ghlUsage(): Promise<void> {
  const saved: GhlTokens[] = [];
  const ghl = new api.GhlClient({
    locationId: "loc",
    oauth: { accessToken: "a", refreshToken: "r", clientId: "c", clientSecret: "s" },
    onTokens: (t) => saved.push(t),
    rateLimit: { burst: 100, windowMs: 10_000 },
  });
  const created: GhlCreated = await ghl.createContact({ email: "a@b.co", customFields: [{ id: "f", fieldValue: "x" }] });
  const contact: GhlContact = await ghl.getContact(created.contact.id ?? "");
  const page: GhlSearchPage = await ghl.searchContacts({ pageLimit: 50, filters: [{ field: "email", operator: "eq", value: "a@b.co" }] });
  const pager = ghl.searchPages({ pageLimit: 100, sort: [{ field: "dateAdded", direction: "asc" }] });
  for (let p = await pager.next(); p; p = await pager.next()) void p.contacts.length;
  await ghl.createTask("c", { title: "Call", dueDate: "2026-01-01T00:00:00Z", completed: false });
  const tags: string[] = await ghl.addTags("c", ["vip"]);
  const dup: GhlContact | null = await ghl.findDuplicate("a@b.co", null);
  // @ts-expect-error: create needs title, dueDate and completed
  await ghl.createTask("c", { title: "Call" });
  // @ts-expect-error: bulk tag updates are add or remove
  await ghl.bulkUpdateTags("toggle", [], []);
  const verifier = new api.GhlWebhookVerifier({ ed25519Keys: ["-----BEGIN PUBLIC KEY-----..."] });
  const verified: GhlVerifiedWebhook = verifier.verify("{}", { "x-ghl-signature": "sig" });
  if (verified.event.type === "TaskCreate") {
    const contactId: string | undefined = verified.event.contactId;
    void contactId;
  }
  const parsed = api.parseGhlWebhook(new Uint8Array());
  void contact, page, tags, dup, parsed, saved;
  ghl.free();
}
void ghlUsage;
