// Realistic labelled contacts for dedup tests and benchmarks, from a fixed seed.
//
// People are drawn from skewed name pools (so common names make big blocks) with dates of
// birth, emails at several providers, phones from six countries and postal addresses.
// About a third of them are entered more than once, as an Outseta Person or a GHL contact,
// each copy damaged the way CRM data is: typos and transpositions, swapped first and last
// names, nicknames and initials, accents and case, gmail dots and +tags, phones in
// national, international, 011- and (0)-forms or with an extension, dates of birth in other
// formats or one typo off, abbreviated streets, and missing fields (no email and no phone
// at all, sometimes). Households (same surname, address and often phone, different
// first name and birthday) are the hard negatives. A duplicate always keeps at least one
// of: its email, its phone, its date of birth, or its street address; one that kept none
// could not be told from a namesake by anyone.
//
//   generate({ n, seed }) -> { records, entityOf: Map<id, entity> }
//   pairScore(clusters, entityOf) -> { precision, recall, f1, truePairs, predictedPairs, correctPairs }

const FIRST = [
  "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
  "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
  "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Margaret", "Anthony", "Betty", "Donald", "Sandra",
  "Steven", "Ashley", "Andrew", "Kimberly", "Kenneth", "Emily", "Joshua", "Donna", "Kevin", "Michelle",
  "Brian", "Dorothy", "George", "Carol", "Edward", "Amanda", "Ronald", "Melissa", "Timothy", "Deborah",
  "Jason", "Stephanie", "Jeffrey", "Rebecca", "Ryan", "Laura", "Jacob", "Sharon", "Gary", "Cynthia",
  "Nicholas", "Kathleen", "Eric", "Amy", "Jonathan", "Shirley", "Stephen", "Angela", "Larry", "Helen",
  "Justin", "Anna", "Scott", "Brenda", "Brandon", "Pamela", "Benjamin", "Nicole", "Samuel", "Samantha",
  "Gregory", "Katherine", "Frank", "Christine", "Alexander", "Debra", "Raymond", "Rachel", "Patrick", "Catherine",
  "José", "María", "François", "Zoë", "Søren", "Łukasz", "Björn", "Chloé", "Jürgen", "Renée",
  "Siobhan", "Aoife", "Priya", "Arjun", "Mei", "Hiroshi", "Olga", "Dmitri", "Fatima", "Omar",
  "Ingrid", "Lars", "Giulia", "Matteo", "Lucía", "Mateo", "Amélie", "Théo", "Nadia", "Yusuf",
  "Hannah", "Noah", "Emma", "Liam", "Olivia", "Ethan", "Ava", "Mason", "Sophia", "Logan",
  "Isabella", "Lucas", "Mia", "Aiden", "Charlotte", "Elijah", "Amelia", "Oliver", "Harper", "Caleb",
];
const LAST = [
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
  "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
  "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
  "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
  "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
  "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
  "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
  "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
  "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
  "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
  "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
  "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Rousseau", "Bonnet", "Dupont", "Lambert", "Fontaine",
  "O'Brien", "O'Connor", "McCarthy", "Ó Súilleabháin", "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński",
  "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
  "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson",
  "Sharma", "Singh", "Kumar", "Gupta", "Reddy", "Tanaka", "Suzuki", "Takahashi", "Watanabe", "Yamamoto",
  "Ivanov", "Petrov", "Smirnov", "Popov", "Sokolov", "Hansen", "Jensen", "Nielsen", "Pedersen", "Christensen",
  "Abernathy", "Blackwood", "Calloway", "Dunleavy", "Ellsworth", "Fairbanks", "Galloway", "Hargreaves", "Inglewood", "Jessup",
  "Kingsley", "Lockhart", "Montgomery", "Northcott", "Oakley", "Pemberton", "Quigley", "Rutherford", "Sutherland", "Thornton",
  "Underwood", "Vanderbilt", "Whitaker", "Yardley", "Zimmerman", "Ashford", "Bramwell", "Cartwright", "Davenport", "Eastwood",
];
const NICK = {
  Robert: ["Bob", "Rob", "Bobby"], William: ["Bill", "Will", "Billy"], James: ["Jim", "Jimmy"],
  John: ["Jack", "Johnny"], Michael: ["Mike", "Mikey"], Richard: ["Rick", "Dick"], Thomas: ["Tom", "Tommy"],
  Joseph: ["Joe", "Joey"], David: ["Dave"], Daniel: ["Dan", "Danny"], Christopher: ["Chris"],
  Matthew: ["Matt"], Anthony: ["Tony"], Steven: ["Steve"], Samuel: ["Sam"], Alexander: ["Alex"],
  Andrew: ["Andy", "Drew"], Benjamin: ["Ben"], Nicholas: ["Nick"], Edward: ["Ed", "Ted"],
  Charles: ["Charlie", "Chuck"], Gregory: ["Greg"], Jeffrey: ["Jeff"], Ronald: ["Ron"], Donald: ["Don"],
  Timothy: ["Tim"], Kenneth: ["Ken"], Patrick: ["Pat"], Elizabeth: ["Liz", "Beth", "Betty"],
  Katherine: ["Kate", "Katie", "Kathy"], Margaret: ["Maggie", "Peggy"], Jennifer: ["Jen", "Jenny"],
  Susan: ["Sue"], Rebecca: ["Becky"], Deborah: ["Debbie"], Sandra: ["Sandy"], Patricia: ["Patty", "Trish"],
  Jessica: ["Jess"], Pamela: ["Pam"], Kimberly: ["Kim"], Amanda: ["Mandy"], Samantha: ["Sammie"],
};
const STREETS = ["Main", "Oak", "Maple", "Cedar", "Elm", "Pine", "Washington", "Lake", "Hill", "Park",
  "Church", "High", "Mill", "Station", "Victoria", "Green", "Manor", "Kings", "Queens", "Bridge",
  "Sunset", "Lincoln", "Jackson", "River", "Forest", "Meadow", "Spring", "Willow", "Chestnut", "Walnut"];
