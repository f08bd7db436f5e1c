// The bundled sample: Outseta people with the usual trouble (a duplicate under another
// address, a phone that is not one, a UK number without its country code, a person with
// neither email nor phone), the HighLevel contacts of the same business (some edited
// there since), and a generator of larger data sets.

/** @type {Record<string, unknown>[]} */
export const SAMPLE_OUTSETA = [
  {
    Uid: "DQ2DyknW", Email: "  Jane.Doe@Gmail.com ", FirstName: "Jane", LastName: "Doe ",
    PhoneMobile: "", PhoneWork: "(555) 010-2030", Timezone: "America/Chicago",
    MailingAddress: { AddressLine1: "12 Elm St", City: "Springfield", State: "IL", PostalCode: "62704" },
    Account: { Name: "Doe Design", AccountStage: 3 }, HasUnsubscribed: false,
    CoffeePreference: "Latte", Updated: "2026-11-20T10:00:00Z",
  },
  {
    Uid: "L9aPq2mX", Email: "janedoe+vip@gmail.com", FirstName: "Jane", LastName: "Doe",
    PhoneMobile: "+1 555 010 2030", Account: { Name: "Doe Design", AccountStage: 2 },
    Updated: "2026-11-02T08:30:00Z",
  },
  {
    Uid: "Sm7Lee01", Email: "sam.lee@example.com", FirstName: "Sam", LastName: "Lee",
    PhoneMobile: "call me", Account: { Name: "Lee & Co", AccountStage: 3 },
    Updated: "2026-11-18T12:00:00Z",
  },
  {
    Uid: "Pr1yaP4t", Email: "Priya.Patel@example.co.uk", FirstName: "Priya", LastName: "Patel",
    PhoneWork: "020 7946 0958", Timezone: "Europe/London",
    MailingAddress: { AddressLine1: "221B Baker Street", City: "London", PostalCode: "NW1 6XE" },
    Account: { Name: "Patel Labs", AccountStage: 7 }, Updated: "2026-11-21T09:15:00Z",
  },
  {
    Uid: "Cr9uizZ1", Email: "carlos@ruiz.mx", FirstName: "Carlos", LastName: "Ruiz",
    PhoneMobile: "+52 55 1234 5678", Account: { Name: "Ruiz SA", AccountStage: 2 },
    HasUnsubscribed: true, Updated: "2026-11-10T16:00:00Z",
  },
  {
    Uid: "MeiChen7", Email: "mei.chen@example.com", FirstName: "Mei", LastName: "Chen",
    PhoneMobile: "+1 (415) 555-0134", Account: { Name: "Chen Partners", AccountStage: 3 },
    Updated: "2026-11-25T11:00:00Z",
  },
  { Uid: "N0Cont4c", FirstName: "Alex", LastName: "Nobody", Updated: "2026-10-01T00:00:00Z" },
  {
    Uid: "TomB4ker", Email: "tom@baker.io", FirstName: "Tom", LastName: "Baker",
    PhoneMobile: "+1 212 555 0199", Account: { Name: "Baker IO", AccountStage: 5 },
    Updated: "2026-11-01T07:45:00Z",
  },
];

/** The same business in HighLevel: Jane renamed there later, Mei's old surname, Omar only there. */
/** @type {Record<string, unknown>[]} */
export const SAMPLE_GHL = [
  {
    id: "ghlJane001", locationId: "ve9EPM428h8vShlRW1KT", email: "jane.doe@gmail.com",
    firstName: "Janet", lastName: "Doe", phone: "+15550102030", tags: ["newsletter"],
    dateAdded: "2026-01-05T10:00:00Z", dateUpdated: "2026-11-22T10:00:00Z",
  },
  {
    id: "ghlMei0002", locationId: "ve9EPM428h8vShlRW1KT", email: "mei.chen@example.com",
    firstName: "Mei", lastName: "Chan", phone: "+14155550134", tags: [],
    dateAdded: "2026-02-05T10:00:00Z", dateUpdated: "2026-11-03T10:00:00Z",
  },
  {
    id: "ghlTom0003", locationId: "ve9EPM428h8vShlRW1KT", email: "tom@baker.io",
    firstName: "Tom", lastName: "Baker", phone: "+12125550199", tags: ["outseta:expired"],
    dateAdded: "2026-03-05T10:00:00Z", dateUpdated: "2026-11-01T07:45:00Z",
  },
  {
    id: "ghlOmar004", locationId: "ve9EPM428h8vShlRW1KT", email: "omar@haddad.dev",
    firstName: "Omar", lastName: "Haddad", phone: "+16175550111", tags: ["lead"],
    dateAdded: "2026-04-05T10:00:00Z", dateUpdated: "2026-11-12T10:00:00Z",
  },
];

const FIRST = ["Ann", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena", "Milo", "Nia", "Otto", "Pia"];
const LAST = ["Smith", "Jones", "Brown", "Garcia", "Miller", "Davis", "Lopez", "Wilson", "Moore", "Clark", "Lewis", "Young"];

/**
 * `count` generated Outseta people, deterministic: every 10th a near-duplicate of the one
 * before (a gmail `+tag` address, the same phone), every 50th with a phone that is not one.
 * @param {number} count
 * @returns {Record<string, unknown>[]}
 */
export function generatePeople(count) {
  const people = [];
  for (let i = 0; i < count; i++) {
    const base = i % 10 === 9 ? i - 1 : i;
    const first = FIRST[base % FIRST.length];
    const last = LAST[Math.floor(base / FIRST.length) % LAST.length];
    const local = `${first}.${last}${base}`.toLowerCase();
    people.push({
      Uid: `gen${String(i).padStart(6, "0")}`,
      Email: i === base ? `${local}@gmail.com` : `${local.replace(".", "")}+promo@gmail.com`,
      FirstName: first,
      LastName: last,
      PhoneMobile: i % 50 === 49 ? "n/a" : `+1 555 ${String(1000000 + base).slice(1, 4)} ${String(10000 + (base % 10000)).slice(1)}`,
      Account: { AccountStage: 2 + (base % 4) },
      Updated: "2026-11-20T10:00:00Z",
    });
  }
  return people;
}
