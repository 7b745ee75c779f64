import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Fixture, register, startFixture, waitFor } from "./support/fixture.ts";

describe("chatting in the embedded default", () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture();
  });
  after(async () => {
    await fixture.close();
  });

  it("lets two members chat in the lobby, each message shown once to both", async () => {
    const alice = await register(fixture, "alice");
    const bob = await register(fixture, "bob");
    const aliceTab = await alice.connect();
    const bobTab = await bob.connect();
    try {
      const sent = await aliceTab.client.send("lobby", "hello bob");
      assert.ok(sent.message && sent.message.seq > 0);
      await bobTab.client.send("lobby", "hi alice");
      await waitFor(() => aliceTab.texts("lobby").includes("hi alice"), "alice to see bob's message");
      await waitFor(() => bobTab.texts("lobby").includes("hello bob"), "bob to see alice's message");
      for (const tab of [aliceTab, bobTab]) {
        const mine = tab.messages.filter((m) => m.text === "hello bob" || m.text === "hi alice");
        assert.equal(mine.length, 2, "each message exactly once");
        const seqs = tab.seqs("lobby");
        assert.deepEqual(
          seqs,
          [...seqs].sort((a, b) => a - b),
          "in seq order",
        );
      }
      const received = bobTab.messages.find((m) => m.text === "hello bob");
      assert.equal(received?.senderId, alice.memberId);
      assert.equal(received?.senderName, alice.name);
    } finally {
      await aliceTab.client.close();
      await bobTab.client.close();
    }
  });

  it("delivers a direct message to every connection of the recipient and to the sender", async () => {
    const carol = await register(fixture, "carol");
    const dave = await register(fixture, "dave");
    const carolTab = await carol.connect();
    const davePhone = await dave.connect();
    const daveLaptop = await dave.connect();
    try {
      const reply = await carolTab.client.sendDirect(dave.memberId, "psst, dave");
      const roomId = reply.message?.roomId ?? "";
      const low = Math.min(carol.memberId, dave.memberId);
      const high = Math.max(carol.memberId, dave.memberId);
      assert.equal(roomId, `dm:${low}:${high}`);
      for (const tab of [davePhone, daveLaptop, carolTab]) {
        await waitFor(() => tab.texts(roomId).includes("psst, dave"), "the DM on every connection");
        assert.equal(tab.texts(roomId).length, 1);
      }
      const lobbyHistory = await dave.http.history("lobby");
      assert.ok(!lobbyHistory.messages.some((m) => m.text === "psst, dave"), "a DM stays out of the lobby");
      const erin = await register(fixture, "erin");
      await assert.rejects(erin.http.history(roomId), (error: unknown) => {
        assert.equal((error as { status?: number }).status, 403);
        return true;
      });
    } finally {
      await Promise.all([carolTab.client.close(), davePhone.client.close(), daveLaptop.client.close()]);
    }
  });

  it("pages history by seq over HTTP and over the WebSocket", async () => {
    const frank = await register(fixture, "frank");
    await frank.http.createRoom("history-room", "History");
    for (let i = 1; i <= 25; i += 1) await frank.http.sendMessage("history-room", `message ${i}`);
    const newest = await frank.http.history("history-room", { limit: 10 });
    assert.deepEqual(
      newest.messages.map((m) => m.seq),
      [16, 17, 18, 19, 20, 21, 22, 23, 24, 25],
    );
    assert.equal(newest.hasMore, true);
    const older = await frank.http.history("history-room", { before: 16, limit: 10 });
    assert.deepEqual(
      older.messages.map((m) => m.seq),
      [6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    );
    const oldest = await frank.http.history("history-room", { before: 6, limit: 10 });
    assert.deepEqual(
      oldest.messages.map((m) => m.seq),
      [1, 2, 3, 4, 5],
    );
    assert.equal(oldest.hasMore, false);
    const tab = await frank.connect();
    try {
      const page = await tab.client.history("history-room", { afterSeq: 20, limit: 3 });
      assert.deepEqual(
        page.messages.map((m) => m.text),
        ["message 21", "message 22", "message 23"],
      );
      assert.equal(page.hasMore, true);
    } finally {
      await tab.client.close();
    }
  });

  it("joins and leaves rooms over the WebSocket, and live messages follow membership", async () => {
    const gina = await register(fixture, "gina");
    const hank = await register(fixture, "hank");
    await gina.http.createRoom("book-club", "Book club");
    const hankTab = await hank.connect();
    try {
      await hankTab.client.join("book-club");
      await gina.http.sendMessage("book-club", "welcome hank");
      await waitFor(() => hankTab.texts("book-club").includes("welcome hank"), "the message after joining");
      await hankTab.client.leave("book-club");
      await gina.http.sendMessage("book-club", "bye hank");
      await gina.http.sendMessage("lobby", "sync point");
      await waitFor(() => hankTab.texts("lobby").includes("sync point"), "a later lobby message");
      assert.ok(!hankTab.texts("book-club").includes("bye hank"), "no messages after leaving");
      await assert.rejects(hankTab.client.send("book-club", "let me back"), (error: unknown) => {
        assert.equal((error as { code?: string }).code, "not_member");
        return true;
      });
    } finally {
      await hankTab.client.close();
    }
  });

  it("reports online members per room in heartbeat replies", async () => {
    const ivy = await register(fixture, "ivy");
    const jack = await register(fixture, "jack");
    await ivy.http.createRoom("online-room", "Online");
    await jack.http.joinRoom("online-room");
    const ivyTab = await ivy.connect();
    const jackTab = await jack.connect();
    const jackTab2 = await jack.connect();
    try {
      await waitFor(() => ivyTab.client.online.get("online-room") === 2, "2 members online (jack counted once)");
      await jackTab.client.close();
      await jackTab2.client.close();
      await waitFor(() => ivyTab.client.online.get("online-room") === 1, "jack gone");
    } finally {
      await Promise.all([ivyTab.client.close(), jackTab.client.close(), jackTab2.client.close()]);
    }
  });

  it("makes a retried send idempotent: the same client message id is stored and shown once", async () => {
    const kim = await register(fixture, "kim");
    const tab = await kim.connect();
    try {
      const first = await tab.client.send("lobby", "only once", { clientMsgId: "retry-1" });
      const again = await tab.client.send("lobby", "only once", { clientMsgId: "retry-1" });
      assert.equal(again.duplicate, true);
      assert.equal(again.message?.seq, first.message?.seq);
      const overHttp = await kim.http.sendMessage("lobby", "only once", "retry-1");
      assert.equal(overHttp.duplicate, true);
      const page = await kim.http.history("lobby", { limit: 200 });
      assert.equal(page.messages.filter((m) => m.clientMsgId === "retry-1").length, 1);
      // A sentinel sent after the retries: once it arrived, any second delivery of the message would have too.
      await tab.client.send("lobby", "sentinel after only once");
      await waitFor(() => tab.texts("lobby").includes("sentinel after only once"), "the sentinel");
      assert.equal(tab.texts("lobby").filter((t) => t === "only once").length, 1);
    } finally {
      await tab.client.close();
    }
  });
});
