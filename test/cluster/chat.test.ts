import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { MessageDelete, MessageEdit } from "@chatroom/client";
import { OnlineUpdate, Op } from "@chatroom/proto/protocol";
import { RawClient } from "../support/raw-client.ts";
import {
  type ClusterFixture,
  openTab,
  registerMember,
  startClusterFixture,
  waitFor,
} from "./support/cluster-fixture.ts";

/** The count of the next OP_ONLINE push about `room`. */
async function onlinePushed(client: RawClient, room: string): Promise<number | undefined> {
  for (;;) {
    const update = OnlineUpdate.decode((await client.push(Op.ONLINE)).body);
    const entry = update.online.find((o) => o.roomId === room);
    if (entry) return entry.count;
  }
}

describe("the distributed cluster (2 logics, 2 comets, 2 jobs on Kafka, MySQL and Redis)", () => {
  let fixture: ClusterFixture;
  before(async () => {
    fixture = await startClusterFixture();
  });
  after(async () => {
    await fixture?.close();
  });

  it("lets members on different comets chat in one room", async () => {
    const { cluster } = fixture;
    const [cometA, cometB] = cluster.comets;
    assert.ok(cometA && cometB);
    const alice = await registerMember(cluster, "alice");
    const bob = await registerMember(cluster, "bob");
    const aliceTab = await openTab(alice, cluster.cometWsUrl(cometA));
    const bobTab = await openTab(bob, cluster.cometWsUrl(cometB));
    try {
      assert.notEqual(aliceTab.client.member?.server, bobTab.client.member?.server);
      await aliceTab.client.send("lobby", "hello from comet-1");
      await bobTab.client.send("lobby", "hello from comet-2");
      for (const tab of [aliceTab, bobTab]) {
        await waitFor(
          () => ["hello from comet-1", "hello from comet-2"].every((t) => tab.texts("lobby").includes(t)),
          "both messages on both comets",
        );
        assert.equal(tab.texts("lobby").filter((t) => t.startsWith("hello from comet")).length, 2);
      }
    } finally {
      await aliceTab.client.close();
      await bobTab.client.close();
    }
  });

  it("delivers a DM to a member connected to two comets", async () => {
    const { cluster } = fixture;
    const [cometA, cometB] = cluster.comets;
    assert.ok(cometA && cometB);
    const carol = await registerMember(cluster, "carol");
    const dave = await registerMember(cluster, "dave");
    const carolTab = await openTab(carol, cluster.cometWsUrl(cometA));
    const daveOnA = await openTab(dave, cluster.cometWsUrl(cometA));
    const daveOnB = await openTab(dave, cluster.cometWsUrl(cometB));
    try {
      const reply = await carolTab.client.sendDirect(dave.id, "for both of your devices");
      const roomId = reply.message?.roomId ?? "";
      for (const tab of [daveOnA, daveOnB, carolTab]) {
        await waitFor(() => tab.texts(roomId).includes("for both of your devices"), "the DM everywhere");
      }
    } finally {
      await Promise.all([carolTab.client.close(), daveOnA.client.close(), daveOnB.client.close()]);
    }
  });

  it("carries edits and deletes to members on the other comet, live, and stores them for history", async () => {
    const { cluster } = fixture;
    const [cometA, cometB] = cluster.comets;
    assert.ok(cometA && cometB);
    const owner = await registerMember(cluster, "owner");
    const author = await registerMember(cluster, "author");
    const room = `edits-${owner.id}`;
    await owner.http.createRoom(room, "edits");
    await author.http.joinRoom(room);
    const ownerTab = await openTab(owner, cluster.cometWsUrl(cometA));
    const authorTab = await openTab(author, cluster.cometWsUrl(cometB));
    const edits: MessageEdit[] = [];
    const deletes: MessageDelete[] = [];
    ownerTab.client.on("edit", (edit) => edits.push(edit));
    ownerTab.client.on("delete", (deletion) => deletes.push(deletion));
    try {
      const first = (await authorTab.client.send(room, "frist")).message?.seq ?? 0;
      const second = (await authorTab.client.send(room, "spam")).message?.seq ?? 0;
      await waitFor(() => ownerTab.texts(room).length === 2, "both messages on the owner's comet");
      await authorTab.client.edit(room, first, "first");
      // Over HTTP, through the load balancer (either logic): the owner deletes the author's message.
      const deleted = await owner.http.deleteMessage(room, second);
      assert.equal(deleted.event.kind, "delete");
      await waitFor(() => edits.length === 1 && deletes.length === 1, "the edit and the delete on the other comet");
      assert.deepEqual(
        [edits[0]?.targetSeq, edits[0]?.text, deletes[0]?.targetSeq, deletes[0]?.memberId],
        [first, "first", second, owner.id],
      );
      const page = await author.http.history(room);
      const bySeq = new Map(page.messages.map((m) => [m.seq, m]));
      assert.deepEqual([bySeq.get(first)?.text, bySeq.get(second)?.deleted], ["first", true]);
      assert.deepEqual(
        page.messages.map((m) => m.kind ?? "message"),
        ["message", "message", "edit", "delete"],
      );
    } finally {
      await Promise.all([ownerTab.client.close(), authorTab.client.close()]);
    }
  });

  it("serves the web client, the API and the WebSocket through the load balancer", async () => {
    const { cluster } = fixture;
    const page = await fetch(cluster.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const erin = await registerMember(cluster, "erin");
    const tab = await openTab(erin, cluster.wsUrl);
    try {
      const sent = await tab.client.send("lobby", "through the balancer");
      const page2 = await erin.http.history("lobby", { limit: 200 });
      assert.ok(page2.messages.some((m) => m.id === sent.message?.id));
    } finally {
      await tab.client.close();
    }
  });
  it("logout closes the session's sockets on every comet with 4010 within 1 s, heartbeats or not", async () => {
    const { cluster } = fixture;
    const [cometA, cometB] = cluster.comets;
    assert.ok(cometA && cometB);
    const frank = await registerMember(cluster, "frank");
    const onA = await RawClient.login(cluster.cometWsUrl(cometA), frank.token); // never sends a heartbeat
    const onB = await openTab(frank, cluster.cometWsUrl(cometB));
    const started = Date.now();
    await frank.http.logout();
    const closedA = await onA.client.closed;
    const msA = Date.now() - started;
    await waitFor(() => onB.client.state === "closed", "the tab on the other comet to be closed");
    const msB = Date.now() - started;
    assert.equal(closedA.code, 4010);
    assert.equal(onB.client.closeCode, 4010);
    assert.ok(msA <= 1000 && msB <= 1000, `closed after ${msA} ms and ${msB} ms`);
  });

  it("pushes a room's changed online count to members on other comets, and tells a new connection at once", async () => {
    const { cluster } = fixture;
    const [cometA, cometB] = cluster.comets;
    assert.ok(cometA && cometB);
    const gail = await registerMember(cluster, "gail");
    const hugo = await registerMember(cluster, "hugo");
    const room = `count-${gail.id}`;
    await gail.http.createRoom(room, "count");
    await hugo.http.joinRoom(room);
    // A raw client sends no heartbeats, so the counts it gets come from the AuthReply and OP_ONLINE pushes only.
    const { client, reply } = await RawClient.login(cluster.cometWsUrl(cometA), gail.token);
    try {
      assert.equal(reply.rooms.find((r) => r.roomId === room)?.online, 1, "the AuthReply carries the count");
      const hugoTab = await openTab(hugo, cluster.cometWsUrl(cometB));
      try {
        assert.equal(hugoTab.client.online.get(room), 2, "so does hugo's");
        assert.equal(await onlinePushed(client, room), 2);
      } finally {
        await hugoTab.client.close();
      }
      assert.equal(await onlinePushed(client, room), 1);
    } finally {
      client.close();
    }
  });
});
