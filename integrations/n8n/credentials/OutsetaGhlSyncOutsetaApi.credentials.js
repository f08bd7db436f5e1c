// Outseta REST API v1 credentials for the outseta-ghl-sync nodes. The nodes hand these to
// the package's OutsetaClient/SyncEngine; `authenticate` and `test` are here so n8n's
// "Test credential" button works with the same values.
"use strict";

/** @typedef {import("n8n-workflow").ICredentialType} ICredentialType */

/** @implements {ICredentialType} */
class OutsetaGhlSyncOutsetaApi {
  name = "outsetaGhlSyncOutsetaApi";
  displayName = "Outseta API (outseta-ghl-sync)";
  documentationUrl = "https://go.outseta.com/support/kb/articles/Qyma0vWg/api-keys";
  /** @type {ICredentialType["properties"]} */
  properties = [
    {
      displayName: "Subdomain",
      name: "subdomain",
      type: "string",
      default: "",
      placeholder: "acme",
      description: "Your Outseta subdomain: acme for https://acme.outseta.com. Leave empty when Base URL is set.",
    },
    {
      displayName: "Base URL",
      name: "baseUrl",
      type: "string",
      default: "",
      placeholder: "http://127.0.0.1:8091/api/v1",
      description: "Overrides the subdomain: any Outseta API v1 base URL, e.g. a local simulator. Leave empty for https://SUBDOMAIN.outseta.com/api/v1.",
    },
    { displayName: "API Key", name: "apiKey", type: "string", typeOptions: { password: true }, default: "", required: true },
    { displayName: "Secret Key", name: "secretKey", type: "string", typeOptions: { password: true }, default: "", required: true },
    {
      displayName: "Webhook Signing Key",
      name: "signingKey",
      type: "string",
      typeOptions: { password: true },
      default: "",
      description: "64 hex digits from Outseta's Settings › Notifications. Needed only to accept webhook deliveries (the sync node's Webhook Payload mode).",
    },
  ];
  /** @type {ICredentialType["authenticate"]} */
  authenticate = {
    type: "generic",
    properties: { headers: { Authorization: "=Outseta {{$credentials.apiKey}}:{{$credentials.secretKey}}" } },
  };
  /** @type {ICredentialType["test"]} */
  test = {
    request: {
      baseURL: '={{$credentials.baseUrl || "https://" + $credentials.subdomain + ".outseta.com/api/v1"}}',
      url: "/crm/people",
      qs: { limit: 1 },
    },
  };
}

module.exports = { OutsetaGhlSyncOutsetaApi };
