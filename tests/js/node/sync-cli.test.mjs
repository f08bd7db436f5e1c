// The sync commands of the CLI (import, reconcile, timeline, poll, serve), run as users
// run them: child processes through the package's bin, against both API simulators on
// 127.0.0.1, with state in a SQLite file and secrets only in the environment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers.mjs";
import { startGhlSim } from "../../sim/ghl.mjs";
import { signBody, startOutsetaSim } from "../../sim/outseta.mjs";

const LOC = "loc_sim";
const CLI = join(ROOT, "pkg/cli.js");

/** Secrets unlike anything else in the output, so a leak is unmistakable. */
const SECRETS = {
  GHL_TOKEN: `ghl-tok-${randomBytes(12).toString("hex")}`,
  OUTSETA_API_KEY: `osk-${randomBytes(8).toString("hex")}`,
  OUTSETA_SECRET_KEY: `oss-${randomBytes(12).toString("hex")}`,
  OUTSETA_SIGNING_KEY: randomBytes(32).toString("hex"),
};

/** Every output of every CLI run in this file, checked for secrets at the end. */
const outputs = [];

/**
 * Runs the CLI; `onLine(line, child)` sees each stderr line as it arrives.
 * @returns {Promise<{ status: number | null, signal: string | null, stdout: string, stderr: string }>}
 */
function cli(args, { cwd, env = SECRETS, onLine, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let partial = "";
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`cli ${args.join(" ")} timed out; stderr: ${stderr}`)); }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (d) => { stdout += d; });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
      partial += d;
      const lines = partial.split("\n");
      partial = lines.pop();
      for (const line of lines) onLine?.(line, child);
    });
    child.on("error", reject);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      outputs.push(stdout, stderr);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

async function startSims(people = []) {
  const ghl = await startGhlSim({ rateLimit: false, duplicates: "email", token: SECRETS.GHL_TOKEN });
  const outseta = await startOutsetaSim({ rateLimit: false, apiKey: SECRETS.OUTSETA_API_KEY, secretKey: SECRETS.OUTSETA_SECRET_KEY, signingKey: SECRETS.OUTSETA_SIGNING_KEY, seed: { people } });
  return {
    ghl, outseta,
    contacts: async () => (await fetch(ghl.url + "/_sim/state").then((r) => r.json())).contacts,
    ghlWrites: () => Object.entries(ghl.stats().byOperation).filter(([op]) => !/^(get|list|search|find)/i.test(op)).reduce((n, [, c]) => n + c, 0),
    close: () => Promise.all([ghl.close(), outseta.close()]),
  };
}

