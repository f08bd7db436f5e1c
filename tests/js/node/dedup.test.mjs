// Dedup through the built package (the wasm core under Node): findDuplicates, the
// DedupIndex class, bad input, and precision / recall floors on generated data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DedupIndex, findDuplicates, mapContact } from "outseta-ghl-sync";
import { generate, pairScore } from "../../support/dedup-data.mjs";

const JANE_OUTSETA = {
  Uid: "o-jane",
  Email: "Jane.Doe+vip@Gmail.com",
  FirstName: "Jane",
  LastName: "Doe",
  PhoneMobile: "",
  PhoneWork: "(555) 010-2030",
};
const JANE_GHL = { id: "g-jane", email: "janedoe@gmail.com", firstName: "jane", lastName: "DOE", phone: "+15550102030" };
// No email and no phone in common: names swapped and misspelt, same birthday and address.
const OLGA_A = {
  Uid: "o-olga",
  Email: "olga@work.example",
  FirstName: "Olga",
  LastName: "Petrova",
  DateOfBirth: "1984-02-29",
  MailingAddress: { AddressLine1: "12 Main Street", City: "Springfield", PostalCode: "62704" },
};
const OLGA_B = {
  id: "g-olga",
  firstName: "Petrovaa",
  lastName: "Olga",
  dateOfBirth: "02/29/1984",
  address1: "12 MAIN ST",
  city: "Springfield",
  postalCode: "62704-1234",
};
// A household: one landline and address, two people.
const ANNA = { id: "g-anna", firstName: "Anna", lastName: "Kowalski", phone: "+1 202 555 0143", address1: "5 Oak Ave", postalCode: "10001" };
const PETER = { id: "g-peter", firstName: "Peter", lastName: "Kowalski", phone: "202-555-0143", address1: "5 Oak Avenue", postalCode: "10001" };

test("findDuplicates links Outseta and GHL records across email, phone and name variants, with explanations", () => {
  const report = findDuplicates([JANE_OUTSETA, JANE_GHL, OLGA_A, OLGA_B, ANNA, PETER]);
  assert.deepEqual(report.clusters, [["o-jane", "g-jane"], ["o-olga", "g-olga"]]);
  assert.deepEqual(report.possible.map((p) => [p.a, p.b]), [["g-anna", "g-peter"]]);
  const jane = report.explanations.find((e) => e.a === "o-jane");
  assert.equal(jane.decision, "match");
  assert.equal(jane.rule, "email");
  assert.deepEqual(jane.evidence.map((e) => e.field), ["email", "phone", "firstName", "lastName"]);
  const olga = report.explanations.find((e) => e.a === "o-olga");
  assert.equal(olga.rule, "name+dateOfBirth+postcode+address+city");
  assert.equal(olga.evidence.find((e) => e.field === "firstName").note, "first and last names swapped");
  assert.ok(olga.evidence.find((e) => e.field === "firstName").similarity > 0.9);
  const household = report.explanations.find((e) => e.a === "g-anna");
  assert.equal(household.decision, "possible");
  assert.equal(household.note, "first names differ");
  assert.deepEqual(report.stats.shapes, { outseta: 2, ghl: 4 });
  assert.equal(report.stats.skipped, 0);
  for (const phase of ["toWasm", "normalise", "blocking", "scoring", "clustering", "explaining"]) {
    assert.equal(typeof report.stats.timingsMs[phase], "number", phase);
  }
});

test("JSON text gives the same report as the array, and config is honoured", () => {
  const records = [JANE_OUTSETA, JANE_GHL, ANNA, PETER];
  const fromArray = findDuplicates(records);
  const fromText = findDuplicates(JSON.stringify(records));
  assert.deepEqual(fromText.clusters, fromArray.clusters);
  assert.deepEqual(fromText.explanations, fromArray.explanations);
  // Without the gmail rules the +tag and dots count: only the phone links Jane.
  const strict = findDuplicates(records, { gmailRules: false, explain: false });
  assert.deepEqual(strict.clusters, [["o-jane", "g-jane"]]);
  assert.deepEqual(strict.explanations, []);
  // Phones off and emails off: nothing links Jane's two records beyond her name.
  const namesOnly = findDuplicates(records, { rules: { email: false, phone: false } });
  assert.deepEqual(namesOnly.clusters, []);
});

test("bad records are skipped with a reason, bad input and config throw coded errors, nothing traps", () => {
  const huge = "x".repeat(100_000);
  const report = findDuplicates([
    null, 42, "text", [JANE_GHL], { FirstName: 7, Email: { nested: true } }, { Uid: "empty" },
    { id: "long", email: `${huge}@example.com`, firstName: huge, phone: "+1 202 555 0100" },
    { id: "bad-phone", phone: "call me maybe", email: "not-an-email", firstName: "Ann" },
    JANE_OUTSETA, JANE_GHL,
  ]);
  assert.equal(report.stats.records, 10);
  assert.equal(report.stats.skipped, 6);
  assert.deepEqual(report.stats.skippedRecords.map((s) => s.index), [0, 1, 2, 3, 4, 5]);
  assert.equal(report.stats.skippedRecords[0].reason, "not an object (found null)");
  assert.match(report.stats.skippedRecords[4].reason, /no usable field/);
  const issues = report.stats.fieldIssueExamples.map((i) => `${i.index}.${i.field}: ${i.reason}`);
  assert.ok(issues.includes("4.FirstName: expected a string, found number"), issues.join("\n"));
  assert.ok(issues.includes("6.email: longer than 320 characters"), issues.join("\n"));
  assert.ok(issues.includes("7.phone: not a phone number"), issues.join("\n"));
  assert.deepEqual(report.clusters, [["o-jane", "g-jane"]]);

  for (const bad of [undefined, null, 3, { a: 1 }, "not json", "{\"a\":1}", 10n]) {
    assert.throws(() => findDuplicates(bad), { name: "OutsetaGhlSyncError", code: "INPUT_INVALID" }, String(bad));
  }
  for (const config of [{ thresholds: { match: 1, possible: 5 } }, { defaultRegion: "Narnia" }, { typo: 1 }, { blocking: { window: 0 } }, 7]) {
    assert.throws(() => findDuplicates([], config), { code: "CONFIG_INVALID" }, JSON.stringify(config));
  }
  // The instance is still healthy after all of that.
  assert.equal(mapContact({ Email: "a@b.co" }).email, "a@b.co");
});