const STREET_TYPES = [["Street", "St"], ["Avenue", "Ave"], ["Road", "Rd"], ["Lane", "Ln"], ["Drive", "Dr"], ["Boulevard", "Blvd"], ["Court", "Ct"]];
const CITIES = ["Springfield", "Riverside", "Franklin", "Greenville", "Bristol", "Clinton", "Fairview", "Salem",
  "Madison", "Georgetown", "Arlington", "Ashland", "Dover", "Oxford", "Jackson", "Burlington", "Manchester",
  "Milton", "Newport", "Auburn", "Dayton", "Lexington", "Milford", "Winchester", "Cambridge", "Kingston"];
const PROVIDERS = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com",
  "proton.me", "fastmail.com", "example.org", "acme-corp.com", "northwind.io", "globex.net"];

// mulberry32: small, fast, seedable.
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  // Skewed choice: early entries are much more common (common names make big blocks).
  const skewed = (list) => list[Math.floor(list.length * next() ** 2.2)];
  const chance = (p) => next() < p;
  const digits = (n) => Array.from({ length: n }, () => int(10)).join("");
  return { next, int, pick, skewed, chance, digits };
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

function makePhone(r) {
  const u = r.next();
  if (u < 0.6) return { cc: "1", nsn: `${2 + r.int(8)}${r.digits(2)}${2 + r.int(8)}${r.digits(6)}`, country: "US" };
  if (u < 0.75) return { cc: "44", nsn: r.chance(0.5) ? `20${r.digits(8)}` : `7${r.digits(9)}`, country: "GB" };
  if (u < 0.85) return { cc: "49", nsn: r.chance(0.5) ? `30${r.digits(8)}` : `15${1 + r.int(3)}${r.digits(8)}`, country: "DE" };
  if (u < 0.9) return { cc: "33", nsn: `6${r.digits(8)}`, country: "FR" };
  if (u < 0.95) return { cc: "91", nsn: `9${r.digits(9)}`, country: "IN" };
  return { cc: "61", nsn: `4${r.digits(8)}`, country: "AU" };
}

// One written form of a phone; the default region in tests is US.
function writePhone(r, p, variety) {
  const { cc, nsn } = p;
  const spaced = nsn.replace(/(\d{3})(\d{3})(\d+)/, "$1 $2 $3");
  const forms = [
    () => `+${cc}${nsn}`,
    () => `+${cc} ${spaced}`,
    // The default region in tests is US: its international prefix is 011 (00 elsewhere).
    () => `011 ${cc} ${spaced}`,
    () => `+${cc}-${nsn.slice(0, 3)}-${nsn.slice(3, 6)}-${nsn.slice(6)}`,
  ];
  if (cc === "1") {
    forms.push(() => `(${nsn.slice(0, 3)}) ${nsn.slice(3, 6)}-${nsn.slice(6)}`);
    forms.push(() => `${nsn.slice(0, 3)}.${nsn.slice(3, 6)}.${nsn.slice(6)}`);
    forms.push(() => `1-${nsn.slice(0, 3)}-${nsn.slice(3, 6)}-${nsn.slice(6)}`);
  } else if (cc === "44" || cc === "49" || cc === "33" || cc === "61") {
    forms.push(() => `+${cc} (0)${spaced}`);
  }
  let text = variety ? r.pick(forms)() : forms[0]();
  if (variety && r.chance(0.08)) text += r.pick([" ext. 12", " x204", " ext 7"]);
  return text;
}

