// Outseta people with the phones real lists hold, generated deterministically, and what a
// correct engine makes of each (issue 21). The expectations are built from the parts the
// generator chose (country calling code and national significant number, or the class
// of junk written), never by asking the engine's normaliser.
import { person } from "./people.mjs";

/** A small deterministic PRNG (mulberry32), as people.mjs uses. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Why the engine refuses a value, in its own words (`PhoneError::reason`). */
export const REASONS = {
  junk: "not a phone number",
  impossible: "not a possible number for its country",
  local: "a local number without its area code",
};

const digits = (random, n) => Array.from({ length: n }, () => Math.floor(random() * 10)).join("");

// NANP: area codes that exist, 555-01xx lines (reserved for fiction).
const US_AREAS = ["212", "415", "312", "617", "206", "512", "303", "404", "713", "305"];
const CA_AREAS = ["416", "604", "514", "403", "613"];
function nanp(random, areas) {
  const area = areas[Math.floor(random() * areas.length)];
  const line = `01${digits(random, 2)}`;
  return { area, line, nsn: `${area}555${line}` };
}
const US_FORMS = [
  ({ area, line }) => `(${area}) 555-${line}`,
  ({ area, line }) => `${area}.555.${line}`,
  ({ area, line }) => `${area}555${line}`,
  ({ area, line }) => `${area}-555-${line}`,
  ({ area, line }) => `1-${area}-555-${line}`,
  ({ area, line }) => `1 (${area}) 555-${line}`,
  ({ area, line }) => ` ${area} 555 ${line} `,
];
const PLUS1_FORMS = [
  ({ area, line }) => `+1 ${area} 555 ${line}`,
  ({ area, line }) => `+1-${area}-555-${line}`,
  ({ area, line }) => `+1 (${area}) 555-${line}`,
  ({ area, line }) => `+1${area}555${line}`,
  ({ area, line }) => `+1.${area}.555.${line}`,
];
const EXTENSIONS = [" x123", " ext. 5", " ext 42", " x7", " extension 204", " #12", ",ext.9", " Ext. 31"];

/**
 * Countries whose people write their numbers nationally, each with the forms its
 * address may give the country in, its calling code, and national numbers as written
 * (with the trunk prefix where the country dials one) beside their significant part.
 */
const COUNTRIES = [
  {
    code: "GB", names: ["GB", "GBR", "United Kingdom", "UK", "England"], cc: "44",
    numbers: [
      (r) => { const d = digits(r, 3); return { written: `020 7946 0${d}`, nsn: `2079460${d}`, intl: `20 7946 0${d}` }; },
      (r) => { const d = digits(r, 3); return { written: `07700 900${d}`, nsn: `7700900${d}`, intl: `7700 900${d}` }; },
    ],
  },
  {
    code: "DE", names: ["DE", "DEU", "Germany"], cc: "49",
    numbers: [
      (r) => { const d = digits(r, 4); return { written: `030 90${d}`, nsn: `3090${d}`, intl: `30 90${d}` }; },
      (r) => { const d = digits(r, 4); return { written: `0151 2345${d}`, nsn: `1512345${d}`, intl: `151 2345${d}` }; },
    ],
  },
  {
    code: "FR", names: ["FR", "FRA", "France"], cc: "33",
    numbers: [
      (r) => { const d = digits(r, 2); return { written: `01 42 68 53 ${d}`, nsn: `1426853${d}`, intl: `1 42 68 53 ${d}` }; },
      (r) => { const d = digits(r, 2); return { written: `06 12 34 56 ${d}`, nsn: `6123456${d}`, intl: `6 12 34 56 ${d}` }; },
    ],
  },
  {
    code: "IN", names: ["IN", "IND", "India"], cc: "91",
    numbers: [
      (r) => { const d = digits(r, 4); return { written: `098765 4${d}`, nsn: `987654${d}`, intl: `98765 4${d}` }; },
      (r) => { const d = digits(r, 4); return { written: `98765 4${d}`, nsn: `987654${d}`, intl: `98765 4${d}` }; },
      // Delhi: the trunk 0 and the area code 11 look like NANP's international prefix.
      (r) => { const d = digits(r, 4); return { written: `011 2345 ${d}`, nsn: `112345${d}`, intl: `11 2345 ${d}` }; },
    ],
  },
  {
    code: "AU", names: ["AU", "AUS", "Australia"], cc: "61",
    numbers: [
      (r) => { const d = digits(r, 3); return { written: `(02) 9374 4${d}`, nsn: `293744${d}`, intl: `2 9374 4${d}` }; },
      (r) => { const d = digits(r, 3); return { written: `0412 345 ${d}`, nsn: `412345${d}`, intl: `412 345 ${d}` }; },
    ],
  },
  {
    code: "BR", names: ["BR", "BRA", "Brazil"], cc: "55",
    numbers: [
      (r) => { const d = digits(r, 4); return { written: `(11) 98765-${d}`, nsn: `1198765${d}`, intl: `11 98765-${d}` }; },
      (r) => { const d = digits(r, 4); return { written: `(21) 3456-${d}`, nsn: `213456${d}`, intl: `21 3456-${d}` }; },
    ],
  },
  {
    code: "MX", names: ["MX", "MEX", "Mexico"], cc: "52",
    numbers: [
      (r) => { const d = digits(r, 4); return { written: `55 1234 ${d}`, nsn: `551234${d}`, intl: `55 1234 ${d}` }; },
      (r) => { const d = digits(r, 4); return { written: `(81) 8123-${d}`, nsn: `818123${d}`, intl: `81 8123 ${d}` }; },
    ],
  },
  {
    code: "JP", names: ["JP", "JPN", "Japan"], cc: "81",
    numbers: [
      (r) => { const d = digits(r, 4); return { written: `03-1234-${d}`, nsn: `31234${d}`, intl: `3-1234-${d}` }; },
      (r) => { const d = digits(r, 4); return { written: `090-1234-${d}`, nsn: `901234${d}`, intl: `90-1234-${d}` }; },
    ],
  },
  {
    code: "IT", names: ["IT", "ITA", "Italy"], cc: "39",
    numbers: [
      // Italy keeps its leading 0 in the international form.
      (r) => { const d = digits(r, 4); return { written: `06 6982 ${d}`, nsn: `066982${d}`, intl: `06 6982 ${d}` }; },
      (r) => { const d = digits(r, 4); return { written: `333 123 ${d}`, nsn: `333123${d}`, intl: `333 123 ${d}` }; },
    ],
  },
];
const JUNK = ["n/a", "N/A", "call me", "123", "-", "none", "TBD", "0", "x", "no phone", "?", "see email"];
const US_COUNTRY = ["US", "USA", "United States", "United States of America", "us"];
const CA_COUNTRY = ["CA", "CAN", "Canada"];

