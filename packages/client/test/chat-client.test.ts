import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  AuthRequest,
  type ChatMessage,
  ErrorReply,
  encodeFrame,
  Op,
  ResumeRequest,
  SendRequest,
} from "@chatroom/proto/protocol";
import { WebSocket as WsWebSocket } from "ws";
import { ChatClient } from "../src/chat-client.ts";
import { ChatClientError } from "../src/chat-client-error.ts";
import type { ChatClientEvents, ChatClientOptions } from "../src/chat-client-types.ts";
import type { WebSocketConstructor } from "../src/frame-socket.ts";
import { FakeChatServer } from "./support/fake-chat-server.ts";

const WAIT_MS = 10_000;

/** Resolves with the first event payload that satisfies `predicate`. */
function waitFor<K extends keyof ChatClientEvents>(
  client: ChatClient,
  event: K,
  predicate: (payload: ChatClientEvents[K]) => boolean = () => true,
): Promise<ChatClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${String(event)}`));
    }, WAIT_MS);
    const off = client.on(event, (payload) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Resolves once `condition` holds, checking now and after every `event`. */
function until<K extends keyof ChatClientEvents>(
  client: ChatClient,
  event: K,
  condition: () => boolean,
): Promise<void> {
  if (condition()) return Promise.resolve();
  return waitFor(client, event, () => condition()).then(() => undefined);
}

function collectMessages(client: ChatClient): ChatMessage[] {
  const messages: ChatMessage[] = [];
  client.on("message", (m) => messages.push(m));
  return messages;
}

const seqs = (messages: ChatMessage[], roomId = "lobby") =>
  messages.filter((m) => m.roomId === roomId).map((m) => m.seq);

describe("ChatClient against a scripted server", () => {
  let server: FakeChatServer;
  const clients: ChatClient[] = [];

  function client(options: Partial<ChatClientOptions> = {}): ChatClient {
    const c = new ChatClient({
      url: server.url,
      token: "good-token",
      reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
      requestTimeoutMs: 5000,
      ...options,
    });
    clients.push(c);
    return c;
  }

  beforeEach(async () => {
    server = await FakeChatServer.start();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.close();
  });

  it("authenticates, replays unread messages from the stored cursor across pages, then delivers live ones", async () => {
    for (let i = 1; i <= 7; i++) server.append("lobby", `m${i}`);
    server.room("lobby").ackedSeq = 2;
    server.resumePageSize = 2;
    const c = client({ fillPageSize: 2 });
    const messages = collectMessages(c);
    const caughtUp = waitFor(c, "message", (m) => m.seq === 7);
    await c.connect();
    assert.equal(c.state, "open");
    assert.equal(c.member?.username, "ann");
    assert.equal(c.rooms.get("lobby")?.lastSeq, 7);
    const resume = ResumeRequest.decode(server.received(Op.RESUME)[0]!.body);
    assert.deepEqual(resume.cursors, [{ roomId: "lobby", lastSeq: -1 }]);
    await caughtUp;
    const live = server.append("lobby", "live").message;
    server.push(live);
    await waitFor(c, "message", (m) => m.seq === 8);
    assert.deepEqual(seqs(messages), [3, 4, 5, 6, 7, 8]);
  });

  it("fills a hole in live messages through HISTORY and still delivers in order", async () => {
    server.append("lobby", "m1");
    const c = client({ resumeFrom: "latest" });
    const messages = collectMessages(c);
    await c.connect();
    const m2 = server.append("lobby", "m2").message;
    const m3 = server.append("lobby", "m3").message;
    // Only 3 is pushed (twice): 2 can come from nowhere but a HISTORY request.
    server.push(m3);
    server.push(m3);
    await waitFor(c, "message", (m) => m.seq === 3);
    assert.deepEqual(seqs(messages), [2, 3]);
    assert.equal(m2.seq, 2);
    assert.ok(server.received(Op.HISTORY).length >= 1, "the hole was asked for");
  });

  it("sends and resolves with the stored message", async () => {
    server.room("lobby");
    const c = client();
    await c.connect();
    const echoed = waitFor(c, "message", (m) => m.text === "hello");
    const reply = await c.send("lobby", "hello", { clientMsgId: "fixed-id" });
    assert.equal(reply.duplicate, false);
    assert.equal(reply.message?.clientMsgId, "fixed-id");
    assert.equal((await echoed).seq, 1);
  });

  it("retries a send cut off by a dropped connection with the same clientMsgId, so it is stored once", async () => {
    server.room("lobby");
    let dropped = false;
    server.intercept = (connection, frame) => {
      if (frame.op !== Op.SEND || dropped) return false;
      dropped = true;
      // Store it, then lose the connection before the reply goes out.
      const request = SendRequest.decode(frame.body);
      server.append(request.roomId, request.text, request.clientMsgId);
      connection.ws.close(1012, "restarting");
      return true;
    };
    const c = client();
    const messages = collectMessages(c);
    await c.connect();
    const reconnecting = waitFor(c, "state", (s) => s.state === "reconnecting");
    const reply = await c.send("lobby", "only once");
    assert.equal((await reconnecting).code, 1012);
    assert.equal(reply.duplicate, true);
    assert.equal(server.room("lobby").messages.length, 1);
    const sends = server.received(Op.SEND).map((f) => SendRequest.decode(f.body).clientMsgId);
    assert.equal(sends.length, 2);
    assert.equal(sends[0], sends[1]);
    // The resume after the reconnect carried this client's own position, not the stored cursor.
    const cursors = server.received(Op.RESUME).map((f) => ResumeRequest.decode(f.body).cursors[0]?.lastSeq);
    assert.deepEqual(cursors, [-1, 0]);
    await until(c, "message", () => messages.length > 0);
    assert.deepEqual(seqs(messages), [1]);
  });

  it("waits for the reconnect when the socket dies under a send whose close event has not run yet", async () => {
    server.room("lobby");
    const sockets: WsWebSocket[] = [];
    class Tracked extends WsWebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    }
    const c = client({ WebSocket: Tracked as unknown as WebSocketConstructor });
    await c.connect();
    const reply = c.send("lobby", "through the cut", { clientMsgId: "cut-1" });
    // Cut the network: the socket is no longer open, but its close event comes in a later task.
    for (const socket of sockets) socket.terminate();
    const result = await reply;
    assert.equal(result.message?.clientMsgId, "cut-1");
    assert.equal(server.room("lobby").messages.length, 1);
    assert.ok(sockets.length >= 2, "it reconnected");
  });

  it("resumes after an unexpected close and delivers what was missed exactly once", async () => {
    server.append("lobby", "m1");
    const c = client();
    const messages = collectMessages(c);
    await c.connect();
    await until(c, "message", () => messages.length === 1);
    const resumed = waitFor(c, "resumed", (r) => r.reconnected);
    server.intercept = (_connection, frame) => {
      // While the client is away, two messages are stored.
      if (frame.op === Op.AUTH && server.room("lobby").messages.length === 1) {
        server.append("lobby", "m2");
        server.append("lobby", "m3");
      }
      return false;
    };
    server.dropAll(1011, "internal error");
    const detail = await resumed;
    assert.deepEqual(detail.rooms, [{ roomId: "lobby", replayed: 2, lastSeq: 3, hasMore: false }]);
    await until(c, "message", () => messages.length === 3);
    assert.deepEqual(seqs(messages), [1, 2, 3]);
    assert.equal(c.state, "open");
  });

  it("stops with the close code and does not reconnect when the token is rejected", async () => {
    const c = client({ token: "forged" });
    const states: string[] = [];
    c.on("state", (s) => states.push(s.state));
    await assert.rejects(c.connect(), (e: unknown) => e instanceof ChatClientError && e.code === "unauthorized");
    assert.equal(c.state, "closed");
    assert.equal(c.closeCode, 4001);
    assert.deepEqual(states, ["connecting", "authenticating", "closed"]);
    assert.equal(server.received(Op.AUTH).length, 1);
  });

  it("stops as well when the server refuses AUTH with an OP_ERROR instead of a close code", async () => {
    server.intercept = (connection, frame) => {
      if (frame.op !== Op.AUTH) return false;
      connection.ws.send(encodeFrame(Op.ERROR, frame.seq, errorBody("token_expired", 0, Op.AUTH)));
      return true;
    };
    const c = client();
    await assert.rejects(c.connect(), (e: unknown) => e instanceof ChatClientError && e.code === "session_revoked");
    assert.equal(c.state, "closed");
    assert.equal(c.closeCode, 4010);
    assert.equal(server.received(Op.AUTH).length, 1);
  });

  it("emits push-API frames as push events and re-sends its accepted ops after a reconnect", async () => {
    server.room("lobby");
    const c = client({ accepts: [1000] });
    await c.connect();
    const pushed = waitFor(c, "push");
    server.pushOp(1000, new Uint8Array([7, 7]));
    assert.deepEqual(await pushed, { op: 1000, body: new Uint8Array([7, 7]) });
    assert.deepEqual(await c.sub([1001]), [1001]);
    assert.deepEqual(await c.unsub([1000]), [1000]);
    const reopened = waitFor(c, "resumed", (r) => r.reconnected);
    server.dropAll(1012, "restarting");
    await reopened;
    const auths = server.received(Op.AUTH).map((f) => AuthRequest.decode(f.body).accepts);
    assert.deepEqual(auths, [[1000], [1001]]);
  });

  it("asks a token function before every connection attempt", async () => {
    server.room("lobby");
    let asked = 0;
    const c = client({
      token: async () => {
        asked++;
        return "good-token";
      },
    });
    await c.connect();
    const reopened = waitFor(c, "resumed", (r) => r.reconnected);
    server.dropAll(4008, "heartbeat timeout");
    await reopened;
    assert.equal(asked, 2);
  });

  it("reconnects when the server goes silent for two heartbeat intervals", async () => {
    server.room("lobby");
    server.heartbeatIntervalMs = 100;
    const c = client();
    await c.connect();
    server.answerHeartbeats = false;
    const state = await waitFor(c, "state", (s) => s.state === "reconnecting");
    assert.equal(state.reason, "no frames from the server");
    server.answerHeartbeats = true;
    await waitFor(c, "state", (s) => s.state === "open");
  });

  it("rejects a request the server refuses with the server's code", async () => {
    server.room("lobby");
    server.intercept = (connection, frame) => {
      if (frame.op !== Op.SEND) return false;
      const body = encodeFrame(Op.ERROR, frame.seq, errorBody("rate_limited", 700));
      connection.ws.send(body);
      return true;
    };
    const c = client();
    await c.connect();
    await assert.rejects(c.send("lobby", "too fast"), (e: unknown) => {
      assert.ok(e instanceof ChatClientError);
      assert.equal(e.code, "rate_limited");
      assert.equal(e.retryAfterMs, 700);
      return true;
    });
  });

  it("rejects sends and requests with code closed after close()", async () => {
    server.room("lobby");
    const c = client();
    await c.connect();
    await c.close();
    assert.equal(c.state, "closed");
    await assert.rejects(c.send("lobby", "late"), (e: unknown) => e instanceof ChatClientError && e.code === "closed");
    await assert.rejects(c.history("lobby"), (e: unknown) => e instanceof ChatClientError && e.code === "closed");
  });

  it("records online counts and the read cursor", async () => {
    server.append("lobby", "m1");
    const c = client();
    const online = waitFor(c, "online", (o) => o.get("lobby") === 1);
    await c.connect();
    await online;
    await c.ack("lobby", 1);
    assert.equal(c.rooms.get("lobby")?.ackedSeq, 1);
    assert.equal(server.room("lobby").ackedSeq, 1);
    const page = await c.history("lobby", { afterSeq: 0 });
    assert.deepEqual(
      page.messages.map((m) => m.text),
      ["m1"],
    );
  });
});

function errorBody(code: string, retryAfterMs: number, requestOp: number = Op.SEND): Uint8Array {
  return ErrorReply.encode({ code, message: code, requestOp, retryAfterMs }).finish();
}
