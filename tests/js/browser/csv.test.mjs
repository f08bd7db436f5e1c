// The preview's CSV reader and data-set detection (www/csv.js, www/records.js), in Node:
// they are plain modules with no DOM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { detectDelimiter, parseCsv } from "../../../www/csv.js";
import { readRecords } from "../../../www/records.js";

test("quoted fields keep commas, doubled quotes and line breaks", () => {
  const text = 'a,b,c\r\n"x, y","say ""hi""","line 1\nline 2"\r\nplain,,"" \n';
  assert.deepEqual(parseCsv(text), [
    ["a", "b", "c"],
    ["x, y", 'say "hi"', "line 1\nline 2"],
    ["plain", "", " "],
  ]);
});

test("a byte-order mark, CR line ends, blank lines and a missing final newline", () => {
  assert.deepEqual(parseCsv("\uFEFFEmail,First\r\ra@b.co,Ann\r\rb@c.co,Bo"), [
    ["Email", "First"],
    ["a@b.co", "Ann"],
    ["b@c.co", "Bo"],
  ]);
});

test("the delimiter comes from the header line, outside quotes", () => {
  assert.equal(detectDelimiter("Email;First Name;Last\n"), ";");
  assert.equal(detectDelimiter('"a;b;c",d,e\n'), ",");
  assert.equal(detectDelimiter("a\tb\tc"), "\t");
  assert.deepEqual(parseCsv("Email;Phone\na@b.co;\"+1 555; ext 2\""), [["Email", "Phone"], ["a@b.co", "+1 555; ext 2"]]);
});

test("an unterminated quote is an error naming its line", () => {
  assert.throws(() => parseCsv('a,b\n1,2\n"open,3\n'), /line 3 is never closed/);
});

test("an Outseta people export: columns to nested paths, custom properties kept", () => {
  const set = readRecords(
    "\uFEFFUid,Email,First Name,Last Name,Phone Mobile,City,Account Stage,Has Unsubscribed,Coffee Preference\n" +
      'p1,"Doe, Jane <jane@x.io>",Jane,Doe,,Springfield,3,yes,Latte\n',
    { name: "people.csv" },
  );
  assert.equal(set.format, "csv");
  assert.equal(set.shape, "outseta");
  assert.deepEqual(set.records, [{
    Uid: "p1", Email: "Doe, Jane <jane@x.io>", FirstName: "Jane", LastName: "Doe",
    MailingAddress: { City: "Springfield" }, Account: { AccountStage: 3 }, HasUnsubscribed: true,
    CoffeePreference: "Latte",
  }]);
  assert.deepEqual(set.columns?.find((c) => c.header === "Coffee Preference"), { header: "Coffee Preference", field: "CoffeePreference" });
});

test("a HighLevel contacts export is told apart by its headers", () => {
  const set = readRecords('Contact Id,First Name,Last Name,Phone,Email,Tags,Business Name,Notes\nc1,Ann,Lee,+15550100,ann@x.io,"vip, lead",Acme,hello\n');
  assert.equal(set.shape, "ghl");
  assert.deepEqual(set.records, [{ id: "c1", firstName: "Ann", lastName: "Lee", phone: "+15550100", email: "ann@x.io", tags: ["vip", "lead"], companyName: "Acme" }]);
  assert.equal(set.columns?.find((c) => c.header === "Notes")?.field, null);
});

test("JSON: arrays, API pages and single records, with the shape from the keys", () => {
  assert.equal(readRecords('[{"Uid":"a","Email":"a@b.co"}]').shape, "outseta");
  const page = readRecords('{"contacts":[{"id":"g1","email":"a@b.co","firstName":"A"}],"meta":{}}');
  assert.equal(page.shape, "ghl");
  assert.equal(page.records.length, 1);
  assert.deepEqual(readRecords('{"items":[{"Email":"x@y.z"}]}').records, [{ Email: "x@y.z" }]);
  assert.deepEqual(readRecords('{"Email":"x@y.z"}').records, [{ Email: "x@y.z" }]);
  assert.equal(readRecords('[{"email":"a@b.co"}]', { shape: "outseta" }).shape, "outseta");
});