/** A temp folder with a config pointing at the simulators; the store is sync.db beside it. */
function workspace(t, sims) {
  const dir = mkdtempSync(join(tmpdir(), "ogs-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = {
    ghl: { locationId: LOC, baseUrl: sims.ghl.url, rateLimit: { burst: 1000, windowMs: 1000 }, retry: { baseDelayMs: 5, maxDelayMs: 50 } },
    outseta: { baseUrl: sims.outseta.baseUrl, rateLimit: false, retry: { baseDelayMs: 5, maxDelayMs: 50 } },
    policy: { default: "outsetaWins" },
    store: "sync.db",
  };
  writeFileSync(join(dir, "outseta-ghl-sync.json"), JSON.stringify(config, null, 2));
  return { dir, config, file: (name) => join(dir, name) };
}

const people = (n, tag = "m") => Array.from({ length: n }, (_, i) => ({ Email: `${tag}${i}@example.com`, FirstName: `${tag.toUpperCase()}${i}`, LastName: "Cli", PhoneMobile: `+1555${String(2000000 + i)}` }));

test("import shows count, rate and ETA; a re-run writes nothing; reconcile writes HTML and reports in sync; timeline and poll run", async (t) => {
  const sims = await startSims(people(45));
  t.after(() => sims.close());
  const ws = workspace(t, sims);

  const dry = await cli(["import", "--dry-run", "--page-size", "20"], { cwd: ws.dir });
  assert.equal(dry.status, 0, dry.stderr);
  assert.equal(JSON.parse(dry.stdout).pairs.length, 45);
  assert.match(dry.stderr, /^planned 20\/45 \(44%\) {2}[\d.]+\/s {2}ETA \d+s/m);
  assert.equal(sims.ghlWrites(), 0, "a dry run writes nothing");

  const first = await cli(["import", "--page-size", "20"], { cwd: ws.dir });
  assert.equal(first.status, 0, first.stderr);
  const progress = first.stderr.split("\n").filter((l) => l.startsWith("imported "));
  assert.deepEqual(progress.map((l) => l.split(" ")[1]), ["20/45", "40/45", "45/45"], first.stderr);
  assert.match(progress[0], /^imported 20\/45 \(44%\) {2}[\d.]+\/s {2}ETA \d+s {2}created 20 updated 0 linked 0 unchanged 0$/);
  assert.match(first.stderr, /^done: 45\/45 .*created 45/m);
  assert.equal(JSON.parse(first.stdout).summary.created, 45);
  assert.equal((await sims.contacts()).length, 45);
  assert.ok(existsSync(ws.file("sync.db")), "the store sits beside the config");

  const writes = sims.ghlWrites();
  const again = await cli(["import", "--page-size", "20"], { cwd: ws.dir });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).summary.unchanged, 45);
  assert.equal(sims.ghlWrites(), writes, "a second import writes nothing");

  const rec = await cli(["reconcile", "--html", "report.html", "--output", "report.json", "--check"], { cwd: ws.dir });
  assert.equal(rec.status, 0, rec.stderr);
  assert.equal(rec.stdout, "");
  assert.match(rec.stderr, /^in sync: 45 Outseta people, 45 GHL contacts, 45 links/m);
  const report = JSON.parse(readFileSync(ws.file("report.json"), "utf8"));
  assert.equal(report.inSync, true);
  assert.equal(report.html, undefined, "the HTML goes to its own file");
  assert.match(readFileSync(ws.file("report.html"), "utf8"), /<html[\s\S]*<\/html>/i);

  // Drift behind the engine's back: --check fails, a dry-run repair plans, a repair fixes.
  const c0 = (await sims.contacts()).find((c) => c.email === "m0@example.com");
  const put = await fetch(`${sims.ghl.url}/contacts/${c0.id}`, { method: "PUT", headers: { Authorization: `Bearer ${SECRETS.GHL_TOKEN}`, Version: "2021-07-28", "content-type": "application/json" }, body: JSON.stringify({ firstName: "Drifted" }) });
  assert.equal(put.status, 200);
  const drift = await cli(["reconcile", "--check"], { cwd: ws.dir });
  assert.equal(drift.status, 1);
  assert.equal(JSON.parse(drift.stdout).counts.driftedPairs, 1);
  const plan = await cli(["reconcile", "--repair", "--dry-run"], { cwd: ws.dir });
  assert.equal(plan.status, 0, plan.stderr);
  assert.equal(JSON.parse(plan.stdout).repair.length, 1);
  assert.equal((await sims.contacts()).find((c) => c.id === c0.id).firstName, "Drifted", "a dry-run repair writes nothing");
  const repair = await cli(["reconcile", "--repair"], { cwd: ws.dir });
  assert.equal(repair.status, 0, repair.stderr);
  // Only GHL changed since the last sync, so the repair carries GHL's edit to Outseta.
  const m0 = (await fetch(`${sims.outseta.baseUrl}/crm/people?limit=100`, { headers: { Authorization: `Outseta ${SECRETS.OUTSETA_API_KEY}:${SECRETS.OUTSETA_SECRET_KEY}` } }).then((r) => r.json())).items.find((p) => p.Email === "m0@example.com");
  assert.equal(m0.FirstName, "Drifted");
  const after = await cli(["reconcile", "--check"], { cwd: ws.dir });
  assert.equal(after.status, 0, after.stderr);

  const uid = m0.Uid;
  const tl = await cli(["timeline", "--outseta-uid", uid], { cwd: ws.dir });
  assert.equal(tl.status, 0, tl.stderr);
  const timeline = JSON.parse(tl.stdout);
  assert.equal(timeline.outsetaUid, uid);
  assert.ok(Array.isArray(timeline.entries));

  const poll = await cli(["poll"], { cwd: ws.dir });
  assert.equal(poll.status, 0, poll.stderr);
  assert.ok(Array.isArray(JSON.parse(poll.stdout).pairs));
});

