import assert from "node:assert/strict";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type BrowserRig, messageWithText, openPerson, register, say, startBrowserRig } from "./support/people.ts";

const XSS = "<img src=x onerror=alert(1)>";

describe("two people chatting in the web client", () => {
  let rig: BrowserRig | undefined;
  let shotsDir = "";

  before(async () => {
    shotsDir = mkdtempSync(join(tmpdir(), "chatroom-browser-shots-"));
    rig = await startBrowserRig();
  });

  after(async () => {
    await rig?.close();
  });

  it("lets two registered people in the lobby see each other's messages, showing markup as plain text", async () => {
    assert.ok(rig);
    const suffix = Date.now().toString(36);
    const alice = await openPerson(rig.browser, rig.url);
    const bob = await openPerson(rig.browser, rig.url);
    try {
      await register(alice, `alice_${suffix}`);
      await register(bob, `bob_${suffix}`);
      // Online counts arrive as pushes (heartbeats are 30 s apart with the defaults): both see two people at once.
      for (const person of [alice, bob]) {
        await person.page.waitForFunction(
          () => document.getElementById("room-online")?.textContent === "2 online",
          undefined,
          { timeout: 5000 },
        );
      }

      await say(alice, "Hi Bob, it's Alice!");
      await messageWithText(bob, "Hi Bob, it's Alice!").waitFor();
      await say(bob, "Hello Alice, Bob here.");
      await messageWithText(alice, "Hello Alice, Bob here.").waitFor();

      // Each sees the other's name on the message.
      const fromAlice = bob.page.locator('[data-testid="message"]', { hasText: "Hi Bob, it's Alice!" });
      assert.equal(await fromAlice.getByTestId("message-sender").textContent(), `alice_${suffix}`);

      await say(alice, XSS);
      const shown = messageWithText(bob, XSS);
      await shown.waitFor();
      assert.equal(await shown.textContent(), XSS);
      assert.equal(await bob.page.getByTestId("message-list").locator("img").count(), 0);
      assert.equal(await alice.page.getByTestId("message-list").locator("img").count(), 0);

      // Both see the whole conversation, in the same order.
      const expected = ["Hi Bob, it's Alice!", "Hello Alice, Bob here.", XSS];
      for (const person of [alice, bob]) {
        const texts = await person.page.getByTestId("message-list").getByTestId("message-text").allTextContents();
        assert.deepEqual(texts.slice(-3), expected);
      }

      const screenshot = join(shotsDir, "two-people-chat.png");
      await bob.page.screenshot({ path: screenshot, fullPage: true });
      assert.ok(statSync(screenshot).size > 0, "the screenshot was written");
      console.log(`screenshot: ${screenshot}`);

      assert.deepEqual(alice.dialogs, []);
      assert.deepEqual(bob.dialogs, []);
      assert.deepEqual(alice.pageErrors, []);
      assert.deepEqual(bob.pageErrors, []);
    } finally {
      await alice.context.close();
      await bob.context.close();
    }
  });
});
