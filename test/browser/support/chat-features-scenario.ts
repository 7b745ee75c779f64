import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { closePeople, messageWithText, openPerson, type Person, register, say } from "./people.ts";

/** The open room's title reads `text` (ignoring the # or padlock in front). */
async function inRoom(person: Person, text: string): Promise<void> {
  await person.page.getByTestId("room-title").filter({ hasText: text }).waitFor();
}

async function openRoom(person: Person, roomId: string): Promise<void> {
  await person.page.locator(`[data-testid="room-item"][data-room-id="${roomId}"]`).click();
}

/**
 * Two people in two browsers against a running chatroom at `url` (the embedded default, or the local cluster's
 * load balancer): one creates a room the other finds in the browser and joins; they see each other type, read
 * receipts ("seen by"), date separators, unread counts in the tab title; the author edits (Enter saves, Esc
 * cancels) and deletes a message, the owner deletes another's, and both pages show "(edited)" and the tombstones;
 * the owner bans the other, whose page drops the room at once. No failed HTTP request, dialog or page error along the way.
 */
export async function chatFeaturesScenario(browser: Browser, url: string): Promise<void> {
  const suffix = Date.now().toString(36);
  const aliceName = `alice_${suffix}`;
  const bobName = `bob_${suffix}`;
  const room = `club-${suffix}`;
  const alice = await openPerson(browser, url);
  const bob = await openPerson(browser, url);
  try {
    await register(alice, aliceName);
    await register(bob, bobName);

    // Alice creates a room; Bob finds it in the browser, joins, and the browser closes and stops offering it.
    await alice.page.getByTestId("create-room-id").fill(room);
    await alice.page.getByTestId("create-room-button").click();
    await inRoom(alice, room);
    await bob.page.getByTestId("browse-rooms-button").click();
    await bob.page.locator(`[data-testid="browse-join"][data-room-id="${room}"]`).click();
    await bob.page.getByTestId("browse-panel").waitFor({ state: "hidden" });
    await inRoom(bob, room);
    await bob.page.getByTestId("browse-rooms-button").click();
    await bob.page.getByTestId("browse-list").locator("li").first().waitFor();
    assert.equal(await bob.page.locator(`[data-testid="browse-item"][data-room-id="${room}"]`).count(), 0);
    await bob.page.getByTestId("browse-rooms-button").click();

    // Typing: Bob sees Alice type until her message arrives.
    await alice.page.getByTestId("composer-input").pressSequentially("Hello");
    await bob.page
      .getByTestId("typing-indicator")
      .filter({ hasText: `${aliceName} is typing…` })
      .waitFor();
    await alice.page.getByTestId("composer-input").fill("");
    await say(alice, "Hello Bob, this is our room.");
    await messageWithText(bob, "Hello Bob, this is our room.").waitFor();
    await bob.page.waitForFunction(() => document.getElementById("typing-line")?.textContent === "");

    // Read receipts: Bob's open page reads it; Alice sees who has seen her last message.
    await alice.page
      .getByTestId("seen-by")
      .filter({ hasText: `Seen by ${bobName}` })
      .waitFor();
    // Date separators, and others' messages sized to their text rather than the list's width.
    assert.equal(await bob.page.getByTestId("date-separator").first().textContent(), "Today");
    const list = await bob.page.getByTestId("message-list").boundingBox();
    const message = await bob.page.locator('[data-testid="message"]', { hasText: "Hello Bob" }).boundingBox();
    assert.ok(list && message && message.width < list.width / 2, "another's short message is narrow");

    // Unread count in the tab title while Alice looks at another room.
    await openRoom(alice, "lobby");
    await inRoom(alice, "Lobby");
    await say(bob, "ping from Bob");
    await alice.page.waitForFunction(() => /^\(1\) chatroom$/.test(document.title));
    await openRoom(alice, room);
    await alice.page.waitForFunction(() => document.title === "chatroom");

    // Edits and deletes: Bob fixes his typo inline (Enter saves); Alice sees the new text marked "(edited)".
    await say(bob, "Helo Alice");
    await messageWithText(alice, "Helo Alice").waitFor();
    const bobsTypo = bob.page.locator('[data-testid="message"]', { hasText: "Helo Alice" });
    await bobsTypo.hover();
    await bobsTypo.getByTestId("edit-message").click();
    const editor = bob.page.getByTestId("edit-input");
    await editor.fill("Hello Alice");
    await editor.press("Enter");
    await editor.waitFor({ state: "detached" });
    const fixed = alice.page.locator('[data-testid="message"]', { hasText: "Hello Alice" });
    await fixed.getByTestId("message-edited").waitFor();
    await messageWithText(alice, "Helo Alice").waitFor({ state: "detached" });
    await bob.page
      .locator('[data-testid="message"]', { hasText: "Hello Alice" })
      .getByTestId("message-edited")
      .waitFor();
    // Esc cancels an edit and changes nothing.
    await bob.page.locator('[data-testid="message"]', { hasText: "Hello Alice" }).hover();
    await bob.page.locator('[data-testid="message"]', { hasText: "Hello Alice" }).getByTestId("edit-message").click();
    await bob.page.getByTestId("edit-input").fill("never saved");
    await bob.page.getByTestId("edit-input").press("Escape");
    await bob.page.getByTestId("edit-input").waitFor({ state: "detached" });
    await messageWithText(bob, "Hello Alice").waitFor();
    // Alice, the owner, may delete Bob's message but not edit it.
    assert.equal(await fixed.getByTestId("edit-message").count(), 0, "no Edit on another's message");
    // Bob deletes his own message; Alice deletes another of Bob's: both pages show the tombstones.
    await say(bob, "wrong room, sorry");
    await say(bob, "buy cheap watches");
    const wrongRoom = bob.page.locator('[data-testid="message"]', { hasText: "wrong room, sorry" });
    await wrongRoom.hover();
    await wrongRoom.getByTestId("delete-message").click();
    const spam = alice.page.locator('[data-testid="message"]', { hasText: "buy cheap watches" });
    await spam.hover();
    await spam.getByTestId("delete-message").click();
    for (const person of [alice, bob]) {
      await messageWithText(person, "wrong room, sorry").waitFor({ state: "detached" });
      await messageWithText(person, "buy cheap watches").waitFor({ state: "detached" });
      await person.page.waitForFunction(
        () => document.querySelectorAll('[data-testid="message-deleted"]').length === 2,
      );
    }

    // Roles: Alice owns the room. Then she bans Bob from the members panel.
    await alice.page.getByTestId("toggle-members").click();
    const aliceItem = alice.page.getByTestId("member-item").filter({ hasText: `${aliceName} (you)` });
    await aliceItem.getByTestId("role-badge").filter({ hasText: "owner" }).waitFor();
    const bobItem = alice.page.getByTestId("member-item").filter({ hasText: bobName });
    await bobItem.getByTestId("member-menu-button").click();
    await bobItem.getByTestId("member-action-ban").click();
    await bob.page.getByTestId("connection-banner").filter({ hasText: "You were banned" }).waitFor();
    await bob.page.locator(`[data-testid="room-item"][data-room-id="${room}"]`).waitFor({ state: "detached" });
    await inRoom(bob, "Lobby");
    await alice.page.getByTestId("ban-item").filter({ hasText: bobName }).waitFor();
    await alice.page.getByTestId("member-item").filter({ hasText: bobName }).waitFor({ state: "detached" });

    for (const person of [alice, bob]) {
      assert.deepEqual(person.dialogs, []);
      assert.deepEqual(person.pageErrors, []);
      assert.deepEqual(person.failedResponses, [], "no failed request (the first load's included)");
    }
  } finally {
    await closePeople(alice, bob);
  }
}

/** On a phone-sized screen the room drawer has a backdrop that closes it. */
export async function drawerScenario(browser: Browser, url: string): Promise<void> {
  const person = await openPerson(browser, url, { width: 390, height: 760 });
  try {
    await register(person, `mobile_${Date.now().toString(36)}`);
    const app = person.page.locator("#app");
    await person.page.getByTestId("toggle-sidebar").click();
    await person.page.getByTestId("drawer-backdrop").waitFor({ state: "visible" });
    assert.equal(await app.getAttribute("data-sidebar"), "open");
    // Outside the drawer (it is at most 85% of the width wide), on the backdrop.
    await person.page.mouse.click(380, 500);
    await person.page.getByTestId("drawer-backdrop").waitFor({ state: "hidden" });
    assert.equal(await app.getAttribute("data-sidebar"), "closed");
    assert.deepEqual(person.pageErrors, []);
  } finally {
    await closePeople(person);
  }
}