test("import --resume after the process is killed midway: no duplicates, nothing lost", async (t) => {
  const sims = await startSims(people(120, "r"));
  t.after(() => sims.close());
  const ws = workspace(t, sims);
  let killedAt = null;
  const killed = await cli(["import", "--page-size", "10"], {
    cwd: ws.dir,
    onLine: (line, child) => {
      if (killedAt === null && line.startsWith("imported ")) { killedAt = line; child.kill("SIGKILL"); }
    },
  });
  assert.equal(killed.signal, "SIGKILL", killed.stderr);
  const before = (await sims.contacts()).length;
  assert.ok(before >= 10 && before < 120, `killed midway: ${before} contacts`);

  const fresh = await cli(["import", "--page-size", "10"], { cwd: ws.dir });
  assert.equal(fresh.status, 1, "a stopped import is not silently restarted");
  assert.match(fresh.stderr, /resume/);

  const resumed = await cli(["import", "--page-size", "10", "--resume"], { cwd: ws.dir });
  assert.equal(resumed.status, 0, resumed.stderr);
  const out = JSON.parse(resumed.stdout);
  assert.ok(out.resumedFromPage >= 1, JSON.stringify(out.resumedFromPage));
  assert.equal(out.summary.failed.length, 0);
  const contacts = await sims.contacts();
  assert.equal(contacts.length, 120, "every person once");
  assert.equal(new Set(contacts.map((c) => c.email)).size, 120, "no duplicates");
  const rec = await cli(["reconcile", "--check"], { cwd: ws.dir });
  assert.equal(rec.status, 0, rec.stderr);
});

test("import stopped by SIGINT finishes its page, exits 130 with a cancelled report, and --resume completes it", async (t) => {
  const sims = await startSims(people(60, "i"));
  t.after(() => sims.close());
  const ws = workspace(t, sims);
  let sent = false;
  const stopped = await cli(["import", "--page-size", "10"], {
    cwd: ws.dir,
    onLine: (line, child) => {
      if (!sent && line.startsWith("imported ")) { sent = true; child.kill("SIGINT"); }
    },
  });
  assert.equal(stopped.status, 130, stopped.stderr);
  assert.match(stopped.stderr, /stopping after this page \(SIGINT\)/);
  assert.match(stopped.stderr, /^stopped: .*run again with --resume to go on$/m);
  const report = JSON.parse(stopped.stdout);
  assert.equal(report.cancelled, true);
  assert.ok(report.summary.done < 60 && report.summary.done % 10 === 0, JSON.stringify(report.summary));
  const resumed = await cli(["import", "--page-size", "10", "--resume"], { cwd: ws.dir });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(JSON.parse(resumed.stdout).summary.done, 60);
  assert.equal((await sims.contacts()).length, 60);
});

