import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Chatroom, startChatroom } from "@chatroom/all-in-one";
import { type Browser, chromium } from "playwright-core";
import { buildWebClient } from "../../packages/web/build.ts";

const CHROMIUM = "/usr/bin/chromium";

/**
 * The web client under its real Content-Security-Policy in a real browser: everything it does — load, register,
 * open the WebSocket, chat — must work without the browser reporting a single violation (a blocked inline style,
 * script, icon or connection would show up here before any user noticed).
 */
describe("the web client's Content-Security-Policy in Chromium", () => {
  let app: Chatroom;
  let browser: Browser;
  let dataDir = "";

  before(async () => {
    await buildWebClient();
    dataDir = mkdtempSync(join(tmpdir(), "chatroom-csp-"));
    app = await startChatroom({ port: 0, dataDir });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("lets the page register, connect and chat with no policy violation", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener("securitypolicyviolation", (event) => {
        seen.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    const response = await page.goto(app.url);
    assert.match(response?.headers()["content-security-policy"] ?? "", /default-src 'self'/);
    await page.getByTestId("auth-username").fill(`csp_${Date.now().toString(36)}`);
    await page.getByTestId("auth-password").fill("correct horse battery");
    await page.getByTestId("register-button").click();
    await page.getByTestId("connection-state").filter({ hasText: "online" }).waitFor();
    const input = page.getByTestId("composer-input");
    await input.fill("a line\nand a second one, so the box grows");
    await input.press("Enter");
    await page.locator('[data-testid="message"][data-state="sent"]').first().waitFor();
    const violations = await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
    assert.deepEqual(violations, []);
    await context.close();
  });
});
