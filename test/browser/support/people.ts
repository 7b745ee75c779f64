import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startChatroom } from "@chatroom/all-in-one";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { buildWebClient } from "../../../packages/web/build.ts";

export const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const WAIT_MS = 20_000;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser test needs Chromium there (e.g. apt-get install chromium)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A person in their own browser context (own cookie jar), with every dialog recorded (none may appear), every
 * uncaught page error, and every failed HTTP response the page got (a red line in the console).
 */
export interface Person {
  context: BrowserContext;
  page: Page;
  dialogs: string[];
  pageErrors: string[];
  failedResponses: string[];
}

export async function openPerson(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 800 },
): Promise<Person> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const person: Person = { context, page, dialogs: [], pageErrors: [], failedResponses: [] };
  page.on("dialog", (dialog) => {
    person.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => person.pageErrors.push(error.message));
  page.on("response", (response) => {
    if (response.status() >= 400) person.failedResponses.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(url);
  return person;
}

export async function register(person: Person, username: string): Promise<void> {
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

export async function say(person: Person, text: string): Promise<void> {
  const input = person.page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
  // Acknowledged by the server: the pending entry became a stored message with a seq.
  await person.page.locator('[data-testid="message"][data-state="sent"]', { hasText: text }).waitFor();
}

/** The message elements whose text is exactly `text`, as rendered text (not markup). */
export function messageWithText(person: Person, text: string) {
  return person.page
    .getByTestId("message-list")
    .getByTestId("message-text")
    .filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) });
}

export async function closePeople(...people: Person[]): Promise<void> {
  for (const person of people) await person.context.close();
}

/** The web client built, an embedded chatroom over a fresh data dir, and Chromium: what each browser test needs. */
export interface BrowserRig {
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function startBrowserRig(): Promise<BrowserRig> {
  await buildWebClient();
  const dataDir = mkdtempSync(join(tmpdir(), "chatroom-browser-data-"));
  const app = await startChatroom({ port: 0, dataDir });
  const browser = await launchChromium();
  return {
    url: app.url,
    browser,
    async close() {
      await browser.close();
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
