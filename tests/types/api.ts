// Compiles only if index.d.ts describes the API as users call it, and if the generated
// bindings export every function index.d.ts declares.
import * as api from "outseta-ghl-sync";
import type {
  ErrorCode,
  GhlContactPayload,
  MapResult,
  OutsetaAccount,
  OutsetaActivity,
  OutsetaGhlSyncError,
  OutsetaPage,
  OutsetaPersonRecord,
  OutsetaPropertyDefinition,
  OutsetaWebhookEvent,
} from "outseta-ghl-sync";
import * as generated from "../../pkg/wasm/outseta_ghl_sync.js";

const declared: {
  [K in keyof typeof api]: ((...args: never[]) => unknown) | (abstract new (...args: never[]) => unknown);
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
  void code;
}
// @ts-expect-error: a person is an object, not an email string
api.mapContact("jane@example.com");
// @ts-expect-error: the batch takes an array
api.mapContacts({ Email: "a@b.co" });

void version, contact;

// The Outseta client: typed records and queries, Promises, coded errors.
async function outsetaUsage(): Promise<void> {
  const client = new api.OutsetaClient({ baseUrl: "http://127.0.0.1:8000/api/v1", apiKey: "k", secretKey: "s" });
  const base: string = client.baseUrl;
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
  void base, total, everyone, updated, found, stage, activity, defs, event;
}
void outsetaUsage;
