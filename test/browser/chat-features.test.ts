import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Chatroom, startChatroom } from "@chatroom/all-in-one";
import type { Browser } from "playwright-core";
import { buildWebClient } from "../../packages/web/build.ts";
import { chatFeaturesScenario, drawerScenario } from "./support/chat-features-scenario.ts";
import { launchChromium } from "./support/people.ts";

describe("chat features in the web client (embedded default)", () => {
  let app: Chatroom;
  let browser: Browser;
  let dataDir = "";

  before(async () => {
    await buildWebClient();
    dataDir = mkdtempSync(join(tmpdir(), "chatroom-browser-features-"));
    app = await startChatroom({ port: 0, dataDir });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("typing, read receipts, date separators, unread title, the room browser and a ban, in two browsers", async () => {
    await chatFeaturesScenario(browser, app.url);
  });

  it("closes the phone-sized room drawer from its backdrop", async () => {
    await drawerScenario(browser, app.url);
  });
});
