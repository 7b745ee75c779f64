import assert from "node:assert/strict";
import { once } from "node:events";
import { afterEach, describe, test } from "node:test";
import { Op } from "@chatroom/proto/protocol";
import { WebSocket } from "ws";
import { type Harness, startComet } from "./support/harness.ts";

/** No job calls have reached the comet in these tests. */
const NO_PUSHES = { pushMsg: 0, broadcast: 0, broadcastRoom: 0 };

/** The HTTP status a WebSocket handshake to `url` is answered with. */
async function handshakeStatus(url: string): Promise<number> {
  const ws = new WebSocket(url);
  ws.on("error", () => {});
  const [, response] = (await once(ws, "unexpected-response")) as [unknown, { statusCode: number; resume(): void }];
  response.resume();
  ws.terminate();
  return response.statusCode;
}

describe("comet lifecycle", () => {
  let h: Harness;
  afterEach(() => h.close());

  test("a client that stops reading is closed with 4009 as a slow consumer without stalling the others", async () => {
    h = await startComet({ maxBufferedBytes: 64 * 1024 });
    h.logic.addSession("t", { memberId: 1, roomIds: ["lobby"] });
    const slow = await h.login("t");
    const fast = await h.login("t");
    slow.client.ws.pause();
    const body = new Uint8Array(16 * 1024);
    let pushes = 0;
    // Fill the kernel buffers of the paused client until the comet gives up on it (bounded by 256 MiB).
    for (; pushes < 16_384; pushes++) {
      const { delivered } = await h.comet.api.pushMsg({
        keys: [slow.reply.key],
        members: [],
        protoOp: Op.MESSAGE,
        proto: { ver: 1, op: Op.MESSAGE, seq: 0, body },
      });
      if (delivered === 0) break;
      if (pushes % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(pushes < 16_384, "the slow consumer was dropped");
    const fastPush = await h.comet.api.pushMsg({
      keys: [fast.reply.key],
      members: [],
      protoOp: Op.MESSAGE,
      proto: { ver: 1, op: Op.MESSAGE, seq: 0, body: new Uint8Array([1]) },
    });
    assert.equal(fastPush.delivered, 1);
    assert.equal((await fast.client.next(Op.MESSAGE)).body.length, 1);
    slow.client.ws.resume();
    const closed = await slow.client.closed;
    assert.deepEqual(closed, { code: 4009, reason: "slow consumer" });
  });

  test("drain closes every connection with 1012 and refuses new ones", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 1, roomIds: ["lobby"] });
    const authenticated = await Promise.all([h.login("t"), h.login("t")]);
    const unauthenticated = await h.open();
    const disconnects = Promise.all([h.logic.next("disconnect"), h.logic.next("disconnect")]);
    await h.comet.drain();
    for (const { client } of authenticated) {
      assert.deepEqual(await client.closed, { code: 1012, reason: "server restart" });
    }
    assert.equal((await unauthenticated.closed).code, 1012);
    assert.equal((await disconnects).length, 2);
    assert.deepEqual(h.comet.stats(), { connections: 0, rooms: 0, pushes: NO_PUSHES });
    assert.equal(await handshakeStatus(`${h.url}/ws`), 503);
  });

  test("upgrades to other paths are answered 404 while plain HTTP requests still reach the server", async () => {
    h = await startComet();
    assert.equal(await handshakeStatus(`${h.url}/elsewhere`), 404);
    const response = await fetch(`${h.url.replace("ws:", "http:")}/ws`);
    assert.equal(await response.text(), "http");
  });

  test("an upgrade to the WebSocket path with a query string is served by the comet", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 1 });
    const client = await h.open("/ws?v=1");
    client.send(Op.HEARTBEAT, 1);
    assert.equal((await client.closed).code, 1002);
  });

  test("close() waits for the disconnects of the connections it closes", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 1 });
    await h.login("t");
    await h.login("t");
    await h.comet.close();
    assert.equal(h.logic.disconnects.length, 2);
  });
});
