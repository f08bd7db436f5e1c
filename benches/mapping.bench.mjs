// mapContacts: the wasm core mapping a batch with the built-in spec, boundary crossing included, against the
// same rules written directly in JavaScript. Both outputs are checked equal first.
import { deepStrictEqual } from "node:assert";
import { mapContacts } from "outseta-ghl-sync";

const N = 10_000;
const ROUNDS = 15;

const people = Array.from({ length: N }, (_, i) => ({
  Uid: `u${i}`,
  Email: `  Person.${i}@Example.COM `,
  FirstName: ` First${i}`,
  LastName: `Last${i} `,
  PhoneMobile: i % 2 ? "" : `+1 555 01${String(i).padStart(5, "0")}`,
  PhoneWork: `+1 555 02${String(i).padStart(5, "0")}`,
  CoffeePreference: "Latte",
}));

// The built-in rules (src/mapping), in plain JS: the baseline a user could hand-write.
function mapInJs(list) {
  return list.map((p) => {
    const contact = {};
    const email = (p.Email ?? "").trim().toLowerCase();
    if (email) contact.email = email;
    const first = (p.FirstName ?? "").trim();
    if (first) contact.firstName = first;
    const last = (p.LastName ?? "").trim();
    if (last) contact.lastName = last;
    // E.164 as the built-in spec does; a regex suffices for these already-international numbers.
    const phone = ((p.PhoneMobile ?? "").trim() || (p.PhoneWork ?? "").trim()).replace(/[^\d+]/g, "");
    if (phone) contact.phone = phone;
    return { ok: true, contact };
  });
}

function median(fn) {
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
}

// Not timed unless both produce the same records.
deepStrictEqual(mapContacts(people), mapInJs(people));
const wasm = median(() => mapContacts(people));
const js = median(() => mapInJs(people));

console.log(
  `| mapContacts, ${N.toLocaleString("en")} people (median of ${ROUNDS}) | wasm ${wasm.toFixed(1)} ms | plain JS ${js.toFixed(1)} ms | ${(wasm / js).toFixed(2)} |`,
);