function typo(r, word) {
  if (word.length < 3) return word;
  const i = 1 + r.int(word.length - 2);
  const chars = [...word];
  switch (r.int(4)) {
    case 0: // transposition
      [chars[i], chars[i + 1]] = [chars[i + 1] ?? chars[i], chars[i]];
      return chars.join("");
    case 1: // deletion
      chars.splice(i, 1);
      return chars.join("");
    case 2: // substitution with a keyboard-ish neighbour
      chars[i] = r.pick([..."aeiounrstl"]);
      return chars.join("");
    default: // doubled letter
      chars.splice(i, 0, chars[i]);
      return chars.join("");
  }
}

const stripAccents = (s) => s.normalize("NFKD").replace(/\p{M}/gu, "");

// Email addresses belong to one person (Outseta even enforces it): a taken one gets a number.
function uniqueEmail(r, used, local, provider) {
  let email = `${local}@${provider}`;
  while (used.has(email.replace(/\./g, ""))) email = `${local}${r.int(10000)}@${provider}`;
  used.add(email.replace(/\./g, ""));
  return email;
}

function makePerson(r, n, used, overrides = {}) {
  const first = r.skewed(FIRST);
  const last = overrides.last ?? r.skewed(LAST);
  const year = 1940 + r.int(66);
  const dob = r.chance(0.8) ? `${year}-${pad(1 + r.int(12))}-${pad(1 + r.int(28))}` : null;
  const provider = r.pick(PROVIDERS);
  const local = `${stripAccents(first).toLowerCase()}.${stripAccents(last).toLowerCase().replace(/[^a-z]/g, "")}${r.chance(0.7) ? r.int(1000) : ""}`;
  const email = r.chance(0.85) ? uniqueEmail(r, used, local, provider) : null;
  const phone = overrides.phone !== undefined ? overrides.phone : r.chance(0.8) ? { ...makePhone(r), variety: r.chance(0.5) } : null;
  const street = r.pick(STREET_TYPES);
  const address = overrides.address ?? (r.chance(0.75)
    ? { number: 1 + r.int(9999), street: r.pick(STREETS), type: street, city: r.pick(CITIES), postcode: pad(r.int(100000), 5) }
    : null);
  return { n, first, last, dob, email, phone, address };
}

// A damaged copy of a person, as one more record of the same entity.
function corrupt(r, p, used) {
  for (let attempt = 0; ; attempt++) {
    const c = { ...p };
    const kept = { email: false, phone: false, dob: false, address: false };
    // Email
    if (p.email) {
      const u = r.next();
      if (u < 0.5) { c.email = r.chance(0.3) ? ` ${p.email.toUpperCase()}` : p.email; kept.email = true; }
      else if (u < 0.62 && p.email.endsWith("@gmail.com")) {
        const [local] = p.email.split("@");
        c.email = `${local.replace(".", "")}+${r.pick(["crm", "vip", "news"])}@${r.pick(["gmail.com", "googlemail.com", "Gmail.com"])}`;
        kept.email = true;
      } else if (u < 0.8) c.email = uniqueEmail(r, used, `${stripAccents(p.first).toLowerCase()}${r.int(100)}`, r.pick(PROVIDERS));
      else c.email = null;
    }
    // Phone
    if (p.phone) {
      const u = r.next();
      if (u < 0.6) { c.phone = { ...p.phone, variety: true }; kept.phone = true; }
      else if (u < 0.7) c.phone = makePhone(r);
      else c.phone = null;
    }
    // Names
    const u = r.next();
    let first = p.first, last = p.last;
    if (u < 0.12) { if (r.chance(0.5)) first = typo(r, first); else last = typo(r, last); }
    else if (u < 0.2) [first, last] = [last, first];
    else if (u < 0.3 && NICK[first]) first = r.pick(NICK[first]);
    else if (u < 0.38) { first = stripAccents(first).toUpperCase(); last = stripAccents(last).toUpperCase(); }
    else if (u < 0.42) first = `${first[0]}.`;
    else if (u < 0.45) first = "";
    c.first = first;
    c.last = last;
    // Date of birth
    if (p.dob) {
      const v = r.next();
      if (v < 0.72) { c.dob = p.dob; kept.dob = true; c.dobForm = r.int(3); }
      else if (v < 0.78) {
        const [y, m, d] = p.dob.split("-");
        c.dob = r.chance(0.5) ? `${y}-${d <= "12" ? d : m}-${d <= "12" ? m : d}` : `${y}-${m}-${pad(Math.min(28, Number(d) + 1))}`;
      } else c.dob = null;
    }
    // Address
    if (p.address) {
      const v = r.next();
      if (v < 0.6) { c.address = { ...p.address, abbreviate: r.chance(0.5) }; kept.address = true; }
      else if (v < 0.75) c.address = { ...p.address, number: 1 + r.int(9999), street: r.pick(STREETS), postcode: pad(r.int(100000), 5) };
      else c.address = null;
    }
    if (Object.values(kept).some(Boolean) || attempt > 20) return c;
  }
}

