// Phones as real lists hold them, through the public package (issue 21): every phone that
// can be read is written as E.164 (from PhoneWork when PhoneMobile cannot be read, and
// national numbers by the person's address country), every one that cannot is a field
// error with its raw value and why, and none is dropped without a word.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import * as api from "../../../pkg/node.js";
import { phonePeople, REASONS } from "../phones.mjs";

const N = 2000;

test(`${N} people with realistic phones: written, fallen back, refused or no identity, none silent`, () => {
  const people = phonePeople(N);
  const results = api.previewMapping(people.map((p) => p.person));
  assert.equal(results.length, N);
  const counts = { written: 0, fallback: 0, refused: 0, noIdentity: 0, none: 0 };
  let fromWork = 0;
  const failures = [];
  const fail = (i, what, got) => failures.push(`#${i} [${people[i].scenario}] ${what}: ${JSON.stringify(people[i].expected)} got ${JSON.stringify(got)}`);
  for (const [i, result] of results.entries()) {
    const { expected } = people[i];
    const phoneErrors = (result.errors ?? []).filter((e) => e.field === "phone");
    counts[expected.outcome] += 1;
    if (expected.outcome === "written" && expected.from === "$.PhoneWork") fromWork += 1;
    // No silent drops: a person with a phone value gets a phone, a phone error, or a
    // refusal that names the value.
    const named = [
      ...phoneErrors.flatMap((e) => e.details.tried ?? [e.details]),
      ...(result.error?.details?.unreadable ?? []),
    ];
    if (expected.values.length > 0 && !result.payload?.phone && named.length === 0) {
      fail(i, "silent drop", result);
      continue;
    }
    switch (expected.outcome) {
      case "written":
      case "fallback":
        if (!result.ok || result.payload.phone !== expected.phone || phoneErrors.length !== 0) fail(i, "phone", result);
        break;
      case "refused": {
        if (!result.ok || result.payload.phone !== undefined || phoneErrors.length !== 1) {
          fail(i, "refusal", result);
          break;
        }
        const [e] = phoneErrors;
        const want = expected.values.map((v) => ({ path: v.path, value: v.value, reason: REASONS[v.class] }));
        const tried = e.details.tried.map(({ path, value, reason }) => ({ path, value, reason }));
        if (e.code !== "TRANSFORM_FAILED" || e.details.value !== expected.values[0].value
            || e.details.path !== expected.values[0].path || !isDeepStrictEqual(tried, want)) {
          fail(i, "refusal details", e);
        }
        for (const v of expected.values) if (!e.message.includes(JSON.stringify(v.value))) fail(i, "message names the value", e.message);
        break;
      }
      case "noIdentity": {
        const want = expected.values.map((v) => ({ field: "phone", path: v.path, value: v.value, reason: REASONS[v.class] }));
        if (result.ok || result.error.code !== "MAPPING_NO_IDENTITY"
            || !isDeepStrictEqual(result.error.details.unreadable, want)) {
          fail(i, "no identity", result.error ?? result);
          break;
        }
        const message = result.error.message;
        const ok = want.length === 0
          ? message.startsWith("the person has neither an email nor a phone")
          : message.startsWith("the person has no email, and no phone could be read: ")
            && want.every((v) => message.includes(`${v.path.slice(2)} ${JSON.stringify(v.value)} (${v.reason})`));
        if (!ok) fail(i, "no identity message", message);
        break;
      }
      case "none":
        if (!result.ok || result.payload.phone !== undefined || phoneErrors.length !== 0) fail(i, "no phone", result);
        break;
      default:
        fail(i, "unknown outcome", result);
    }
  }
  console.log(
    `phones, ${N} people: written ${counts.written} (PhoneMobile ${counts.written - fromWork}, PhoneWork with PhoneMobile empty ${fromWork}), `
    + `from PhoneWork behind an unreadable PhoneMobile ${counts.fallback}, refused (field error) ${counts.refused}, `
    + `no identity ${counts.noIdentity}, no phone value ${counts.none}`,
  );
  assert.deepEqual(failures.slice(0, 20), []);
  // The generator covers every outcome, and fallbacks and refusals at realistic rates.
  for (const [outcome, least] of [["written", N * 0.6], ["fallback", N * 0.03], ["refused", N * 0.05], ["noIdentity", 5], ["none", N * 0.02]]) {
    assert.ok(counts[outcome] >= least, `${outcome}: ${counts[outcome]} < ${least}`);
  }
});

test("the generator is deterministic and its expectations come from its own parts", () => {
  const a = phonePeople(50);
  assert.deepEqual(a, phonePeople(50));
  assert.notDeepEqual(a, phonePeople(50, 7));
  for (const { person, expected } of a) {
    if (expected.phone) assert.match(expected.phone, /^\+[1-9]\d{6,14}$/);
    assert.ok(expected.values.every((v) => v.value === person[v.path.slice(2)]));
  }
});

test("the Plan (JSON text in, as bulk import reads people) writes and refuses the same phones", () => {
  const people = phonePeople(N);
  const plans = JSON.parse(api.planSyncJson(JSON.stringify({ pairs: people.map((p) => ({ outseta: p.person, ghl: null })) })));
  const failures = [];
  for (const [i, plan] of plans.entries()) {
    const { expected } = people[i];
    const create = plan.operations.find((op) => op.op === "CreateContact");
    const phoneErrors = (plan.errors ?? []).filter((e) => e.field === "phone");
    const ok = {
      written: () => create?.payload.phone === expected.phone && phoneErrors.length === 0,
      fallback: () => create?.payload.phone === expected.phone && phoneErrors.length === 0,
      refused: () => create && create.payload.phone === undefined && phoneErrors.length === 1,
      none: () => create && create.payload.phone === undefined && phoneErrors.length === 0,
      noIdentity: () => !create && plan.error?.code === "MAPPING_NO_IDENTITY"
        && plan.error.details.unreadable.map((u) => u.value).join("|") === expected.values.map((v) => v.value).join("|"),
    }[expected.outcome]();
    if (!ok) failures.push(`#${i} ${JSON.stringify(expected)} got ${JSON.stringify(plan)}`);
  }
  assert.deepEqual(failures.slice(0, 10), []);
});
