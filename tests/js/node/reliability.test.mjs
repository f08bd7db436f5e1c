// A fast subset of `make reliability` (scripts/reliability.mjs): a few faults on 50
// people and the two-way storm on 50 contacts, each ending in a reconcile with zero
// drift, zero duplicate GHL contacts and zero lost records.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FAULTS, runScenario, runStorm } from "../../support/reliability.mjs";
import { startHarness } from "../../support/sync-harness.mjs";

const N = 50;

function assertClean(row) {
  const why = JSON.stringify({ notes: row.notes, lost: row.lostWhat, drift: row.driftWhat, counts: row.reconcile });
  assert.equal(row.records, N, why);
  assert.equal(row.drift, 0, why);
  assert.equal(row.duplicates, 0, why);
  assert.equal(row.lost, 0, why);
  assert.equal(row.inSync, true, why);
}

for (const name of ["429 storm", "dropped connections", "422 but created", "OAuth token expires mid-run", "webhooks out of order, repeated"]) {
  test(`fault "${name}": ${N} people end in sync, with no duplicate and nothing lost`, async () => {
    const row = await runScenario(name, FAULTS[name], { n: N, seed: 11 });
    assertClean(row);
    if (name !== "webhooks out of order, repeated") assert.ok(row.faults + row.tokenExpiries > 0, "the fault was injected");
  });
}

test(`fault "process killed mid-import": a SQLite-backed import SIGKILLed and resumed ends in sync`, async () => {
  const row = await runScenario("process killed mid-import", { kill: true }, { n: N, seed: 11 });
  assertClean(row);
  assert.ok(row.kills >= 1, JSON.stringify(row.notes));
});

test("two-way storm: 50 contacts edited on both sides at once converge, with bounded writes and no echo loop", async () => {
  const s = await runStorm({ n: 50, seed: 11, quietWindowMs: 1000 });
  const why = JSON.stringify({ ...s, reconcile: undefined });
  assert.equal(s.failedRuns, 0, why);
  assert.equal(s.drift, 0, why);
  assert.equal(s.duplicates, 0, why);
  assert.equal(s.lost, 0, why, why);
  // Each edit needs one write to the other side; echoes must write nothing.
  assert.ok(s.writesPerEdit <= 1.5, why);
  assert.ok(s.settleMs < 20_000, `webhook traffic stopped ${s.settleMs} ms after the last edit`);
  assert.deepEqual(s.afterQuiet, { webhooks: 0, writes: 0 }, "no echo loop: nothing after traffic stopped");
});

test("polling with Outseta's clock 4 minutes behind ours still finds an edit made right after the first poll", async () => {
  // The first cursor comes from the engine's clock; Outseta stamps Updated with its own.
  const h = await startHarness({ webhooks: false, outseta: { clockOffsetMs: -240_000 } });
  try {
    const p = (await h.outsetaApi("POST", "/crm/people", { Email: "skew@example.com", FirstName: "Sid" })).body;
    await h.engine.syncPerson(p);
    assert.match((await h.engine.poll()).skipped, /first poll/);
    await h.outsetaApi("PUT", `/crm/people/${p.Uid}`, { Email: p.Email, FirstName: "Sidney" });
    const run = await h.engine.poll();
    assert.ok(run.pairs.some((r) => r.outsetaUid === p.Uid && r.plan.operations.some((o) => o.op === "UpdateContact")), JSON.stringify(run));
    assert.equal((await h.ghlContacts()).find((c) => c.email === "skew@example.com").firstName, "Sidney");
  } finally {
    await h.close();
  }
});
