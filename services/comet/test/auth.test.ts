import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { AuthReply, AuthRequest, encodeFrame, Op } from "@chatroom/proto/protocol";
import { WebSocket } from "ws";
import { FakeLogic } from "./support/fake-logic.ts";
import { type Harness, startComet } from "./support/harness.ts";

/** No job calls have reached the comet in these tests. */
const NO_PUSHES = { pushMsg: 0, broadcast: 0, broadcastRoom: 0 };

function authBody(token: string): Uint8Array {
  return AuthRequest.encode({ token, accepts: [], client: "test" }).finish();
}

describe("comet authentication", () => {
  let h: Harness;
  afterEach(() => h.close());

  test("a valid AUTH is answered with logic's AUTH_REPLY bytes under the request seq", async () => {
    h = await startComet();
    h.logic.addSession("alice-token", { memberId: 7, roomIds: ["lobby", "dm:7:9"] });
    const client = await h.open();
    client.send(Op.AUTH, 41, authBody("alice-token"));
    const frame = await client.next();
    assert.equal(frame.op, Op.AUTH_REPLY);
    assert.equal(frame.seq, 41);
    const reply = AuthReply.decode(frame.body);
    assert.equal(reply.memberId, 7);
    assert.equal(reply.key, "k1");
    assert.equal(reply.server, "comet-test");
    assert.equal(h.logic.connects[0]?.server, "comet-test");
    assert.deepEqual(h.comet.stats(), { connections: 1, rooms: 2, pushes: NO_PUSHES });
    assert.deepEqual((await h.comet.api.rooms({})).rooms, { lobby: 1, "dm:7:9": 1 });
  });

  test("the Cookie header of the upgrade request is handed to logic.connect", async () => {
    h = await startComet();
    h.logic.addSession("", { memberId: 3 });
    const ws = new WebSocket(`${h.url}/ws`, { headers: { cookie: "chatroom_session=abc" } });
    await new Promise((resolve) => ws.once("open", resolve));
    const connected = h.logic.next("connect");
    ws.send(encodeFrame(Op.AUTH, 1, authBody("")));
    const request = (await connected) as { cookie: string };
    assert.equal(request.cookie, "chatroom_session=abc");
    ws.terminate();
  });

  test("a rejected token closes the connection with 4001 and logic's message", async () => {
    h = await startComet();
    const client = await h.open();
    client.send(Op.AUTH, 1, authBody("forged"));
    const closed = await client.closed;
    assert.equal(closed.code, 4001);
    assert.equal(closed.reason, 'unknown token "forged"');
    assert.equal(h.comet.stats().connections, 0);
  });

  test("a connection that does not authenticate in time is closed with 4002", async () => {
    h = await startComet({ authTimeoutMs: 50 });
    const client = await h.open();
    assert.equal((await client.closed).code, 4002);
  });

  test("a text message closes the connection with 1003", async () => {
    h = await startComet();
    const client = await h.open();
    client.ws.send("hello");
    assert.equal((await client.closed).code, 1003);
  });

  test("a malformed frame closes the connection with 1002", async () => {
    h = await startComet();
    const client = await h.open();
    client.ws.send(new Uint8Array([0, 0, 0, 5, 0]));
    assert.equal((await client.closed).code, 1002);
  });

  test("a frame whose header claims more than the frame limit closes the connection with 1009", async () => {
    h = await startComet({ maxFrameBytes: 1024 });
    const client = await h.open();
    const frame = encodeFrame(Op.AUTH, 1, new Uint8Array(8));
    new DataView(frame.buffer).setInt32(0, 4096);
    client.ws.send(frame);
    assert.equal((await client.closed).code, 1009);
  });

  test("a WebSocket message larger than the frame limit closes the connection with 1009", async () => {
    h = await startComet({ maxFrameBytes: 1024 });
    const client = await h.open();
    client.send(Op.AUTH, 1, new Uint8Array(2048));
    assert.equal((await client.closed).code, 1009);
  });

  test("any op before AUTH closes the connection with 1002", async () => {
    h = await startComet();
    const client = await h.open();
    client.send(Op.HEARTBEAT, 1);
    const closed = await client.closed;
    assert.equal(closed.code, 1002);
    assert.equal(closed.reason, "auth required");
    assert.equal(h.logic.received.length, 0);
  });

  test("a second AUTH closes the connection with 1002", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 1 });
    const { client } = await h.login("t");
    client.send(Op.AUTH, 2, authBody("t"));
    assert.equal((await client.closed).code, 1002);
  });

  test("closing an authenticated connection reports the disconnect to logic and unregisters it", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 5, roomIds: ["lobby"] });
    const { client, reply } = await h.login("t");
    const disconnected = h.logic.next("disconnect");
    client.ws.close(1000);
    assert.deepEqual(await disconnected, { memberId: 5, key: reply.key, server: "comet-test" });
    assert.deepEqual(h.comet.stats(), { connections: 0, rooms: 0, pushes: NO_PUSHES });
  });

  test("a client that leaves while logic.connect is pending is disconnected from logic once it answers", async () => {
    const logic = new FakeLogic();
    let release = (): void => {};
    logic.connectGate = new Promise((resolve) => {
      release = resolve;
    });
    h = await startComet({}, logic);
    logic.addSession("t", { memberId: 8 });
    const client = await h.open();
    const connecting = logic.next("connect");
    client.send(Op.AUTH, 1, authBody("t"));
    await connecting;
    client.ws.terminate();
    await client.closed;
    const disconnected = logic.next("disconnect");
    release();
    assert.equal(((await disconnected) as { memberId: number }).memberId, 8);
    assert.equal(h.comet.stats().connections, 0);
  });
});
