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
  const code: "INPUT_INVALID" | "MAPPING_NO_IDENTITY" | "CONFIG_INVALID" | "INTERNAL" = coded.code;
  void code;
}
// @ts-expect-error: a person is an object, not an email string
api.mapContact("jane@example.com");
// @ts-expect-error: the batch takes an array
api.mapContacts({ Email: "a@b.co" });

void version, contact;

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
