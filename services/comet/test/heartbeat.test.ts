import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import type { HeartbeatRequest, RenewOnlineRequest } from "@chatroom/proto/grpc";
import { HeartbeatReply, Op } from "@chatroom/proto/protocol";
import { type Harness, startComet } from "./support/harness.ts";

describe("comet heartbeats and sessions", () => {
  let h: Harness;
  afterEach(() => h.close());

  test("a HEARTBEAT is answered locally with the cached online counts of the connection's rooms it knows", async () => {
    h = await startComet({ renewOnlineIntervalMs: 20 });
    h.logic.allRoomCount = { lobby: 7, other: 3 };
    h.logic.addSession("t", { memberId: 1, roomIds: ["lobby", "quiet"] });
    const { client } = await h.login("t");
    // The renewal that reports this connection's room comes back with the cluster-wide counts.
    await h.logic.next<RenewOnlineRequest>("renewOnline", (r) => r.roomCount.lobby === 1);
    await h.logic.next("renewOnline");
    client.send(Op.HEARTBEAT, 12);
    const frame = await client.next(Op.HEARTBEAT_REPLY);
    assert.equal(frame.seq, 12);
    const online = HeartbeatReply.decode(frame.body).online.sort((a, b) => a.roomId.localeCompare(b.roomId));
    // "quiet" has no count yet (logic's renewal did not name it): left out rather than reported as 0.
    assert.deepEqual(online, [{ roomId: "lobby", count: 7 }]);
  });

  test("renewOnline reports the comet's id and its connections per room", async () => {
    h = await startComet({ renewOnlineIntervalMs: 20 });
    h.logic.addSession("a", { memberId: 1, roomIds: ["lobby", "dm:1:2"] });
    h.logic.addSession("b", { memberId: 2, roomIds: ["lobby", "dm:1:2"] });
    await h.login("a");
    await h.login("a");
    await h.login("b");
    const renewal = await h.logic.next<RenewOnlineRequest>("renewOnline", (r) => r.roomCount.lobby === 3);
    assert.deepEqual(renewal, { server: "comet-test", roomCount: { lobby: 3, "dm:1:2": 3 } });
  });

  test("heartbeats within the heartbeat interval of the connect do not call logic.heartbeat", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 4, roomIds: ["lobby"], heartbeatMs: 60_000 });
    const { client } = await h.login("t");
    for (let seq = 1; seq <= 3; seq++) {
      client.send(Op.HEARTBEAT, seq);
      assert.equal((await client.next(Op.HEARTBEAT_REPLY)).seq, seq);
    }
    assert.equal(h.logic.heartbeats.length, 0);
  });

  test("a heartbeat after the heartbeat interval renews presence with the connection's rooms", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 4, roomIds: ["lobby"], heartbeatMs: 1 });
    const { client, reply } = await h.login("t");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const renewed = h.logic.next<HeartbeatRequest>("heartbeat");
    client.send(Op.HEARTBEAT, 1);
    assert.deepEqual(await renewed, { memberId: 4, key: reply.key, server: "comet-test", roomIds: ["lobby"] });
  });

  test("a connection silent for two heartbeat intervals plus the grace is closed with 4008", async () => {
    h = await startComet({ heartbeatGraceMs: 20 });
    h.logic.addSession("t", { memberId: 1, heartbeatMs: 25 });
    const { client } = await h.login("t");
    const closed = await client.closed;
    assert.equal(closed.code, 4008);
    assert.equal(closed.reason, "heartbeat timeout");
  });

  test("a connection that keeps sending heartbeats outlives the heartbeat timeout", async () => {
    h = await startComet({ heartbeatGraceMs: 0 });
    h.logic.addSession("t", { memberId: 1, heartbeatMs: 100 });
    const { client } = await h.login("t");
    // 25 heartbeats 20 ms apart span 500 ms, more than twice the 200 ms the reaper allows between messages.
    for (let seq = 1; seq <= 25; seq++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      client.send(Op.HEARTBEAT, seq);
      await client.next(Op.HEARTBEAT_REPLY);
    }
    assert.equal(client.ws.readyState, client.ws.OPEN);
  });

  test("a heartbeat that logic declares invalid closes the connection with 4010", async () => {
    h = await startComet();
    h.logic.heartbeatValid = false;
    h.logic.addSession("t", { memberId: 1, heartbeatMs: 1 });
    const { client } = await h.login("t");
    await new Promise((resolve) => setTimeout(resolve, 5));
    client.send(Op.HEARTBEAT, 1);
    assert.equal((await client.closed).code, 4010);
  });

  test("the connection is closed with 4010 when its session expires", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 1, expiresAtMs: Date.now() + 50 });
    const { client } = await h.login("t");
    const closed = await client.closed;
    assert.deepEqual(closed, { code: 4010, reason: "session expired" });
  });
});
