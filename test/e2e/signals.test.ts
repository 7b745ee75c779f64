import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ReadDetail, TypingDetail } from "@chatroom/client";
import { type Fixture, register, startFixture, waitFor } from "./support/fixture.ts";

describe("typing indicators and read receipts (embedded)", () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture({ CHATROOM_READ_RECEIPT_INTERVAL_MS: "200" });
  });
  after(async () => {
    await fixture.close();
  });

  it("shows a member typing to the others until their message arrives", async () => {
    const alice = await register(fixture, "typist");
    const bob = await register(fixture, "watcher");
    const room = `typing-${alice.memberId}`;
    await alice.http.createRoom(room);
    await bob.http.joinRoom(room);
    const aliceTab = await alice.connect();
    const bobTab = await bob.connect();
    const seen: TypingDetail[] = [];
    bobTab.client.on("typing", (detail) => seen.push(detail));
    const aliceSaw: TypingDetail[] = [];
    aliceTab.client.on("typing", (detail) => aliceSaw.push(detail));
    await aliceTab.client.typing(room);
    await waitFor(() => bobTab.client.typists(room).length === 1, "bob to see alice typing");
    assert.deepEqual(bobTab.client.typists(room), [{ memberId: alice.memberId, username: alice.name }]);
    await aliceTab.client.send(room, "here it is");
    await waitFor(() => bobTab.texts(room).includes("here it is"), "the message");
    assert.deepEqual(bobTab.client.typists(room), [], "the message ends the indicator");
    assert.deepEqual(
      seen.map((d) => d.members.length),
      [1, 0],
    );
    assert.deepEqual(aliceSaw, [], "nobody is shown their own typing");
    await Promise.all([aliceTab.client.close(), bobTab.client.close()]);
  });

  it("tells the room who read up to where, and moves the reader's other devices along", async () => {
    const alice = await register(fixture, "writer");
    const bob = await register(fixture, "reader");
    const room = `read-${alice.memberId}`;
    await alice.http.createRoom(room);
    await bob.http.joinRoom(room);
    const aliceTab = await alice.connect();
    const bobPhone = await bob.connect();
    const bobLaptop = await bob.connect();
    const receipts: ReadDetail[] = [];
    aliceTab.client.on("read", (detail) => receipts.push(detail));
    const sent = await aliceTab.client.send(room, "did you read this?");
    const seq = sent.message?.seq ?? 0;
    await waitFor(() => bobPhone.texts(room).includes("did you read this?"), "bob's phone to get it");
    assert.equal(bobLaptop.client.rooms.get(room)?.ackedSeq, 0);
    await bobPhone.client.ack(room, seq);
    await waitFor(() => receipts.some((r) => r.memberId === bob.memberId), "alice to see bob's receipt");
    assert.deepEqual(receipts.at(-1), { roomId: room, memberId: bob.memberId, username: bob.name, seq });
    await waitFor(() => bobLaptop.client.rooms.get(room)?.ackedSeq === seq, "bob's laptop to count it as read");
    await Promise.all([aliceTab.client.close(), bobPhone.client.close(), bobLaptop.client.close()]);
  });
});
