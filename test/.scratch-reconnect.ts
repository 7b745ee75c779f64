import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startChatroom } from "@chatroom/all-in-one";
import { ChatHttp } from "@chatroom/client";
import { chromium } from "playwright-core";

const dataDir = mkdtempSync(join(tmpdir(), "ui-"));
let app = await startChatroom({ port: 0, dataDir });
const port = app.port;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on("pageerror", (e) => console.log("pageerror", e.message));
  await page.goto(app.url);
  await page.getByTestId("auth-username").fill("bob");
  await page.getByTestId("auth-password").fill("password-123");
  await page.getByTestId("register-button").click();
  await page.getByTestId("connection-state").filter({ hasText: "online" }).waitFor();
  console.log("closing server");
  await app.close();
  console.log("closed server");
  page.on("close", () => console.log("page closed"));
  browser.on("disconnected", () => console.log("browser disconnected"));
  await page.getByTestId("connection-banner").filter({ hasText: "Reconnecting" }).waitFor();
  await page.screenshot({ path: "/tmp/ui-shots/7-reconnecting.png" });
  console.log("banner:", await page.getByTestId("connection-banner").textContent());
  // composer while offline: message pending
  await page.getByTestId("composer-input").fill("sent while offline");
  await page.getByTestId("composer-input").press("Enter");
  await page.locator('[data-testid="message"][data-state="pending"]').waitFor();
  app = await startChatroom({ port, dataDir });
  const carol = new ChatHttp({ baseUrl: app.url });
  await carol.register("carol", "password-123");
  await carol.sendMessage("lobby", "missed 1");
  await carol.sendMessage("lobby", "missed 2");
  await page.getByTestId("connection-state").filter({ hasText: "online" }).waitFor();
  await page.getByTestId("message-text").filter({ hasText: "missed 2" }).waitFor();
  await page.locator('[data-testid="message"][data-state="sent"]', { hasText: "sent while offline" }).waitFor();
  console.log(
    "banner after:",
    (await page.getByTestId("connection-banner").isVisible())
      ? await page.getByTestId("connection-banner").textContent()
      : "(hidden)",
  );
  await page.screenshot({ path: "/tmp/ui-shots/8-resumed.png" });
  console.log("texts", await page.getByTestId("message-text").allTextContents());
  const h = await carol.history("lobby");
  console.log(
    "stored",
    h.messages.map((m) => m.text),
  );
} finally {
  await browser.close();
  await app.close();
}
