import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type RoomEvent, RoomEventType, RoomRole } from "@chatroom/client";
import { Op, RoomEvent as RoomEventCodec } from "@chatroom/proto/protocol";
import { failureCode } from "../support/error-code.ts";
import { RawClient } from "../support/raw-client.ts";
import { messagesAfterFlush } from "../support/subscription-probe.ts";
import {
  type ClusterFixture,
  openTab,
  registerMember,
  startClusterFixture,
  waitFor,
} from "./support/cluster-fixture.ts";

describe("moderation in the distributed cluster (2 logics, 2 comets, 2 jobs)", () => {
  let fixture: ClusterFixture;
  before(async () => {
    fixture = await startClusterFixture();
  });
  after(async () => {
    await fixture?.close();
  });

  it("a ban closes the member's subscriptions on both comets at once, and both logics refuse them", async () => {
    const { cluster } = fixture;
    const [cometA, cometB] = cluster.comets;
    assert.ok(cometA && cometB);
    const alice = await registerMember(cluster, "owner");
    const bob = await registerMember(cluster, "banned");
    const carol = await registerMember(cluster, "bystander");
    const room = `ban-${alice.id}`;
    await alice.http.createRoom(room);
    await bob.http.joinRoom(room);
    await carol.http.joinRoom(room);
    const aliceTab = await openTab(alice, cluster.cometWsUrl(cometA));
    const carolOnA = await openTab(carol, cluster.cometWsUrl(cometA));
    const carolOnB = await openTab(carol, cluster.cometWsUrl(cometB));
    const bobOnB = await openTab(bob, cluster.cometWsUrl(cometB));
    const { client: bobRawOnA } = await RawClient.login(cluster.cometWsUrl(cometA), bob.token);
    const carolEvents: RoomEvent[] = [];
    carolOnB.client.on("event", (event) => carolEvents.push(event));
    try {
      await aliceTab.client.send(room, "before the ban");
      await waitFor(() => bobOnB.texts(room).includes("before the ban"), "bob on comet B to be in the room");

      // Bob sent to the room a moment ago: both logics may hold his membership in their caches.
      await bobOnB.client.send(room, "hi");
      await aliceTab.client.ban(room, bob.id);
      const pushed = RoomEventCodec.decode((await bobRawOnA.push(Op.EVENT)).body);
      assert.deepEqual([pushed.type, pushed.memberId], [RoomEventType.ROOM_EVENT_TYPE_BANNED, bob.id]);
      await waitFor(() => !bobOnB.client.rooms.has(room), "bob's tab on comet B to drop the room");
      await waitFor(
        () => carolEvents.some((e) => e.type === RoomEventType.ROOM_EVENT_TYPE_BANNED && e.memberId === bob.id),
        "carol to see the ban",
      );

      await aliceTab.client.send(room, "after the ban");
      for (const tab of [carolOnA, carolOnB]) {
        await waitFor(() => tab.texts(room).includes("after the ban"), "carol on both comets to get the next message");
      }
      assert.deepEqual(await messagesAfterFlush(bobRawOnA, room, "lobby"), ["before the ban", "hi"]);
      assert.ok(!bobOnB.texts(room).includes("after the ban"));

      // Whichever logic answers (the balancer and the comets spread requests over both), the ban holds.
      for (let i = 0; i < 4; i++) {
        assert.equal(await failureCode(bobOnB.client.send(room, `attempt ${i}`)), "not_member");
        assert.equal(await failureCode(bobOnB.client.join(room)), "banned");
        await assert.rejects(bob.http.sendMessage(room, `http attempt ${i}`), { status: 403 });
      }
    } finally {
      bobRawOnA.close();
      await Promise.all([aliceTab, carolOnA, carolOnB, bobOnB].map((tab) => tab.client.close()));
    }
  });

  it("a mute and a role change take effect on both logics at once", async () => {
    const { cluster } = fixture;
    const [cometA, cometB] = cluster.comets;
    assert.ok(cometA && cometB);
    const alice = await registerMember(cluster, "chief");
    const dan = await registerMember(cluster, "quiet");
    const room = `mute-${alice.id}`;
    await alice.http.createRoom(room);
    await dan.http.joinRoom(room);
    const aliceTab = await openTab(alice, cluster.cometWsUrl(cometA));
    const danTab = await openTab(dan, cluster.cometWsUrl(cometB));
    try {
      for (let i = 0; i < 4; i++) await danTab.client.send(room, `warm ${i}`);
      await aliceTab.client.mute(room, dan.id);
      for (let i = 0; i < 4; i++) assert.equal(await failureCode(danTab.client.send(room, `muted ${i}`)), "muted");
      await aliceTab.client.setRole(room, dan.id, RoomRole.ROOM_ROLE_MODERATOR);
      await waitFor(() => danTab.client.rooms.get(room)?.role === RoomRole.ROOM_ROLE_MODERATOR, "dan's new role");
    } finally {
      await Promise.all([aliceTab.client.close(), danTab.client.close()]);
    }
  });
});
