import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  type ClusterFixture,
  openTab,
  registerMember,
  startClusterFixture,
  waitFor,
} from "./support/cluster-fixture.ts";
import { cometHealth, quietHealth } from "./support/comet-health.ts";

describe("job's routing in the distributed cluster", { timeout: 120_000 }, () => {
  let fixture: ClusterFixture;
  before(async () => {
    fixture = await startClusterFixture();
  });
  after(async () => {
    await fixture?.close();
  });

  it("pushes a room's messages only to the comets holding members of that room", async () => {
    const { cluster } = fixture;
    const [comet1, comet2] = cluster.comets;
    assert.ok(comet1 && comet2);
    const room = `route-${randomBytes(3).toString("hex")}`;
    // The sender only uses HTTP: no connection of its own anywhere.
    const sender = await registerMember(cluster, "sender");
    const member = await registerMember(cluster, "member");
    const outsider = await registerMember(cluster, "outsider");
    await sender.http.createRoom(room, "routing");
    await member.http.joinRoom(room);
    const memberTab = await openTab(member, cluster.cometWsUrl(comet1));
    // comet-2 is not idle: it holds a connection, only not one in the room.
    const outsiderTab = await openTab(outsider, cluster.cometWsUrl(comet2));
    try {
      assert.equal(memberTab.client.member?.server, comet1.name);
      assert.equal(outsiderTab.client.member?.server, comet2.name);
      assert.ok(memberTab.client.rooms.has(room));
      assert.ok(!outsiderTab.client.rooms.has(room));
      assert.equal((await cometHealth(cluster, comet2)).connections, 1);

      const [before1, before2] = await quietHealth(cluster, [comet1, comet2]);
      assert.ok(before1 && before2);
      const texts = Array.from({ length: 10 }, (_, i) => `routed ${i + 1}`);
      for (const text of texts) await sender.http.sendMessage(room, text);
      await waitFor(() => texts.every((t) => memberTab.texts(room).includes(t)), "every message at the member");
      const [after1, after2] = await quietHealth(cluster, [comet1, comet2]);
      assert.ok(after1 && after2);

      assert.ok(
        after1.pushes.broadcastRoom > before1.pushes.broadcastRoom,
        `comet-1 got the room's pushes: ${before1.pushes.broadcastRoom} → ${after1.pushes.broadcastRoom}`,
      );
      assert.equal(after2.pushes.broadcastRoom, before2.pushes.broadcastRoom, "comet-2 got no room push");
      assert.deepEqual(outsiderTab.texts(room), []);
    } finally {
      await Promise.all([memberTab.client.close(), outsiderTab.client.close()]);
    }
  });

  it("pushes a direct message only to the comet where its recipient is online", async () => {
    const { cluster } = fixture;
    const [comet1, comet2] = cluster.comets;
    assert.ok(comet1 && comet2);
    const sender = await registerMember(cluster, "dmsender");
    const recipient = await registerMember(cluster, "recipient");
    const bystander = await registerMember(cluster, "bystander");
    const recipientTab = await openTab(recipient, cluster.cometWsUrl(comet2));
    const bystanderTab = await openTab(bystander, cluster.cometWsUrl(comet1));
    try {
      assert.equal(recipientTab.client.member?.server, comet2.name);
      const [before1, before2] = await quietHealth(cluster, [comet1, comet2]);
      assert.ok(before1 && before2);

      const sent = await sender.http.sendDirect(recipient.id, "only for you");
      const roomId = sent.message.roomId;
      await waitFor(() => recipientTab.texts(roomId).includes("only for you"), "the DM at its recipient");
      const [after1, after2] = await quietHealth(cluster, [comet1, comet2]);
      assert.ok(after1 && after2);

      assert.ok(
        after2.pushes.pushMsg > before2.pushes.pushMsg,
        `comet-2 got the DM: ${before2.pushes.pushMsg} → ${after2.pushes.pushMsg}`,
      );
      assert.equal(after1.pushes.pushMsg, before1.pushes.pushMsg, "comet-1 got no member push");
      assert.deepEqual(bystanderTab.texts(roomId), []);
    } finally {
      await Promise.all([recipientTab.client.close(), bystanderTab.client.close()]);
    }
  });
});