const address = (random, country) => ({
  AddressLine1: `${100 + Math.floor(random() * 900)} Main St`, AddressLine2: null, AddressLine3: null,
  City: "Springfield", State: "", PostalCode: digits(random, 5), Country: country, GeoLocation: null,
  Uid: `MA${digits(random, 6)}`, Created: "2026-01-24T23:03:35.2226324Z", Updated: "2026-01-24T23:03:35.2226324Z",
});

/**
 * How each person's phones are written, with rough weights from real contact lists: most
 * people have a US mobile written nationally; a few in ten have something else.
 */
const SCENARIOS = [
  ["usNational", 27], ["usPlus1", 8], ["usExtension", 5], ["caNational", 3], ["foreignNational", 14],
  ["foreignInternational", 6], ["dial00", 3], ["dial011", 2], ["workOnly", 8], ["badMobileGoodWork", 6],
  ["junkOnly", 4], ["malformedOnly", 4], ["localOnly", 2], ["bothBad", 3], ["none", 5],
];
const TOTAL = SCENARIOS.reduce((s, [, w]) => s + w, 0);

/**
 * `n` Outseta people as GET /crm/people returns them, each with `expected`: what a
 * correct engine writes for it.
 *
 * `expected` is `{ outcome, phone?, from?, values }`: `outcome` is `"written"` (the
 * first non-empty phone field was read), `"fallback"` (PhoneWork, behind an unreadable
 * PhoneMobile), `"refused"` (every phone value unreadable; the person has an email),
 * `"noIdentity"` (no email and no readable phone) or `"none"` (no phone value at all);
 * `phone` the E.164 written and `from` the path it was read at; `values` each non-empty
 * phone value as `{ path, value, class }`, `class` being `valid` or a key of `REASONS`.
 */
