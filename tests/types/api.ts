// Compiles only if index.d.ts describes the API as users call it, and if the generated
// bindings export every function index.d.ts declares.
import * as api from "outseta-ghl-sync";
import type { ErrorCode, GhlContactPayload, MapResult, OutsetaGhlSyncError } from "outseta-ghl-sync";
import * as generated from "../../pkg/wasm/outseta_ghl_sync.js";

const declared: { [K in keyof typeof api]: (...args: never[]) => unknown } = generated;
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
  const code: "INPUT_INVALID" | "MAPPING_NO_IDENTITY" | "INTERNAL" = coded.code;
  void code;
}
// @ts-expect-error: a person is an object, not an email string
api.mapContact("jane@example.com");
// @ts-expect-error: the batch takes an array
api.mapContacts({ Email: "a@b.co" });

void version, contact;