test("serve: a signed Outseta webhook reaches the GHL simulator; a forged or unsigned one gets 401 and changes nothing", async (t) => {
  const sims = await startSims();
  t.after(() => sims.close());
  const ws = workspace(t, sims);
  let url = null;
  let ready;
  const listening = new Promise((r) => { ready = r; });
  let child = null;
  const served = cli(["serve", "--port", "0"], {
    cwd: ws.dir,
    onLine: (line, c) => {
      child = c;
      const m = line.match(/^listening on (http:\/\/127\.0\.0\.1:\d+)$/);
      if (m) { url = m[1]; ready(); }
    },
  });
  await Promise.race([listening, served.then((r) => { throw new Error(`serve exited: ${r.stderr}`); })]);
  try {
    assert.deepEqual(await fetch(`${url}/health`).then((r) => r.json()), { ok: true });
    assert.equal((await fetch(`${url}/nowhere`)).status, 404);
    assert.equal((await fetch(`${url}/webhooks/ghl`)).status, 405);

    sims.outseta.sim.configure({ webhooks: { PersonCreated: `${url}/webhooks/outseta/PersonCreated` } });
    const created = await fetch(`${sims.outseta.baseUrl}/crm/people`, {
      method: "POST",
      headers: { Authorization: `Outseta ${SECRETS.OUTSETA_API_KEY}:${SECRETS.OUTSETA_SECRET_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ Email: "served@example.com", FirstName: "Serve", LastName: "Dee" }),
    }).then((r) => r.json());
    let contact;
    for (let i = 0; i < 150 && !contact; i++) {
      contact = (await sims.contacts()).find((c) => c.email === "served@example.com");
      if (!contact) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(contact, "the GHL simulator holds the contact");
    assert.equal(contact.firstName, "Serve");

    const forgedBody = JSON.stringify({ ...created, FirstName: "Mallory" });
    const forged = await fetch(`${url}/webhooks/outseta/PersonUpdated`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signBody(randomBytes(32).toString("hex"), forgedBody) },
      body: forgedBody,
    });
    assert.equal(forged.status, 401);
    assert.equal((await forged.json()).error.code, "SIGNATURE_INVALID");
    const unsigned = await fetch(`${url}/webhooks/outseta/PersonUpdated`, { method: "POST", headers: { "content-type": "application/json" }, body: forgedBody });
    assert.equal(unsigned.status, 401);
    const ghlForged = await fetch(`${url}/webhooks/ghl`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ type: "ContactUpdate", id: contact.id, locationId: LOC, firstName: "Mallory" }) });
    assert.equal(ghlForged.status, 401);
    assert.equal((await sims.contacts()).find((c) => c.email === "served@example.com").firstName, "Serve", "nothing changed");

    // A real update in Outseta, delivered signed, goes through.
    sims.outseta.sim.configure({ webhooks: { PersonCreated: `${url}/webhooks/outseta/PersonCreated`, PersonUpdated: `${url}/webhooks/outseta/PersonUpdated` } });
    const put = await fetch(`${sims.outseta.baseUrl}/crm/people/${created.Uid}`, {
      method: "PUT",
      headers: { Authorization: `Outseta ${SECRETS.OUTSETA_API_KEY}:${SECRETS.OUTSETA_SECRET_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ ...created, FirstName: "Served" }),
    });
    assert.equal(put.status, 200);
    let name;
    for (let i = 0; i < 150 && name !== "Served"; i++) {
      name = (await sims.contacts()).find((c) => c.email === "served@example.com").firstName;
      if (name !== "Served") await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(name, "Served");
  } finally {
    child?.kill("SIGTERM");
  }
  const done = await served;
  assert.equal(done.status, 0, done.stderr);
  // The route, not the path sent, and the code alone for a refusal.
  assert.match(done.stderr, /POST \/webhooks\/outseta\/:event 401 \d+ms SIGNATURE_INVALID$/m);
});

test("every sync command has --help; bad flags and missing secrets are usage errors (exit 2); a bad config exits 1 with its code", async (t) => {
  for (const command of ["import", "reconcile", "timeline", "poll", "serve"]) {
    const help = await cli([command, "--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, new RegExp(`^Usage: outseta-ghl-sync ${command}`));
    assert.match(help.stdout, /GHL_TOKEN/);
  }
  const sims = { ghl: { url: "http://127.0.0.1:9" }, outseta: { baseUrl: "http://127.0.0.1:9/api/v1" } };
  const ws = workspace(t, sims);
  const usage = [
    ["import", "--bogus"],
    ["import", "--page-size", "0"],
    ["import", "--page-size"],
    ["import", "--resume=yes"],
    ["reconcile", "--dry-run"],
    ["timeline"],
    ["timeline", "--outseta-uid", "a", "--ghl-id", "b"],
    ["serve", "--port", "http"],
    ["poll", "extra"],
    ["import", "--config", "no-such.json"],
  ];
  for (const args of usage) {
    const run = await cli(args, { cwd: ws.dir });
    assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, /^outseta-ghl-sync: /);
  }
  const noToken = await cli(["poll"], { cwd: ws.dir, env: { ...SECRETS, GHL_TOKEN: "" } });
  assert.equal(noToken.status, 2);
  assert.match(noToken.stderr, /GHL_TOKEN is not set/);

  writeFileSync(ws.file("leaky.json"), JSON.stringify({ ...ws.config, ghl: { ...ws.config.ghl, token: "x" } }));
  const leaky = await cli(["poll", "--config", "leaky.json"], { cwd: ws.dir });
  assert.equal(leaky.status, 1);
  assert.match(leaky.stderr, /CONFIG_INVALID: \$\.ghl\.token is a secret: set it in the environment/);
});

test("a secret in the environment never appears in any output, even in an error", async (t) => {
  const sims = await startSims(people(3, "s"));
  t.after(() => sims.close());
  const ws = workspace(t, sims);
  // A token the GHL simulator refuses: the run fails with GHL_UNAUTHORIZED.
  const wrong = { ...SECRETS, GHL_TOKEN: `wrong-${randomBytes(12).toString("hex")}` };
  const refused = await cli(["import"], { cwd: ws.dir, env: wrong });
  assert.notEqual(refused.status, 0);
  assert.ok(!(refused.stdout + refused.stderr).includes(wrong.GHL_TOKEN));
  for (const out of outputs) {
    for (const [name, value] of Object.entries(SECRETS)) assert.ok(!out.includes(value), `${name} leaked into: ${out.slice(0, 300)}`);
  }
  assert.ok(outputs.length > 10, "the other tests' outputs were checked too");
});

test("reviews: import holds a possible duplicate; reviews list shows it; reviews resolve links it; bad calls are usage errors", async (t) => {
  const sims = await startSims([{ Email: "jon.smith@work.example", FirstName: "Jon", LastName: "Smith", PhoneMobile: "+1 555 010 7777" }]);
  t.after(() => sims.close());
  const ws = workspace(t, sims);
  // In GHL already under another email and first name, with the same phone.
  const emma = await fetch(`${sims.ghl.url}/contacts/`, {
    method: "POST",
    headers: { Authorization: `Bearer ${SECRETS.GHL_TOKEN}`, Version: "2021-07-28", "content-type": "application/json" },
    body: JSON.stringify({ locationId: LOC, email: "esmith@home.example", firstName: "Emma", lastName: "Smith", phone: "+15550107777" }),
  }).then((r) => r.json());
  const imported = await cli(["import"], { cwd: ws.dir });
  assert.equal(imported.status, 0, imported.stderr);
  assert.match(imported.stderr, /held for review 1/);
  const listed = await cli(["reviews", "list"], { cwd: ws.dir });
  assert.equal(listed.status, 0, listed.stderr);
  const [item] = JSON.parse(listed.stdout);
  assert.equal(item.kind, "duplicate");
  assert.equal(item.candidates[0].id, emma.contact.id);
  assert.match(listed.stderr, /^1 pending: 1 possible duplicates, 0 held fields$/m);
  for (const args of [["reviews", "resolve"], ["reviews", "resolve", item.id, "--create", "--keep-ghl"], ["reviews", "resolve", item.id, "--field", "phone=both"], ["reviews", "nope"]]) {
    const bad = await cli(args, { cwd: ws.dir });
    assert.equal(bad.status, 2, `${args.join(" ")}: ${bad.stderr}`);
  }
  const refused = await cli(["reviews", "resolve", item.id, "--keep-ghl"], { cwd: ws.dir });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /INPUT_INVALID: .*link or create/);
  const resolved = await cli(["reviews", "resolve", item.id, "--link", emma.contact.id], { cwd: ws.dir });
  assert.equal(resolved.status, 0, resolved.stderr);
  assert.match(resolved.stderr, /^resolved .*\/duplicate: /m);
  const contacts = await sims.contacts();
  assert.equal(contacts.length, 1, "linked, not created");
  assert.equal(contacts[0].email, "jon.smith@work.example", "merged under the config's outsetaWins");
  const empty = await cli(["reviews", "list"], { cwd: ws.dir });
  assert.deepEqual(JSON.parse(empty.stdout), []);
});
