// HighLevel (GHL) Contacts API v2 credentials for one location, with a Private
// Integration token. Base URL is overridable so tests and simulators can stand in.
"use strict";

/** @typedef {import("n8n-workflow").ICredentialType} ICredentialType */

/** @implements {ICredentialType} */
class OutsetaGhlSyncHighLevelApi {
  name = "outsetaGhlSyncHighLevelApi";
  displayName = "HighLevel Private Integration (outseta-ghl-sync)";
  documentationUrl = "https://highlevel.stoplight.io/docs/integrations/a815845536249-private-integrations";
  /** @type {ICredentialType["properties"]} */
  properties = [
    {
      displayName: "Private Integration Token",
      name: "token",
      type: "string",
      typeOptions: { password: true },
      default: "",
      required: true,
      description: "Settings › Private Integrations; it needs the contacts, notes and tasks scopes",
    },
    { displayName: "Location ID", name: "locationId", type: "string", default: "", required: true },
    {
      displayName: "Base URL",
      name: "baseUrl",
      type: "string",
      default: "",
      placeholder: "https://services.leadconnectorhq.com",
      description: "Leave empty for https://services.leadconnectorhq.com; set it to point at a simulator or proxy",
    },
  ];
  /** @type {ICredentialType["authenticate"]} */
  authenticate = {
    type: "generic",
    properties: { headers: { Authorization: "=Bearer {{$credentials.token}}", Version: "2021-07-28" } },
  };
  /** @type {ICredentialType["test"]} */
  test = {
    request: {
      baseURL: '={{$credentials.baseUrl || "https://services.leadconnectorhq.com"}}',
      url: "/contacts/",
      qs: { locationId: "={{$credentials.locationId}}", limit: 1 },
    },
  };
}

module.exports = { OutsetaGhlSyncHighLevelApi };