test("oversized blocks are capped, reported, and do not go quadratic", () => {
  // Names and a city only: the both-names key is all they can meet on.
  const smiths = Array.from({ length: 2000 }, (_, i) => ({ id: `s${i}`, firstName: "John", lastName: "Smith", city: `Town ${i}` }));
  const report = findDuplicates(smiths, { explain: false });
  assert.ok(report.stats.cappedBlocks >= 1);
  assert.deepEqual(report.stats.largestCapped[0], { kind: "name", size: 2000 });
  // All-pairs would be 1,999,000 comparisons; the window keeps it at about 8 per record.
  assert.ok(report.stats.pairsCompared <= 2000 * 8, String(report.stats.pairsCompared));
  assert.ok(report.stats.pairsSkippedByCap > 1_900_000);
  assert.deepEqual(report.clusters, []);
});

test("generated data: F1, precision and recall stay above their floors (fixed seeds)", () => {
  for (const seed of [42, 7]) {
    const { records, entityOf } = generate({ n: 4000, seed });
    const report = findDuplicates(records, { explain: false });
    const score = pairScore(report.clusters, entityOf);
    assert.ok(score.truePairs > 1000, "the generator makes duplicates");
    assert.ok(score.f1 >= 0.97, `seed ${seed}: F1 ${score.f1}`);
    assert.ok(score.precision >= 0.98, `seed ${seed}: precision ${score.precision}`);
    assert.ok(score.recall >= 0.95, `seed ${seed}: recall ${score.recall}`);
  }
});

test("the generator is deterministic and realistic enough to contain every hard case", () => {
  const a = generate({ n: 3000, seed: 9 });
  const b = generate({ n: 3000, seed: 9 });
  assert.deepEqual(a.records, b.records);
  const text = JSON.stringify(a.records);
  assert.match(text, /"Uid":"o/);
  assert.match(text, /"id":"g/);
  assert.match(text, /\+[a-z]+@(gmail|googlemail|Gmail)\.com/); // +tags
  assert.match(text, /ext\. 12| x204| ext 7/); // extensions
  assert.match(text, /"011 \d/); // international prefix
  assert.match(text, /\(0\)/); // trunk zero
  assert.ok(a.records.some((r) => !(r.Email ?? r.email) && !(r.PhoneMobile || r.PhoneWork || r.phone)), "records without email or phone");
});

test("pairs compared per record stay bounded as the batch grows (near-linear)", () => {
  const perRecord = [2000, 16000].map((n) => {
    const { records } = generate({ n, seed: 3 });
    return findDuplicates(records, { explain: false }).stats.pairsCompared / n;
  });
  // Blocks are capped, so each record meets at most a fixed number of others per key.
  assert.ok(perRecord[1] < 12, `pairs per record: ${perRecord}`);
});

test("DedupIndex: add, query one record, replace by id, link with GHL's duplicate setting", () => {
  const index = new DedupIndex({ defaultRegion: "US" });
  const added = index.add([JANE_GHL, OLGA_B, ANNA, { id: "nothing" }, 5]);
  assert.deepEqual([added.added, added.replaced, added.skipped.length, added.size], [3, 0, 2, 3]);
  assert.equal(index.size, 3);

  const hit = index.query(JANE_OUTSETA);
  assert.equal(hit.decision, "match");
  assert.equal(hit.candidates[0].id, "g-jane");
  assert.equal(hit.candidates[0].rule, "email");
  assert.equal(index.query({ Email: "nobody@example.com", FirstName: "No", LastName: "Body" }).decision, "nonmatch");
  assert.throws(() => index.query([JANE_GHL]), { code: "INPUT_INVALID" });

  const links = index.link([JANE_OUTSETA, OLGA_A, PETER, { Uid: "new", Email: "new@example.com", FirstName: "New" }], { allowDuplicateContact: true });
  assert.deepEqual(links.map((l) => [l.id, l.action, l.target]), [
    ["o-jane", "link", "g-jane"],
    ["o-olga", "link", "g-olga"],
    ["g-peter", "review", "g-anna"],
    ["new", "create", undefined],
  ]);
  // With duplicates not allowed, GHL itself merges Peter into Anna's contact by phone.
  const strict = index.link([PETER], { allowDuplicateContact: false, primaryField: "email", secondaryField: "phone" });
  assert.equal(strict[0].ghlWouldMergeInto, "g-anna");
  assert.throws(() => index.link([PETER], { allowDuplicates: true }), { code: "CONFIG_INVALID" });

  index.add([{ ...ANNA, phone: "+1 202 555 0199" }]);
  assert.equal(index.size, 3);
  assert.equal(index.query(PETER).decision, "nonmatch");
  index.free();
  assert.throws(() => new DedupIndex({ maxClusterSize: 1 }), { code: "CONFIG_INVALID" });
});
