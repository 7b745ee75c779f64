import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ChatError, silentLogger } from "@chatroom/core";
import { type ConnectResponse, Dialect, type ReceiveResponse } from "@chatroom/proto/grpc";
import { Op } from "@chatroom/proto/protocol";
import { signGoimCredential } from "../src/goim/goim-verifier.ts";
import { onlineNotifier } from "../src/services/online-notifier.ts";
import { type Account, type Harness, register, startHarness } from "./harness.ts";

const SERVER = "comet-goim";
const GOIM = Dialect.DIALECT_GOIM;
const HMAC_SECRET = "goim-hmac-secret-that-is-long-enough-0123";
const text = (value: string) => new TextEncoder().encode(value);
const json = (value: unknown) => text(JSON.stringify(value));

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof ChatError ? error.code : `not a ChatError: ${String(error)}`;
  }
  return "resolved";
}

describe("LogicApi for goim connections (DIALECT_GOIM)", () => {
  let harness: Harness;
  let alice: Account;
  before(async () => {
    harness = await startHarness({ maxConnectionsPerMember: 2 });
    alice = await register(harness, "alice");
  });
  after(() => harness.close());

  const connect = (token: unknown, trusted: boolean, server = SERVER) =>
    harness.logic.api.connect({ server, cookie: "", token: json(token), dialect: GOIM, trusted });
  const receive = (conn: ConnectResponse, op: number, body: string, seq = 5): Promise<ReceiveResponse> =>
    harness.logic.api.receive({
      memberId: conn.memberId,
      key: conn.key,
      server: SERVER,
      dialect: GOIM,
      proto: { ver: 1, op, seq, body: text(body) },
    });

  it("trusts mid on a trusted listener: goim's room, accepts, an empty auth reply, the client's key", async () => {
    const conn = await connect({ mid: 123, key: "my-key-1", room_id: "live://1000", accepts: [1000, 1001] }, true);
    assert.deepEqual(
      { ...conn, authReply: [...conn.authReply] },
      {
        memberId: 123,
        key: "my-key-1",
        roomIds: ["live://1000"],
        accepts: [1000, 1001],
        heartbeatMs: harness.config.heartbeatIntervalMs,
        authReply: [],
        expiresAtMs: 0,
        sessionId: "",
      },
    );
    assert.deepEqual(await harness.presence.get("my-key-1"), {
      key: "my-key-1",
      memberId: 123,
      server: SERVER,
      rooms: ["live://1000"],
    });
    const generated = await connect({ mid: 124 }, true);
    assert.match(generated.key, /^goim-[A-Za-z0-9_-]+$/, "a generated key has no '.' (chatroom's session keys do)");
  });

  it("gives each anonymous connection (mid 0) its own negative id, and refuses keys of chatroom's form", async () => {
    const [first, second] = [await connect({ room_id: "live://1" }, true), await connect({ mid: 0 }, true)];
    assert.ok(first.memberId < 0 && second.memberId < 0 && first.memberId !== second.memberId);
    assert.equal(await rejection(connect({ mid: 5, key: "session.random" }, true)), "bad_request");
  });

  it("verifies key as a chatroom session token where mid is not trusted", async () => {
    const conn = await connect({ mid: alice.id, key: alice.token, accepts: [1000] }, false);
    assert.equal(conn.memberId, alice.id);
    assert.ok(conn.sessionId && conn.key.startsWith(`${conn.sessionId}.`), "the key carries the session");
    assert.ok(conn.expiresAtMs > Date.now());
    assert.equal(await rejection(connect({ mid: alice.id + 1, key: alice.token }, false)), "unauthorized");
    assert.equal(await rejection(connect({ mid: alice.id }, false)), "unauthorized");
    assert.equal(await rejection(connect({ key: "forged" }, false)), "unauthorized");
    await harness.logic.api.disconnect({ memberId: conn.memberId, key: conn.key, server: SERVER });
  });

  it("verifies an hmac credential with CHATROOM_GOIM_VERIFIER=hmac", async () => {
    const hmac = await startHarness({ goimVerifier: "hmac", goimHmacSecret: HMAC_SECRET });
    try {
      const credential = signGoimCredential(HMAC_SECRET, 77, Date.now() + 60_000);
      const conn = await hmac.logic.api.connect({
        server: SERVER,
        cookie: "",
        token: json({ mid: 77, key: credential }),
        dialect: GOIM,
        trusted: false,
      });
      assert.equal(conn.memberId, 77);
      assert.equal(conn.sessionId, "");
      const wrong = signGoimCredential(`${HMAC_SECRET}x`, 77, Date.now() + 60_000);
      const refused = hmac.logic.api.connect({
        server: SERVER,
        cookie: "",
        token: json({ key: wrong }),
        dialect: GOIM,
      });
      assert.equal(await rejection(refused), "unauthorized");
    } finally {
      await hmac.close();
    }
  });

  it("applies the per-member connection limit to goim mids", async () => {
    await connect({ mid: 900 }, true);
    await connect({ mid: 900 }, true);
    assert.equal(await rejection(connect({ mid: 900 }, true)), "limit_exceeded");
  });

  it("answers OP_CHANGE_ROOM, OP_SUB and OP_UNSUB with goim's replies and refuses malformed bodies unchanged", async () => {
    const conn = await connect({ mid: 321, room_id: "live://1" }, true);
    const moved = await receive(conn, Op.CHANGE_ROOM, "live://2", 9);
    assert.deepEqual(
      moved.protos.map((p) => [p.op, p.seq, new TextDecoder().decode(p.body)]),
      [[13, 9, "live://2"]],
    );
    assert.deepEqual([moved.joinRooms, moved.replaceRooms], [["live://2"], true]);
    assert.deepEqual((await harness.presence.get(conn.key))?.rooms, ["live://2"]);

    assert.equal(await rejection(receive(conn, Op.CHANGE_ROOM, "garbage")), "bad_request");
    assert.deepEqual((await harness.presence.get(conn.key))?.rooms, ["live://2"], "a bad room changes nothing");
    const left = await receive(conn, Op.CHANGE_ROOM, "");
    assert.deepEqual([left.joinRooms, left.replaceRooms], [[], true]);

    const sub = await receive(conn, Op.SUB, "1000,1001");
    assert.deepEqual([sub.protos[0]?.op, sub.acceptsAdd], [Op.SUB_REPLY, [1000, 1001]]);
    const unsub = await receive(conn, Op.UNSUB, "1001");
    assert.deepEqual([unsub.protos[0]?.op, unsub.acceptsRemove], [Op.UNSUB_REPLY, [1001]]);
    assert.equal(await rejection(receive(conn, Op.SUB, "1000, 1001")), "bad_request");
    assert.equal(await rejection(receive(conn, Op.SEND, "hello")), "bad_request");
  });

  it("renews a goim connection without a session on heartbeat, and keeps a key that moved to another comet", async () => {
    const conn = await connect({ mid: 555, key: "moving-key" }, true);
    const beat = await harness.logic.api.heartbeat({
      memberId: 555,
      key: conn.key,
      server: SERVER,
      roomIds: [],
      dialect: GOIM,
    });
    assert.deepEqual(beat, { valid: true });
    // Without the dialect, a key without a session is no chatroom connection: refused as before.
    const chatroom = await harness.logic.api.heartbeat({ memberId: 555, key: conn.key, server: SERVER, roomIds: [] });
    assert.deepEqual(chatroom, { valid: false });

    await connect({ mid: 555, key: "moving-key" }, true, "comet-other");
    const stale = await harness.logic.api.disconnect({ memberId: 555, key: "moving-key", server: SERVER });
    assert.deepEqual(stale, { has: false });
    assert.equal((await harness.presence.get("moving-key"))?.server, "comet-other");
  });
});

describe("online-count pushes", () => {
  it("are never claimed for goim rooms: goim clients read counts from heartbeat replies", async () => {
    const claimed: string[][] = [];
    type Deps = Parameters<typeof onlineNotifier>[0];
    const presence = {
      async claimPushWindow(keys: readonly string[]) {
        claimed.push([...keys]);
        return [];
      },
    } as unknown as Deps["presence"];
    const notifier = onlineNotifier({
      presence,
      publisher: {} as Deps["publisher"],
      intervalMs: 1000,
      logger: silentLogger,
    });
    notifier.changed(["live://1000", "lobby", "chat.v2://7"]);
    notifier.close();
    assert.deepEqual(claimed, [["online:lobby"]]);
  });
});
