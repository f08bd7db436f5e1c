// Compiles only if index.d.ts describes the API as users call it, and if the generated
// bindings export every function index.d.ts declares.
import * as api from "outseta-ghl-sync";
import type {
  DedupConfig,
  DedupLinkResult,
  DedupReport,
  ErrorCode,
  GhlContactPayload,
  MapResult,
  OutsetaGhlSyncError,
  OutsetaAccount,
  OutsetaActivity,
  OutsetaPage,
  OutsetaPersonRecord,
  OutsetaPropertyDefinition,
  OutsetaWebhookEvent,
  ImportProgress,
  ImportReport,
  ReconcileReport,
  SyncRun,
  SyncStore,
} from "outseta-ghl-sync";
import * as generated from "../../pkg/wasm/outseta_ghl_sync.js";

// Everything but runStep (pkg/step.js, plain JS over the others) comes from the wasm.
const declared: {
  [K in keyof Omit<typeof api, "runStep">]: ((...args: never[]) => unknown) | (abstract new (...args: never[]) => unknown);
} = generated;
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

// ---- mapping spec, merge and Plan ----
import type { MappingSpec, MergeResult, PairPlan, PreviewResult, MappingProblem, Operation } from "outseta-ghl-sync";
const spec: MappingSpec = {
  version: 1,
  defaultRegion: "GB",
  fields: [
    { outseta: ["PhoneMobile", "PhoneWork"], ghl: "phone", transforms: ["trim", { e164: { defaultRegion: "GB" } }] },
    { outseta: "Account.AccountStage", ghl: "customFields.contact.plan", direction: "toGhl", transforms: [{ map: { values: { "2": "Trial" } } }] },
    { outseta: "Created", ghl: "dateOfBirth", transforms: [{ date: { from: "auto", to: "YYYY-MM-DD" } }] },
  ],
  tags: [{ when: { any: [{ field: "Account.AccountStage", in: [2, 8] }, { not: { field: "Email", exists: true } }] }, add: ["trial"] }],
};
const previews: PreviewResult[] = api.previewMapping([{ Email: "a@b.co" }], spec, { direction: "toGhl", context: { locationId: "l" } });
const problems: MappingProblem[] = api.validateMapping(spec, { ghlCustomFields: [{ id: "x", fieldKey: "contact.plan" }] }).problems;
const merged: MergeResult = api.mergeContact(null, { fields: { email: "a@b.co" } }, { fields: {}, tags: ["vip"] }, { default: "review", clockSkewMs: 0 });
const plans: PairPlan[] = api.planSync({ pairs: [{ outseta: { Email: "a@b.co" } }], policy: { fields: { email: { strategy: "ghlWins", neverErase: false } } } });
const text: string = api.planSyncJson(JSON.stringify({ pairs: [] }));
for (const op of plans[0]?.operations ?? []) {
  const o: Operation = op;
  if (o.op === "Review") {
    const field: string = o.conflict.field;
    void field;
  }
}
const builtIn: MappingSpec = api.defaultMapping();
// @ts-expect-error: directions are toGhl / toOutseta
api.previewMapping([], null, { direction: "up" });
// @ts-expect-error: a spec needs a version
const noVersion: MappingSpec = { fields: [] };
void previews, problems, merged, text, builtIn, noVersion;
// Dedup: Outseta People and GHL contacts in one batch, or its JSON text.
const config: DedupConfig = { defaultRegion: "GB", thresholds: { match: 9 }, blocking: { maxBlockSize: 32 }, dobFields: ["Birthday"] };
const report: DedupReport = api.findDuplicates(
  [{ Uid: "o1", Email: "a@b.co", MailingAddress: { PostalCode: "SW1A 1AA" } }, { id: "g1", email: "a@b.co", dateOfBirth: 479001600000 }],
  config,
);
const firstCluster: string[] | undefined = report.clusters[0];
const rule: string | undefined = report.explanations[0]?.rule;
const scoring: number = report.stats.timingsMs.scoring;
api.findDuplicates("[]");
const index = new api.DedupIndex({ shape: "ghl" });
index.add([{ id: "g1", email: "a@b.co" }]);
const decision: "match" | "possible" | "nonmatch" = index.query({ Email: "a@b.co" }).decision;
const links: DedupLinkResult[] = index.link([{ Uid: "o1", Email: "a@b.co" }], { allowDuplicateContact: false, primaryField: "phone" });
const size: number = index.size;
index.free();
// @ts-expect-error: thresholds are numbers
api.findDuplicates([], { thresholds: { match: "high" } });
// @ts-expect-error: a shape is one of four names
api.findDuplicates([], { shape: "xml" });
void firstCluster, rule, scoring, decision, links, size;
// The Outseta client: typed records and queries, Promises, coded errors.
async function outsetaUsage(): Promise<void> {
  const client = new api.OutsetaClient({ baseUrl: "http://127.0.0.1:8000/api/v1", apiKey: "k", secretKey: "s" });
  const base: string = client.baseUrl;
  const tuned = new api.OutsetaClient({ subdomain: "acme", apiKey: "k", secretKey: "s", rateLimit: true, retry: { maxAttempts: 3, baseDelayMs: 100 }, timeoutMs: null });
  const retries: number = tuned.stats().retries;
  // @ts-expect-error: the retry options are numbers
  new api.OutsetaClient({ subdomain: "acme", apiKey: "k", secretKey: "s", retry: { maxAttempts: "3" } });
  const page: OutsetaPage<OutsetaPersonRecord> = await client.listPeople({ offset: 1, limit: 100, filters: { Updated__gte: "2024-01-01" } });
  const total: number = page.metadata.total;
  const everyone: OutsetaPersonRecord[] = await client.listAllPeople();
  const created = await client.createPerson({ Email: "a@b.co", CoffeePreference: "Latte" });
  const updated: OutsetaPersonRecord = await client.updatePerson(created.Uid ?? "", { FirstName: "Ann" });
  const found: OutsetaPersonRecord | null = await client.findPersonByEmail("A@B.co");
  const account: OutsetaAccount = await client.createAccount({ Name: "Acme", PersonAccount: [{ Person: { Email: "a@b.co" }, IsPrimary: true }] });
  const stage: number | undefined = account.AccountStage;
  const activity: OutsetaActivity = await client.createCustomActivity({ Title: "Onboarding: book a call", EntityType: 2, EntityUid: "p1", ActivityData: "{}" });
  const defs: OutsetaPropertyDefinition[] | null = await client.propertyDefinitions("Person");
  await client.deletePerson("p1");
  const event: OutsetaWebhookEvent = api.parseOutsetaWebhook("person-updated", "{}", "sha256=00", "00".repeat(32));
  api.verifyOutsetaSignature("00".repeat(32), new Uint8Array([123, 125]), null);
  // @ts-expect-error: the EntityType of a custom activity is 1, 2 or 3
  await client.createCustomActivity({ Title: "x", EntityType: 4, EntityUid: "p1" });
  // @ts-expect-error: the key pair is required
  new api.OutsetaClient({ subdomain: "acme" });
  client.free();
  void base, retries, total, everyone, updated, found, stage, activity, defs, event;
}
void outsetaUsage;
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

