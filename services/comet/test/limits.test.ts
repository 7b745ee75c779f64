import assert from "node:assert/strict";
import { once } from "node:events";
import { afterEach, describe, test } from "node:test";
import { ChatError } from "@chatroom/core";
import { AuthRequest, ErrorReply, Op, SubReply, SubRequest } from "@chatroom/proto/protocol";
import { WebSocket } from "ws";
import { receiveResult } from "./support/fake-logic.ts";
import { type Harness, startComet } from "./support/harness.ts";

/** A fake logic answer to OP_SUB that adds the requested ops (what logic does). */
function subscribeAnswers(h: Harness): void {
  h.logic.onReceive = async (request) => {
    const ops = SubRequest.decode(request.proto?.body ?? new Uint8Array()).ops;
    const reply = { ver: 1, op: Op.SUB_REPLY, seq: request.proto?.seq ?? 0, body: SubReply.encode({ ops }).finish() };
    return receiveResult({ protos: [reply], acceptsAdd: ops });
  };
}

/** The status line of an upgrade the server refused, or "open" when it was accepted. */
async function upgradeOutcome(url: string, headers: Record<string, string>): Promise<string> {
  const ws = new WebSocket(url, { headers });
  const outcome = await Promise.race([
    once(ws, "open").then(() => "open"),
    once(ws, "unexpected-response").then(([, response]) => String(response.statusCode)),
  ]);
  ws.terminate();
  return outcome;
}

describe("comet limits", () => {
  let h: Harness;
  afterEach(() => h.close());

  test("an upgrade from a foreign Origin is refused with 403; same origin, listed origins and no Origin pass", async () => {
    h = await startComet({ allowedOrigins: ["https://app.example"] });
    const url = `${h.url}/ws`;
    const host = new URL(h.url).host;
    assert.equal(await upgradeOutcome(url, { Origin: "https://evil.example" }), "403");
    assert.equal(await upgradeOutcome(url, { Origin: "null" }), "403");
    assert.equal(await upgradeOutcome(url, { Origin: `http://${host}` }), "open");
    assert.equal(await upgradeOutcome(url, { Origin: "https://app.example" }), "open");
    assert.equal(await upgradeOutcome(url, {}), "open", "non-browser clients send no Origin");
  });

  test("OP_SUB beyond the accepts limit is refused with limit_exceeded and changes nothing", async () => {
    h = await startComet({ maxAccepts: 4 });
    h.logic.addSession("t", { memberId: 1 });
    subscribeAnswers(h);
    const { client, reply } = await h.login("t", [1000]);
    client.send(Op.SUB, 2, SubRequest.encode({ ops: [1001, 1002, 1003] }).finish());
    assert.equal((await client.next()).op, Op.SUB_REPLY);
    client.send(Op.SUB, 3, SubRequest.encode({ ops: [1003, 1004] }).finish());
    const refused = await client.next();
    assert.equal(refused.op, Op.ERROR);
    assert.equal(refused.seq, 3);
    assert.equal(ErrorReply.decode(refused.body).code, "limit_exceeded");
    // 1004 was not added: a push of that op does not reach the connection, 1003 (already there) does.
    const body = new Uint8Array([7]);
    const missed = await h.comet.api.pushMsg({
      keys: [reply.key],
      members: [],
      protoOp: 1004,
      proto: { ver: 1, op: 1004, seq: 0, body },
    });
    assert.equal(missed.delivered, 0);
    const hit = await h.comet.api.pushMsg({
      keys: [reply.key],
      members: [],
      protoOp: 1003,
      proto: { ver: 1, op: 1003, seq: 0, body },
    });
    assert.equal(hit.delivered, 1);
  });

  test("an AUTH asking for more accepts than the limit is closed with 1008 and its registration undone", async () => {
    h = await startComet({ maxAccepts: 2 });
    h.logic.addSession("t", { memberId: 1 });
    const disconnected = h.logic.next<{ key: string }>("disconnect");
    const client = await h.open();
    client.send(Op.AUTH, 1, AuthRequest.encode({ token: "t", accepts: [1, 2, 3], client: "test" }).finish());
    const closed = await client.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /at most 2 push operations/);
    assert.equal((await disconnected).key, "k1");
    assert.equal(h.comet.stats().connections, 0);
  });

  test("requests over the connection's rate are answered rate_limited without reaching logic", async () => {
    h = await startComet({ requestRateCapacity: 10, requestRateRefillPerSecond: 1 });
    h.logic.addSession("t", { memberId: 1 });
    subscribeAnswers(h);
    const { client } = await h.login("t");
    const received = h.logic.received.length;
    for (let seq = 2; seq <= 15; seq++) client.send(Op.SUB, seq, SubRequest.encode({ ops: [] }).finish());
    const replies = [];
    for (let i = 0; i < 14; i++) replies.push(await client.next());
    // The AUTH took one token: nine requests reached logic, the other five were refused in their place in order.
    assert.deepEqual(
      replies.map((f) => [f.seq, f.op]),
      Array.from({ length: 14 }, (_, i) => [i + 2, i < 9 ? Op.SUB_REPLY : Op.ERROR]),
    );
    assert.equal(h.logic.received.length - received, 9);
    for (const frame of replies.slice(9)) {
      const error = ErrorReply.decode(frame.body);
      assert.equal(error.code, "rate_limited");
      assert.equal(error.requestOp, Op.SUB);
      assert.ok(error.retryAfterMs > 0);
    }
  });

  test("a client that keeps sending through a whole burst of refusals is closed with 4029", async () => {
    h = await startComet({ requestRateCapacity: 10, requestRateRefillPerSecond: 1 });
    h.logic.addSession("t", { memberId: 1 });
    subscribeAnswers(h);
    const { client } = await h.login("t");
    for (let seq = 2; seq <= 40; seq++) client.send(Op.SUB, seq, SubRequest.encode({ ops: [] }).finish());
    assert.deepEqual(await client.closed, { code: 4029, reason: "request rate exceeded" });
  });

  test("a request refused because the session ended closes the connection with 4010", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 1 });
    h.logic.onReceive = async () => {
      throw new ChatError("session_revoked", "the session has ended");
    };
    const { client } = await h.login("t");
    client.send(Op.HISTORY, 2, new Uint8Array(0));
    assert.deepEqual(await client.closed, { code: 4010, reason: "the session has ended" });
  });
});
