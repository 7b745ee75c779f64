import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { silentLogger } from "@chatroom/core";
import { PushMsg_Type } from "@chatroom/proto/grpc";
import { type GoimHttpListener, startGoimHttpListener } from "../src/goim/goim-http-listener.ts";
import { type Harness, request, startHarness } from "./harness.ts";

const BODY = new Uint8Array([0, 1, 2, 250, 255]);

/** goim's HTTP API on the internal goim listener: goim's response mode, no API key. */
describe("goim's API in goim's response mode (internal goim listener)", () => {
  let harness: Harness;
  let listener: GoimHttpListener;
  const goim = () => ({ baseUrl: listener.url });
  const post = (path: string, body: Uint8Array = BODY) =>
    request(goim(), "POST", path, { raw: { body, contentType: "application/octet-stream" } });

  before(async () => {
    harness = await startHarness({ apiKeys: [] });
    const started = await startGoimHttpListener(harness.logic.goimHttp, { host: "127.0.0.1", port: 0 }, silentLogger);
    if (!started) throw new Error("no listener");
    listener = started;
  });
  after(async () => {
    await listener.close();
    await harness.close();
  });

  it("starts nothing unless CHATROOM_GOIM_HTTP_LISTEN is set", async () => {
    assert.equal(await startGoimHttpListener(harness.logic.goimHttp, null, silentLogger), null);
    assert.equal(harness.config.goimHttpListen, null);
  });

  it("publishes push/keys and push/mids with repeated parameters, answering goim's {code: 0}", async () => {
    const keys = await post("/goim/push/keys?operation=1000&keys=k1&keys=k2");
    assert.deepEqual([keys.status, keys.body], [200, { code: 0, message: "" }]);
    const byKey = await harness.waitForPush((p) => p.keys.includes("k2"));
    assert.deepEqual(
      [byKey.type, byKey.operation, byKey.keys, [...byKey.msg]],
      [PushMsg_Type.TYPE_PUSH, 1000, ["k1", "k2"], [...BODY]],
    );
    const mids = await post("/goim/push/mids?operation=7&mids=31&mids=32,33");
    assert.deepEqual(mids.body, { code: 0, message: "" });
    const byMid = await harness.waitForPush((p) => p.members.includes(31));
    assert.deepEqual([byMid.operation, byMid.members], [7, [31, 32, 33]], "goim's op range: below 1000 too");
  });

  it("publishes push/room to the goim room type://room and push/all with its speed", async () => {
    await post("/goim/push/room?operation=1000&type=live&room=1000");
    const room = await harness.waitForPush((p) => p.room === "live://1000");
    assert.deepEqual([room.type, room.operation], [PushMsg_Type.TYPE_ROOM, 1000]);
    await post("/goim/push/all?operation=1002&speed=-5");
    const all = await harness.waitForPush((p) => p.type === PushMsg_Type.TYPE_BROADCAST && p.operation === 1002);
    assert.equal(all.speed, 0, "a negative speed means no pacing, as in goim");
  });

  it("answers every refusal with HTTP 200 and code -400, publishing nothing", async () => {
    const before = harness.published.length;
    for (const path of [
      "/goim/push/keys?operation=1000",
      "/goim/push/keys?keys=a",
      "/goim/push/keys?operation=0&keys=a",
      "/goim/push/mids?operation=29&mids=1",
      "/goim/push/mids?operation=9&mids=1",
      "/goim/push/mids?operation=1000&mids=0",
      "/goim/push/mids?operation=2147483648&mids=1",
      "/goim/push/room?operation=1000&room=1000",
      "/goim/push/room?operation=1000&type=live&room=a:b",
      "/goim/push/all?operation=abc",
    ]) {
      const response = await post(path);
      assert.equal(response.status, 200, path);
      assert.equal((response.body as { code: number }).code, -400, path);
    }
    const large = await post("/goim/push/all?operation=1000", new Uint8Array(harness.config.maxFrameBytes));
    assert.deepEqual([large.status, (large.body as { code: number }).code], [200, -400]);
    assert.equal(harness.published.length, before);
  });

  it("reports goim's online shapes from presence, goim rooms only", async () => {
    await harness.presence.upsert({ key: "g1", memberId: 1, server: "c1", rooms: ["live://1000"] }, 60_000);
    await harness.presence.upsert({ key: "g2", memberId: 2, server: "c2", rooms: ["live://1000"] }, 60_000);
    await harness.presence.upsert({ key: "g3", memberId: 3, server: "c1", rooms: ["live://2000", "lobby"] }, 60_000);
    await harness.presence.upsert({ key: "g4", memberId: 4, server: "c1", rooms: ["lobby", "other://9"] }, 60_000);
    const top = await request(goim(), "GET", "/goim/online/top?type=live&limit=5");
    assert.deepEqual(top.body, {
      code: 0,
      message: "",
      data: [
        { room_id: "1000", count: 2 },
        { room_id: "2000", count: 1 },
      ],
    });
    const none = await request(goim(), "GET", "/goim/online/top?type=empty&limit=5");
    assert.deepEqual(none.body, { code: 0, message: "", data: [] });
    const rooms = await request(goim(), "GET", "/goim/online/room?type=live&rooms=1000&rooms=2000&rooms=3000");
    assert.deepEqual(rooms.body, { code: 0, message: "", data: { "1000": 2, "2000": 1, "3000": 0 } });
    const total = await request(goim(), "GET", "/goim/online/total");
    assert.deepEqual(total.body, { code: 0, message: "", data: { ip_count: 4, conn_count: 4 } });
    for (const path of [
      "/goim/online/top?type=live",
      "/goim/online/top?type=live&limit=-1",
      "/goim/online/room?type=live",
    ]) {
      const refused = await request(goim(), "GET", path);
      assert.deepEqual([refused.status, (refused.body as { code: number }).code], [200, -400], path);
    }
  });

  it("answers unknown paths 404 in goim's envelope, and carries the API's security headers", async () => {
    const response = await request(goim(), "GET", "/goim/nodes/weighted");
    assert.deepEqual([response.status, (response.body as { code: number }).code], [404, -404]);
    assert.equal(response.headers.get("cache-control"), "no-store");
  });

  it("leaves the public API as it was: the same paths there still need a key", async () => {
    const response = await request(harness, "POST", "/goim/push/all?operation=1000");
    assert.equal(response.status, 401);
  });
});