export function phonePeople(n, seed = 21) {
  const random = rng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const out = [];
  for (let i = 0; i < n; i++) {
    const base = person(i, rng(seed * 100_003 + i));
    let roll = random() * TOTAL;
    const scenario = SCENARIOS.find(([, w]) => (roll -= w) < 0)?.[0] ?? "usNational";
    /** @type {{ value: string, class: string, e164?: string }[]} */
    const phones = [];
    let country = random() < 0.7 ? pick(US_COUNTRY) : null;
    const valid = (value, cc, nsn) => ({ value, class: "valid", e164: `+${cc}${nsn}` });
    const usValid = (forms = US_FORMS) => { const p = nanp(random, US_AREAS); return valid(pick(forms)(p), "1", p.nsn); };
    const foreign = (c) => { const num = pick(c.numbers)(random); return { c, num }; };
    const bad = () => {
      const kind = pick(["junk", "junk", "impossible", "impossible", "local"]);
      const p = nanp(random, US_AREAS);
      if (kind === "junk") return { value: pick(JUNK), class: "junk" };
      if (kind === "local") return { value: `555-${p.line}`, class: "local" };
      // Eleven digits after +1, or ten digits and a typo's extra one written nationally,
      // or a digit short.
      return {
        value: pick([`+1 ${p.area} 555 ${p.line}${digits(random, 1)}`, `+1 555 ${p.line} ${digits(random, 4)}`,
          `${p.area} 555 ${p.line}${digits(random, 1)}`, `+1 ${p.area} 555 ${p.line.slice(0, 3)}`]),
        class: "impossible",
      };
    };
    switch (scenario) {
      case "usNational": {
        phones.push(usValid());
        // Some have a work number too: the mobile is the one written.
        if (random() < 0.2) phones.push(usValid());
        break;
      }
      case "usPlus1": phones.push(usValid(PLUS1_FORMS)); break;
      case "usExtension": {
        const p = nanp(random, US_AREAS);
        phones.push(valid(`${pick([...US_FORMS, ...PLUS1_FORMS])(p).trim()}${pick(EXTENSIONS)}`, "1", p.nsn));
        break;
      }
      case "caNational": {
        const p = nanp(random, CA_AREAS);
        phones.push(valid(pick(US_FORMS)(p), "1", p.nsn));
        country = random() < 0.85 ? pick(CA_COUNTRY) : null;
        break;
      }
      case "foreignNational": {
        const { c, num } = foreign(pick(COUNTRIES));
        phones.push(valid(num.written, c.cc, num.nsn));
        country = pick(c.names);
        break;
      }
      case "foreignInternational": {
        const { c, num } = foreign(pick(COUNTRIES));
        const trunk = c.cc === "44" && random() < 0.3 ? `(0)${num.intl}` : num.intl;
        phones.push(valid(`+${c.cc} ${trunk}`, c.cc, num.nsn));
        country = random() < 0.5 ? null : pick(US_COUNTRY);
        break;
      }
      case "dial00": {
        const { c, num } = foreign(pick(COUNTRIES));
        phones.push(valid(`${pick(["00", "00 "])}${c.cc} ${num.intl}`, c.cc, num.nsn));
        country = random() < 0.5 ? null : pick([...US_COUNTRY, ...c.names]);
        break;
      }
      case "dial011": {
        const { c, num } = foreign(pick(COUNTRIES));
        phones.push(valid(`011 ${c.cc} ${num.intl}`, c.cc, num.nsn));
        country = random() < 0.5 ? null : pick(US_COUNTRY);
        break;
      }
      case "workOnly": phones.push({ value: "", class: "empty" }, usValid()); break;
      case "badMobileGoodWork": {
        phones.push(bad());
        if (random() < 0.7) phones.push(usValid());
        else {
          const { c, num } = foreign(pick(COUNTRIES));
          phones.push(valid(`+${c.cc} ${num.intl}`, c.cc, num.nsn));
        }
        break;
      }
      case "junkOnly": phones.push({ value: pick(JUNK), class: "junk" }); break;
      case "malformedOnly": {
        const p = nanp(random, US_AREAS);
        phones.push({ value: `+1 ${p.area} 555 ${p.line}${digits(random, 1)}`, class: "impossible" });
        break;
      }
      case "localOnly": {
        const p = nanp(random, US_AREAS);
        phones.push({ value: `555-${p.line}`, class: "local" });
        break;
      }
      case "bothBad": phones.push(bad(), bad()); break;
      default: break;
    }
    const [mobile = { value: "", class: "empty" }, work = { value: "", class: "empty" }] = phones;
    const email = random() < 0.05 ? pick(["", null]) : base.Email;
    const p = {
      ...base,
      Email: email,
      FullName: email ? base.FullName : `${base.FirstName} ${base.LastName.trim()}`,
      PhoneMobile: mobile.value,
      PhoneWork: work.value,
      MailingAddress: country === null ? (random() < 0.5 ? null : address(random, null)) : address(random, country),
    };
    const values = [
      { path: "$.PhoneMobile", ...mobile },
      { path: "$.PhoneWork", ...work },
    ].filter((v) => v.value.trim() !== "");
    const firstValid = values.findIndex((v) => v.class === "valid");
    const hasEmail = typeof email === "string" && email.trim() !== "";
    let outcome;
    if (firstValid >= 0) outcome = firstValid === 0 ? "written" : "fallback";
    else if (!hasEmail) outcome = "noIdentity";
    else outcome = values.length > 0 ? "refused" : "none";
    out.push({
      person: p,
      scenario,
      expected: {
        outcome,
        ...(firstValid >= 0 ? { phone: values[firstValid].e164, from: values[firstValid].path } : {}),
        values: values.map(({ path, value, class: cls }) => ({ path, value, class: cls })),
      },
    });
  }
  return out;
}
