import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Chatroom, startChatroom } from "@chatroom/all-in-one";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { buildWebClient } from "../../packages/web/build.ts";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const XSS = "<img src=x onerror=alert(1)>";
const WAIT_MS = 20_000;

/** A person in their own browser context (own cookie jar), with every dialog recorded (none may appear). */
interface Person {
  context: BrowserContext;
  page: Page;
  dialogs: string[];
  pageErrors: string[];
}

async function openPerson(browser: Browser, url: string): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const person: Person = { context, page, dialogs: [], pageErrors: [] };
  page.on("dialog", (dialog) => {
    person.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => person.pageErrors.push(error.message));
  await page.goto(url);
  return person;
}

async function register(person: Person, username: string): Promise<void> {
  const { page } = person;
  await page.getByTestId("auth-view").waitFor({ state: "visible" });
  await page.getByTestId("auth-username").fill(username);
  await page.getByTestId("auth-password").fill("correct horse battery");
  await page.getByTestId("register-button").click();
  await page.getByTestId("chat-view").waitFor({ state: "visible" });
  await page.getByTestId("connection-state").filter({ hasText: "online" }).waitFor();
  await page.getByTestId("room-title").filter({ hasText: "Lobby" }).waitFor();
  assert.equal(await page.getByTestId("current-user").textContent(), username);
}

async function say(person: Person, text: string): Promise<void> {
  const input = person.page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
  // Acknowledged by the server: the pending entry became a stored message with a seq.
  await person.page.locator('[data-testid="message"][data-state="sent"]', { hasText: text }).waitFor();
}

/** The message elements whose text is exactly `text`, as rendered text (not markup). */
function messageWithText(person: Person, text: string) {
  return person.page
    .getByTestId("message-list")
    .getByTestId("message-text")
    .filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) });
}

describe("two people chatting in the web client", () => {
  let app: Chatroom | undefined;
  let browser: Browser | undefined;
  let dataDir = "";
  let shotsDir = "";

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: the browser test needs Chromium there (e.g. apt-get install chromium)`);
    }
    await buildWebClient();
    dataDir = mkdtempSync(join(tmpdir(), "chatroom-browser-data-"));
    shotsDir = mkdtempSync(join(tmpdir(), "chatroom-browser-shots-"));
    app = await startChatroom({ port: 0, dataDir });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("lets two registered people in the lobby see each other's messages, showing markup as plain text", async () => {
    assert.ok(app && browser);
    const suffix = Date.now().toString(36);
    const alice = await openPerson(browser, app.url);
    const bob = await openPerson(browser, app.url);
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