async function syncUsage(): Promise<void> {
  const map = new Map<string, string>();
  const store: SyncStore = {
    get: (k) => map.get(k) ?? null,
    put: (k, v) => void map.set(k, v),
    putIfAbsent: async (k, v) => (map.has(k) ? false : (map.set(k, v), true)),
    delete: (k) => map.delete(k),
    list: (p) => [...map].filter(([k]) => k.startsWith(p)),
  };
  const conformance = await api.runStoreConformance(store);
  const engine = new api.SyncEngine({
    ghl: { locationId: "loc", token: "t" },
    outseta: { subdomain: "acme", apiKey: "k", secretKey: "s" },
    store,
    webhooks: { outsetaSigningKey: "00".repeat(32) },
    options: { deletePolicy: "tag", onboarding: [{ title: "Welcome call" }], concurrency: 8 },
  });
  const run: SyncRun = await engine.handleOutsetaWebhook("person-updated", "{}", { "x-hub-signature-256": "sha256=00" });
  const firstOp = run.pairs[0]?.plan.operations[0]?.op;
  const imported: ImportReport = await engine.bulkImport({ dryRun: true }, (p: ImportProgress) => p.done < 100);
  const report: ReconcileReport = await engine.reconcile({ repair: true, dryRun: true, html: true });
  const entries = (await engine.timeline({ ghlId: "c1" })).entries.map((e) => `${e.source}:${e.kind}`);
  // @ts-expect-error: the delete policies are ignore, unlink, tag and delete
  new api.SyncEngine({ ghl: { locationId: "l", token: "t" }, outseta: { subdomain: "a", apiKey: "k", secretKey: "s" }, options: { deletePolicy: "purge" } });
  void conformance.failures, firstOp, imported.summary.created, report.counts.driftedPairs, entries, engine.stats().ghl;
  engine.free();
}
void syncUsage;
