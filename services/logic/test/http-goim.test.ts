import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PushMsg_Type } from "@chatroom/proto/grpc";
import { API_KEY, errorCode, type Harness, request, startHarness } from "./harness.ts";

const BODY = new Uint8Array([0, 1, 2, 250, 255]);
const raw = { body: BODY, contentType: "application/octet-stream" };

describe("goim push and online API", () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(() => harness.close());

  const push = (path: string, headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` }) =>
    request(harness, "POST", path, { raw, headers });

  it("refuses requests without a valid API key with 401 and publishes nothing", async () => {
    const before = harness.published.length;
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer wrong-key" },
      { "x-api-key": "wrong-key" },
    ];
    for (const headers of attempts) {
      const response = await push("/goim/push/all?operation=1000", headers);
      assert.equal(response.status, 401);
      assert.equal(errorCode(response), "unauthorized");
    }
    assert.equal(harness.published.length, before);
  });

  it("refuses everyone when no API keys are configured", async () => {
    const closed = await startHarness({ apiKeys: [] });
    try {
      const response = await request(closed, "GET", "/goim/online/total", { headers: { "x-api-key": "" } });
      assert.equal(response.status, 401);
      const withBearer = await request(closed, "GET", "/goim/online/total", { headers: { authorization: "Bearer x" } });
      assert.equal(withBearer.status, 401);
    } finally {
      await closed.close();
    }
  });

  it("publishes push/keys as TYPE_PUSH to the keys with the raw body and operation", async () => {
    const response = await push("/goim/push/keys?operation=1000&keys=k1,k2");
    assert.equal(response.status, 200);
    const { id } = response.body as { id: string };
    const msg = await harness.waitForPush((p) => p.id === id);
    assert.equal(msg.type, PushMsg_Type.TYPE_PUSH);
    assert.equal(msg.operation, 1000);
    assert.deepEqual(msg.keys, ["k1", "k2"]);
    assert.deepEqual(msg.members, []);
    assert.deepEqual([...msg.msg], [...BODY]);
  });

  it("publishes push/mids as TYPE_PUSH to the members, accepting the key in X-API-Key", async () => {
    const response = await push("/goim/push/mids?operation=1001&mids=3,4", { "x-api-key": API_KEY });
    assert.equal(response.status, 200);
    const msg = await harness.waitForPush((p) => p.id === (response.body as { id: string }).id);
    assert.equal(msg.type, PushMsg_Type.TYPE_PUSH);
    assert.equal(msg.operation, 1001);
    assert.deepEqual(msg.members, [3, 4]);
    assert.deepEqual([...msg.msg], [...BODY]);
  });

  it("publishes push/room as TYPE_ROOM, using room as the room id and ignoring goim's type", async () => {
    const response = await push("/goim/push/room?operation=1000&type=live&room=lobby");
    assert.equal(response.status, 200);
    const msg = await harness.waitForPush((p) => p.id === (response.body as { id: string }).id);
    assert.equal(msg.type, PushMsg_Type.TYPE_ROOM);
    assert.equal(msg.room, "lobby");
    assert.deepEqual([...msg.msg], [...BODY]);
  });

  it("publishes push/all as TYPE_BROADCAST with the speed", async () => {
    const response = await push("/goim/push/all?operation=1002&speed=50");
    assert.equal(response.status, 200);
    const msg = await harness.waitForPush((p) => p.id === (response.body as { id: string }).id);
    assert.equal(msg.type, PushMsg_Type.TYPE_BROADCAST);
    assert.equal(msg.operation, 1002);
    assert.equal(msg.speed, 50);
  });

  it("refuses missing or chat-protocol operations, empty targets and bad room ids with 400", async () => {
    for (const path of [
      "/goim/push/all",
      "/goim/push/all?operation=29",
      "/goim/push/all?operation=abc",
      "/goim/push/keys?operation=1000",
      "/goim/push/mids?operation=1000&mids=1,x",
      "/goim/push/room?operation=1000",
      "/goim/push/room?operation=1000&room=Not%20A%20Room",
    ]) {
      const response = await push(path);
      assert.equal(response.status, 400, path);
    }
  });

  it("refuses a body larger than a frame with 413", async () => {
    const response = await request(harness, "POST", "/goim/push/all?operation=1000", {
      raw: { body: new Uint8Array(harness.config.maxFrameBytes), contentType: "application/octet-stream" },
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(response.status, 413);
    assert.equal(errorCode(response), "payload_too_large");
  });

  it("reports online counts from presence", async () => {
    await harness.presence.upsert({ key: "a1", memberId: 1, server: "c1", rooms: ["lobby", "x"] }, 60_000);
    await harness.presence.upsert({ key: "a2", memberId: 1, server: "c2", rooms: ["lobby"] }, 60_000);
    await harness.presence.upsert({ key: "b1", memberId: 2, server: "c1", rooms: ["lobby"] }, 60_000);
    const headers = { authorization: `Bearer ${API_KEY}` };
    const top = await request(harness, "GET", "/goim/online/top?type=live&limit=1", { headers });
    assert.deepEqual(top.body, { rooms: [{ roomId: "lobby", count: 2 }] });
    const rooms = await request(harness, "GET", "/goim/online/room?rooms=lobby,x,empty", { headers });
    assert.deepEqual(rooms.body, { rooms: { lobby: 2, x: 1, empty: 0 } });
    const total = await request(harness, "GET", "/goim/online/total", { headers });
    assert.deepEqual(total.body, { connections: 3, members: 2, servers: 2 });
  });

  it("answers unknown goim routes with 404 JSON", async () => {
    const response = await push("/goim/push/nowhere?operation=1000");
    assert.equal(response.status, 404);
    assert.equal(errorCode(response), "not_found");
  });
});