// A record in Outseta Person or GHL contact shape.
function render(r, p, id, shape) {
  const phone = p.phone ? writePhone(r, p.phone, p.phone.variety) : null;
  const addr = p.address;
  const street = addr ? `${addr.number} ${addr.street} ${addr.abbreviate ? addr.type[1] : addr.type[0]}` : null;
  if (shape === "outseta") {
    const rec = {
      Uid: id,
      Email: p.email ?? "",
      FirstName: p.first,
      LastName: p.last,
      PhoneMobile: phone && r.chance(0.6) ? phone : "",
      PhoneWork: "",
      MailingAddress: addr ? { AddressLine1: street, City: addr.city, PostalCode: addr.postcode, Country: "US" } : null,
    };
    if (phone && !rec.PhoneMobile) rec.PhoneWork = phone;
    if (p.dob) rec.DateOfBirth = p.dobForm === 1 ? `${p.dob}T00:00:00Z` : p.dob;
    return rec;
  }
  const rec = { id, firstName: p.first, lastName: p.last, tags: ["imported"] };
  if (p.email) rec.email = p.email;
  if (phone) rec.phone = phone;
  if (addr) Object.assign(rec, { address1: street, city: addr.city, postalCode: addr.postcode });
  if (p.dob) {
    const [y, m, d] = p.dob.split("-");
    rec.dateOfBirth = p.dobForm === 2 ? Date.UTC(Number(y), Number(m) - 1, Number(d)) : p.dobForm === 1 ? `${m}/${d}/${y}` : p.dob;
  }
  return rec;
}

/**
 * @param {{ n: number, seed?: number }} options
 * @returns {{ records: object[], entityOf: Map<string, number> }}
 */
export function generate({ n, seed = 42 }) {
  const r = rng(seed);
  const records = [];
  const entityOf = new Map();
  let entity = 0;
  const used = new Set();
  const emit = (person) => {
    const id = `${r.chance(0.5) ? "o" : "g"}${records.length.toString(36)}`;
    records.push(render(r, person, id, id[0] === "o" ? "outseta" : "ghl"));
    entityOf.set(id, person.n);
  };
  while (records.length < n) {
    const person = makePerson(r, entity++, used);
    emit(person);
    const u = r.next();
    const copies = u < 0.68 ? 0 : u < 0.88 ? 1 : u < 0.96 ? 2 : 3;
    for (let i = 0; i < copies && records.length < n; i++) emit(corrupt(r, person, used));
    // A household member: same surname and address, often the same landline.
    if (person.address && r.chance(0.06) && records.length < n) {
      const member = makePerson(r, entity++, used, {
        last: person.last,
        address: person.address,
        phone: r.chance(0.6) ? person.phone : undefined,
      });
      emit(member);
    }
  }
  return { records, entityOf };
}

/** Pairwise precision, recall and F1 of predicted clusters (arrays of ids) against the truth. */
export function pairScore(clusters, entityOf) {
  const bySize = new Map();
  for (const e of entityOf.values()) bySize.set(e, (bySize.get(e) ?? 0) + 1);
  let truePairs = 0;
  for (const size of bySize.values()) truePairs += (size * (size - 1)) / 2;
  let predictedPairs = 0, correctPairs = 0;
  for (const cluster of clusters) {
    predictedPairs += (cluster.length * (cluster.length - 1)) / 2;
    const counts = new Map();
    for (const id of cluster) {
      const e = entityOf.get(id);
      counts.set(e, (counts.get(e) ?? 0) + 1);
    }
    for (const c of counts.values()) correctPairs += (c * (c - 1)) / 2;
  }
  const precision = predictedPairs ? correctPairs / predictedPairs : 1;
  const recall = truePairs ? correctPairs / truePairs : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, truePairs, predictedPairs, correctPairs };
}
