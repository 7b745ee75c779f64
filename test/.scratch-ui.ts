import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startChatroom } from "@chatroom/all-in-one";
import { ApiError, ChatHttp } from "@chatroom/client";
import { chromium } from "playwright-core";

const shots = "/tmp/ui-shots";
const app = await startChatroom({ port: 0, dataDir: mkdtempSync(join(tmpdir(), "ui-")) });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const errors: string[] = [];
try {
  const carol = new ChatHttp({ baseUrl: app.url });
  await carol.register("carol", "password-123");
  for (let i = 1; i <= 75; i++) {
    for (;;) {
      try {
        await carol.sendMessage("lobby", `backlog message ${i}`);
        break;
      } catch (e) {
        if (e instanceof ApiError && e.code === "rate_limited")
          await new Promise((r) => setTimeout(r, e.retryAfterMs || 200));
        else throw e;
      }
    }
  }
  const mk = async (name: string, viewport = { width: 1280, height: 800 }) => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    page.on("response", (r) => {
      if (r.status() >= 400) console.log(name, r.status(), r.request().method(), r.url());
    });
    page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
    page.on("console", (m) => {
      if (m.text().startsWith("DEBUG") && name === "bob") console.log(name, m.text());
    });
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`${name} console: ${m.text()}`);
    });
    await page.goto(app.url);
    await page.getByTestId("auth-username").fill(name);
    await page.getByTestId("auth-password").fill("password-123");
    await page.getByTestId("register-button").click();
    await page.getByTestId("connection-state").filter({ hasText: "online" }).waitFor();
    return { context, page };
  };
  const alice = await mk("alice");
  const bob = await mk("bob");
  const b = bob.page;
  await b.getByTestId("message-text").filter({ hasText: "backlog message 75" }).waitFor();
  console.log(
    "bob initial count",
    await b.getByTestId("message").count(),
    await b.evaluate(() => document.visibilityState),
    await alice.page.evaluate(() => document.visibilityState),
  );
  console.log("acked", JSON.stringify((await carol.members("lobby")).members.map((m) => [m.username, m.ackedSeq])));
  await b.screenshot({ path: `${shots}/1-bob-lobby.png` });
  // scroll to top
  await b.getByTestId("message-list").evaluate((el) => {
    el.scrollTop = 0;
  });
  await b
    .getByTestId("message-text")
    .filter({ hasText: /^backlog message 1$/ })
    .waitFor();
  console.log("bob after scroll", await b.getByTestId("message").count(), await b.getByTestId("history-start").count());
  // members and DM
  await b.getByTestId("toggle-members").click();
  await b.getByTestId("member-item").first().waitFor();
  console.log("members", await b.getByTestId("member-item").allTextContents());
  await b.locator('[data-testid="member-item"]', { hasText: "alice" }).getByTestId("dm-button").click();
  console.log("dm title", await b.getByTestId("room-title").textContent());
  await b.getByTestId("composer-input").fill("hi alice, privately");
  await b.getByTestId("composer-input").press("Enter");
  await b.locator('[data-testid="message"][data-state="sent"]', { hasText: "privately" }).waitFor();
  await b.screenshot({ path: `${shots}/2-bob-dm.png` });
  const a = alice.page;
  await a.getByTestId("dm-list").getByTestId("room-item").waitFor();
  console.log("alice dm item", await a.getByTestId("dm-list").getByTestId("room-item").textContent());
  await a.screenshot({ path: `${shots}/3-alice-unread.png` });
  await a.getByTestId("dm-list").getByTestId("room-item").click();
  await a.getByTestId("message-text").filter({ hasText: "hi alice, privately" }).waitFor();
  // alice replies in DM
  await a.getByTestId("composer-input").fill("hey bob");
  await a.getByTestId("composer-input").press("Enter");
  await b.getByTestId("message-text").filter({ hasText: "hey bob" }).waitFor();
  // create room
  await a.getByTestId("create-room-id").fill("news");
  await a.getByTestId("create-room-name").fill("News desk");
  await a.getByTestId("create-room-button").click();
  await a.getByTestId("room-title").filter({ hasText: "News desk" }).waitFor();
  await a.getByTestId("composer-input").fill("first news");
  await a.getByTestId("composer-input").press("Enter");
  // bob browses and joins
  await b.getByTestId("browse-rooms-button").click();
  await b.locator('[data-testid="browse-join"][data-room-id="news"]').click();
  await b.getByTestId("room-title").filter({ hasText: "News desk" }).waitFor();
  await b.getByTestId("message-text").filter({ hasText: "first news" }).waitFor();
  await b.getByTestId("browse-open").first().waitFor();
  await b.screenshot({ path: `${shots}/4-bob-news.png` });
  // alice in news sees the live message from bob
  await b.getByTestId("composer-input").fill("thanks for the news");
  await b.getByTestId("composer-input").press("Enter");
  await a.getByTestId("message-text").filter({ hasText: "thanks for the news" }).waitFor();
  // lobby unread for alice: carol posts
  await carol.sendMessage("lobby", "anyone here?");
  await a.locator('[data-testid="room-item"][data-room-id="lobby"] [data-testid="unread-badge"]').waitFor();
  console.log("alice lobby badge", await a.locator('[data-testid="room-item"][data-room-id="lobby"]').textContent());
  // leave news
  await b.getByTestId("leave-room-button").click();
  await b.getByTestId("room-title").filter({ hasText: "Lobby" }).waitFor();
  console.log("bob rooms after leave", await b.getByTestId("room-item").allTextContents());
  await b.screenshot({ path: `${shots}/4b-bob-after-leave.png` });
  // narrow
  const n = await mk("nina", { width: 390, height: 760 });
  await n.page.screenshot({ path: `${shots}/5-narrow.png` });
  await n.page.getByTestId("toggle-sidebar").click();
  await n.page.waitForTimeout(300);
  await n.page.screenshot({ path: `${shots}/6-narrow-sidebar.png` });
  // reload keeps session (cookie)
  await a.reload();
  await a.getByTestId("connection-state").filter({ hasText: "online" }).waitFor();
  console.log("alice after reload title", await a.getByTestId("room-title").textContent());
  // logout
  await a.getByTestId("logout-button").click();
  await a.getByTestId("auth-view").waitFor();
  await a.reload();
  await a.getByTestId("auth-view").waitFor();
  console.log("alice logged out ok");
  console.log("localStorage", await a.evaluate(() => JSON.stringify(localStorage)));
} finally {
  console.log("errors", errors);
  await browser.close();
  await app.close();
}
