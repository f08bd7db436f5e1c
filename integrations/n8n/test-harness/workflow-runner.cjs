// Runs an n8n workflow JSON in n8n's own engine (n8n-core's WorkflowExecute over an
// n8n-workflow Workflow), with the n8n-nodes-outseta-ghl-sync package loaded by
// n8n-core's PackageDirectoryLoader from its package.json `n8n` field, the way n8n loads
// an installed community package. This is the pattern of n8n's own node tests
// (packages/core/nodes-testing/node-test-harness.ts): the workflow's first node gets the
// input items, credentials come from an ICredentialsHelper, and the run ends in the
// workflowExecuteAfter hook. It runs under Node 24 (node24/), with NODE_PATH set to this
// directory's node_modules so the nodes' require("n8n-workflow") resolves, as n8n itself
// arranges for community nodes.
"use strict";

const path = require("node:path");
const { WorkflowExecute, ExecutionLifecycleHooks, PackageDirectoryLoader } = require("n8n-core");
const { Workflow, ICredentialsHelper, NodeHelpers, createRunExecutionData } = require("n8n-workflow");

const PACKAGE_DIR = path.resolve(__dirname, "..");

/** Loads the package as n8n does and answers n8n's INodeTypes questions from it. */
async function loadPackage(dir = PACKAGE_DIR) {
  const loader = new PackageDirectoryLoader(dir);
  await loader.loadAll();
  const prefix = `${loader.packageName}.`;
  const nodeTypes = {
    getByName(type) {
      return loader.getNode(type.startsWith(prefix) ? type.slice(prefix.length) : type).type;
    },
    getByNameAndVersion(type, version) {
      return NodeHelpers.getVersionedNodeType(this.getByName(type), version);
    },
    getKnownTypes() {
      return loader.known.nodes;
    },
  };
  return { loader, nodeTypes, packageName: loader.packageName };
}

/** Credentials by type name, as n8n's credentials store would decrypt them. */
class CredentialsHelper extends ICredentialsHelper {
  constructor(loader, credentials) {
    super();
    this.loader = loader;
    this.credentials = credentials;
  }
  getCredentialsProperties(type) { return this.loader.getCredential(type).type.properties; }
  async authenticate(_credentials, _typeName, requestOptions) { return requestOptions; }
  async preAuthentication() { return undefined; }
  async runPreAuthentication() { return undefined; }
  getParentTypes() { return []; }
  async getDecrypted(_additionalData, _nodeCredentials, type) {
    if (!this.credentials[type]) throw new Error(`no credentials of type ${type} in this test`);
    return { ...this.credentials[type] };
  }
  async getCredentials() { throw new Error("not used by these nodes"); }
  async updateCredentials() {}
  async updateCredentialsOauthTokenData() {}
  getOAuth2Options() { return undefined; }
  isCredentialUsableByNode() { return true; }
}

/**
 * Runs `workflow` ({ nodes, connections, settings? }) from its first node, which gets
 * `input` as its input items. Resolves to n8n's IRun and the order nodes ran in.
 */
async function runWorkflow({ workflow, credentials = {}, input = [{ json: {} }], mode = "manual", staticData }) {
  const { loader, nodeTypes } = await loadPackage();
  const instance = new Workflow({
    id: "outsetaGhlSyncTest",
    name: workflow.name ?? "test",
    nodes: workflow.nodes,
    connections: workflow.connections,
    nodeTypes,
    settings: { executionOrder: "v1", ...workflow.settings },
    active: false,
    staticData,
  });
  const hooks = new ExecutionLifecycleHooks(mode, "1", { id: "outsetaGhlSyncTest", name: "test", nodes: workflow.nodes, connections: workflow.connections, active: false, settings: {}, createdAt: new Date(), updatedAt: new Date() });
  const order = [];
  hooks.addHandler("nodeExecuteAfter", (nodeName) => { order.push(nodeName); });
  let finish;
  const finished = new Promise((resolve) => { finish = resolve; });
  hooks.addHandler("workflowExecuteAfter", (run) => { finish(run); });
  const additionalData = {
    hooks,
    credentialsHelper: new CredentialsHelper(loader, credentials),
    currentNodeParameters: undefined,
    executionId: "1",
    restApiUrl: "http://127.0.0.1:5678/rest",
    instanceBaseUrl: "http://127.0.0.1:5678/",
    formWaitingBaseUrl: "http://127.0.0.1:5678/form-waiting",
    webhookBaseUrl: "http://127.0.0.1:5678/webhook",
    webhookWaitingBaseUrl: "http://127.0.0.1:5678/webhook-waiting",
    webhookTestBaseUrl: "http://127.0.0.1:5678/webhook-test",
    variables: {},
    async executeWorkflow() { throw new Error("sub-workflows are not used"); },
    async getRunExecutionData() { return undefined; },
    logAiEvent() {},
    setExecutionStatus() {},
    sendDataToUI() {},
  };
  const first = workflow.nodes[0];
  const runExecutionData = createRunExecutionData({
    executionData: { nodeExecutionStack: [{ node: instance.getNode(first.name), data: { main: [input] }, source: null }] },
  });
  const engine = new WorkflowExecute(additionalData, mode, runExecutionData);
  await engine.processRunExecutionData(instance);
  const run = await finished;
  return { run, order, staticData: instance.staticData };
}

module.exports = { runWorkflow, loadPackage, PACKAGE_DIR };
