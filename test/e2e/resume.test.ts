import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cuttableSockets } from "./support/cuttable-sockets.ts";
import { type Fixture, register, startFixture, waitFor } from "./support/fixture.ts";

describe("resuming after a dropped connection", () => {
  let fixture: Fixture;
  before(async () => {
    // A small resume page makes the client page on with HISTORY after_seq (has_more).
    fixture = await startFixture({ CHATROOM_RESUME_PAGE_SIZE: "5" });
  });
  after(async () => {
    await fixture.close();
  });

  it("delivers every message sent while away exactly once, in order, before and among live ones", async () => {
    const alice = await register(fixture, "alice");
    const bob = await register(fixture, "bob");
    await bob.http.createRoom("resume-room", "Resume");
    await alice.http.joinRoom("resume-room");
    const sockets = cuttableSockets();
    const aliceTab = await alice.connect({ WebSocket: sockets.ctor });
    const bobTab = await bob.connect();
    const states: string[] = [];
    aliceTab.client.on("state", (change) => states.push(change.state));
    try {
      for (let i = 1; i <= 10; i += 1) await bobTab.client.send("resume-room", `before ${i}`);
      await waitFor(() => aliceTab.seqs("resume-room").length === 10, "the first 10 messages");

      sockets.state.blocked = true;
      sockets.cut();
      await waitFor(() => states.includes("reconnecting"), "alice to notice the drop");
      for (let i = 1; i <= 17; i += 1) await bobTab.client.send("resume-room", `while away ${i}`);
      for (let i = 1; i <= 6; i += 1) await bob.http.sendMessage("resume-room", `over http ${i}`);

      sockets.state.blocked = false;
      const live = (async () => {
        for (let i = 1; i <= 10; i += 1) await bobTab.client.send("resume-room", `live ${i}`);
      })();
      await live;
      await waitFor(() => aliceTab.seqs("resume-room").length >= 43, "all 43 messages", 20_000);
      // A sentinel (seq 44): once it arrived, a late duplicate of 1..43 would have arrived before it.
      await bobTab.client.send("resume-room", "sentinel");
      await waitFor(() => aliceTab.texts("resume-room").includes("sentinel"), "the sentinel");

      const seqs = aliceTab.seqs("resume-room");
      assert.deepEqual(
        seqs,
        Array.from({ length: 44 }, (_, i) => i + 1),
        "seq 1..43 and the sentinel, none missing, none twice",
      );
      const texts = aliceTab.texts("resume-room");
      assert.equal(texts.indexOf("while away 1"), 10);
      assert.ok(texts.indexOf("over http 6") < texts.indexOf("live 1"), "missed messages come before later ones");
      assert.equal(aliceTab.client.state, "open");
    } finally {
      await aliceTab.client.close();
      await bobTab.client.close();
    }
  });

  it("retries a send interrupted by a drop with the same client message id, so it is stored once", async () => {
    const carol = await register(fixture, "carol");
    const sockets = cuttableSockets();
    const tab = await carol.connect({ WebSocket: sockets.ctor });
    try {
      sockets.state.blocked = true;
      const pending = tab.client.send("lobby", "sent through the drop", { clientMsgId: "drop-1" });
      sockets.cut();
      await new Promise((resolve) => setTimeout(resolve, 150));
      sockets.state.blocked = false;
      const reply = await pending;
      assert.equal(reply.message?.text, "sent through the drop");
      const page = await carol.http.history("lobby", { limit: 200 });
      assert.equal(page.messages.filter((m) => m.clientMsgId === "drop-1").length, 1);
      await waitFor(() => tab.texts("lobby").includes("sent through the drop"), "the message shown");
      await tab.client.send("lobby", "sentinel after the drop");
      await waitFor(() => tab.texts("lobby").includes("sentinel after the drop"), "the sentinel");
      assert.equal(tab.texts("lobby").filter((t) => t === "sent through the drop").length, 1);
    } finally {
      await tab.client.close();
    }
  });
});
