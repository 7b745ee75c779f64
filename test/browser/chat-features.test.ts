import { after, before, describe, it } from "node:test";
import { chatFeaturesScenario, drawerScenario } from "./support/chat-features-scenario.ts";
import { type BrowserRig, startBrowserRig } from "./support/people.ts";

describe("chat features in the web client (embedded default)", () => {
  let rig: BrowserRig;
  before(async () => {
    rig = await startBrowserRig();
  });
  after(async () => {
    await rig?.close();
  });

  it("typing, read receipts, date separators, unread title, the room browser, edits, deletes and a ban, in two browsers", async () => {
    await chatFeaturesScenario(rig.browser, rig.url);
  });

  it("closes the phone-sized room drawer from its backdrop", async () => {
    await drawerScenario(rig.browser, rig.url);
  });
});
