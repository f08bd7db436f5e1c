// An independent check that the simulator is faithful: HighLevel's official SDK
// (@gohighlevel/api-client), pointed at it, creates, gets, updates, searches, tags and
// deletes a contact, with zero spec violations counted by the simulator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HighLevel } from "@gohighlevel/api-client";
import { startGhlSim } from "../../sim/ghl.mjs";

test("the official SDK runs the contact lifecycle against the simulator", async () => {
  const sim = await startGhlSim({ duplicates: "email" });
  // The SDK has no base-URL option: it reads the static HighLevel.BASE_URL when constructed.
  const original = HighLevel.BASE_URL;
  HighLevel.BASE_URL = sim.url;
  try {
    // The SDK's default Version is 2023-02-21; contacts.json only accepts 2021-07-28.
    const ghl = new HighLevel({ privateIntegrationToken: "sim-token", apiVersion: "2021-07-28", logLevel: "none" });
    const created = await ghl.contacts.createContact({ locationId: "loc_sim", email: "sdk@example.com", firstName: "Sdk", phone: "+1 888 555 0199" });
    const id = created.contact.id;
    assert.equal(created.contact.phone, "+18885550199");
    const got = await ghl.contacts.getContact({ contactId: id });
    assert.equal(got.contact.email, "sdk@example.com");
    const updated = await ghl.contacts.updateContact({ contactId: id }, { lastName: "Kit" });
    assert.equal(updated.succeded, true);
    assert.equal(updated.contact.lastName, "Kit");
    const found = await ghl.contacts.searchContactsAdvanced({ locationId: "loc_sim", pageLimit: 10, filters: [{ field: "email", operator: "eq", value: "sdk@example.com" }] });
    assert.equal(found.total, 1);
    assert.equal(found.contacts[0].id, id);
    const tags = await ghl.contacts.addTags({ contactId: id }, { tags: ["sdk"] });
    assert.deepEqual(tags.tags, ["sdk"]);
    const dup = await ghl.contacts.getDuplicateContact({ locationId: "loc_sim", email: "sdk@example.com" });
    assert.equal(dup.contact.id, id);
    await assert.rejects(ghl.contacts.createContact({ locationId: "loc_sim", email: "sdk@example.com" }), (err) => {
      assert.equal(err.statusCode ?? err.status ?? err.response?.status, 400);
      return true;
    });
    const deleted = await ghl.contacts.deleteContact({ contactId: id });
    assert.equal(deleted.succeded, true);
    const stats = await (await fetch(`${sim.url}/_sim/stats`)).json();
    assert.equal(stats.validationErrors, 0);
    assert.equal(stats.byStatus[422] ?? 0, 0);
  } finally {
    HighLevel.BASE_URL = original;
    await sim.close();
  }
});
