// Realistic Outseta People (and the GHL contacts they become), generated
// deterministically: shared by the DTO schema test and benches/merge.bench.mjs.
const FIRST = ["Jane", "Omar", "Li", "Sofía", "Amara", "Lukas", "Priya", "Noah", "Chloé", "Kenji"];
const LAST = ["Doe", "Haddad", "Wei", "García", "Okafor", "Müller", "Patel", "Smith", "Martin", "Sato"];
const CITIES = [["Austin", "TX", "78701"], ["Denver", "CO", "80202"], ["Boston", "MA", "02108"], ["Seattle", "WA", "98101"]];

/** A small deterministic PRNG (mulberry32), so every run sees the same records. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An Outseta Person as GET /crm/people returns it (../shared/specs/outseta/NOTES.md §5). */
export function person(i, random = rng(i + 1)) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const first = pick(FIRST);
  const last = pick(LAST);
  const [city, state, zip] = pick(CITIES);
  const phone = `+1 ${200 + (i % 700)} 555 ${String(i % 10000).padStart(4, "0")}`;
  return {
    _objectType: "Person",
    Uid: `P${String(i).padStart(7, "0")}`,
    Email: ` ${first}.${last}${i}@Example.com `,
    FirstName: first,
    LastName: `${last} `,
    FullName: `${first} ${last}`,
    PhoneMobile: i % 3 === 0 ? "" : phone,
    PhoneWork: i % 3 === 0 ? phone : "",
    Title: i % 5 === 0 ? "Founder" : null,
    Timezone: "America/Chicago",
    Language: "en",
    MailingAddress: i % 4 === 0 ? null : { AddressLine1: `${100 + (i % 900)} Main St`, City: city, State: state, PostalCode: zip, Country: "US", Uid: `A${i}` },
    HasUnsubscribed: i % 17 === 0,
    OptInToEmailList: true,
    Account: { Uid: `AC${i}`, Name: `${last} Co`, AccountStage: 2 + (i % 8) },
    PersonAccount: [],
    CoffeePreference: pick(["Latte", "Mocha", "Espresso", ""]),
    Created: "2026-01-24T23:03:35.2226324Z",
    Updated: `2026-11-${String(1 + (i % 27)).padStart(2, "0")}T16:02:11`,
  };
}

export const CONTEXT = {
  ghlCustomFields: [{ id: "cfCoffee01", fieldKey: "contact.coffee_preference", dataType: "TEXT", name: "Coffee preference" }],
  locationId: "ve9EPM428h8vShlRW1KT",
};

/** The GHL contact a person was synced to, with edits on some of them. */
export function ghlContact(p, i) {
  const email = p.Email.trim().toLowerCase();
  return {
    id: `G${String(i).padStart(7, "0")}`,
    locationId: CONTEXT.locationId,
    email: i % 10 === 1 ? `changed.${email}` : email,
    firstName: p.FirstName,
    lastName: p.LastName.trim(),
    phone: (p.PhoneMobile || p.PhoneWork).replace(/[^\d+]/g, ""),
    city: p.MailingAddress?.City ?? null,
    timezone: p.Timezone,
    tags: i % 7 === 0 ? ["vip", "webinar"] : ["vip"],
    customFields: p.CoffeePreference ? [{ id: "cfCoffee01", value: p.CoffeePreference }] : [],
    dateAdded: "2026-01-25T00:00:00.000Z",
    dateUpdated: `2026-11-${String(1 + (i % 27)).padStart(2, "0")}T18:00:00.000Z`,
  };
}

/** What a GHL contact looks like once a plan's GHL operations have run on it. */
export function applyToGhl(contact, operations) {
  const out = { ...contact, tags: [...(contact.tags ?? [])] };
  for (const op of operations) {
    if (op.op === "UpdateContact" && op.system === "ghl") {
      const { customFields, ...rest } = op.changes;
      Object.assign(out, rest);
      if (customFields) {
        const byId = new Map((out.customFields ?? []).map((f) => [f.id, f]));
        for (const f of customFields) byId.set(f.id, { id: f.id, value: f.field_value });
        out.customFields = [...byId.values()];
      }
    } else if (op.op === "AddTags") {
      out.tags = [...new Set([...out.tags, ...op.tags])];
    } else if (op.op === "RemoveTags") {
      out.tags = out.tags.filter((t) => !op.tags.includes(t));
    }
  }
  return out;
}

/**
 * One batch of the Plan benches' steady state: every pair was linked by an earlier run
 * (`planSync`, passed in so a bench can use any build); since then about a third of the
 * people changed in Outseta, a tenth changed email in GHL, some changed stage.
 */
export function steadyStateBatch(planSync, start, size) {
  const people = Array.from({ length: size }, (_, k) => person(start + k));
  const ghl = people.map((p, k) => ghlContact(p, start + k));
  const linked = planSync({ context: CONTEXT, pairs: people.map((p, k) => ({ outseta: p, ghl: ghl[k] })) });
  const pairs = people.map((p, k) => {
    const i = start + k;
    const outseta = i % 3 === 0 ? { ...p, FirstName: `${p.FirstName}-${i}`, Updated: "2026-11-27T09:00:00Z" } : p;
    if (i % 11 === 0) outseta.Account = { ...p.Account, AccountStage: 3 };
    const current = applyToGhl(ghl[k], linked[k].operations);
    if (i % 10 === 5) current.email = `moved.${i}@example.org`;
    return { outseta, ghl: current, state: linked[k].state };
  });
  return { people, input: { context: CONTEXT, pairs } };
}
