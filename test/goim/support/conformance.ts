/**
 * The goim conformance suite: goim's client.js flow (GoimClient) and goim's documented backend calls (GoimBackend)
 * against a chatroom running in goim compatibility mode — the embedded default (test/goim/embedded.test.ts) and the
 * distributed cluster (test/cluster/goim-compat.test.ts) run the same cases.
 *
 * "Did not arrive" is never read after a sleep. A comet writes one push to all its targeted connections in one go,
 * and writes a heartbeat reply after everything it wrote before; so once an observer on the same comet got the push,
 * a heartbeat round trip on the client under test (`settle`) proves that whatever that push brought it is in.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ChatHttp } from "@chatroom/client";
import { Op } from "@chatroom/proto/protocol";
import { RawClient } from "../../support/raw-client.ts";
import { GoimBackend } from "./goim-backend.ts";
import { GoimClient, type GoimToken } from "./goim-client.ts";

/** One comet's WebSocket URLs. */
export interface GoimComet {
  /** Its goim listener (ws://…/sub), trusting mid. */
  trustedSub: string;
  /** goim's /sub on its public listener (verify: the key is a chatroom session token). */
  publicSub: string;
  /** chatroom's /ws on its public listener. */
  publicWs: string;
}

export interface GoimTarget {
  comets: GoimComet[];
  /** The internal goim HTTP listeners (http://host:port), goim's response mode, no API key. */
  goimHttpUrls: string[];
  /** chatroom's public HTTP API (accounts, messages). */
  apiUrl: string;
  close(): Promise<void>;
}

const OK = { code: 0, message: "" };
let unique = 0;

/** A heartbeat round trip: what the comet wrote to the client before it answered has arrived. */
async function settle(client: GoimClient): Promise<void> {
  await client.heartbeatCount();
}

/** A fresh number for mids, rooms and usernames, so that cases never see each other's connections. */
function fresh(): number {
  unique += 1;
  return Number(`${process.pid % 10_000}${String(unique).padStart(4, "0")}`);
}

export function describeGoimConformance(name: string, start: () => Promise<GoimTarget>): void {
  describe(name, () => {
    let target: GoimTarget;
    const clients: Array<{ close(): void }> = [];
    let next = 0;
    /** A comet, round-robin: cases spread over the comets, and put the clients they compare on one. */
    const comet = (): GoimComet => target.comets[next++ % target.comets.length] as GoimComet;
    /** A client on a comet's trusted goim listener (default: the next comet). */
    const connect = async (token: GoimToken | string, url = comet().trustedSub): Promise<GoimClient> => {
      const client = await GoimClient.connect(url, token);
      clients.push(client);
      return client;
    };
    const backend = () => new GoimBackend(target.goimHttpUrls[next++ % target.goimHttpUrls.length] as string);

    before(async () => {
      target = await start();
    });
    after(async () => {
      for (const client of clients) client.close();
      await target?.close();
    });

    it("runs goim's client.js flow: JSON auth, empty auth reply, heartbeat with a 4-byte count, room pushes", async () => {
      const room = String(fresh());
      const mid = fresh();
      const client = await connect({ mid, room_id: `live://${room}`, platform: "web", accepts: [1000, 1001, 1002] });
      const auth = client.received[0];
      assert.deepEqual(
        auth && { op: auth.op, seq: auth.seq, ver: auth.ver, body: auth.body },
        { op: 8, seq: 1, ver: 1, body: "" },
        "OP_AUTH_REPLY answers seq 1 with an empty body",
      );
      // client.js heartbeats as soon as it is authenticated: the reply is op 3, seq 1, the room's online count.
      const heartbeat = await client.next((m) => m.op === 3, "the first heartbeat reply");
      assert.deepEqual([heartbeat.seq, heartbeat.bytes.byteLength], [1, 4]);
      assert.equal(await client.heartbeatCount(), 1);

      const answer = await backend().pushRoom(1000, "live", room, "hello room");
      assert.deepEqual(answer, { status: 200, body: OK });
      const pushed = await client.push("hello room");
      assert.deepEqual(
        [pushed.op, pushed.ver, pushed.seq, pushed.batched],
        [1000, 1, 0, true],
        "inside an OP_RAW batch",
      );
    });

    it("pushes to mids (repeated parameter) and keys only to connections that accept the operation", async () => {
      const [a, b] = [fresh(), fresh()];
      const key = `key-${fresh()}`;
      const url = comet().trustedSub;
      const first = await connect({ mid: a, key, accepts: [1001] }, url);
      const second = await connect({ mid: b, accepts: [1002] }, url);
      assert.deepEqual(await backend().pushMids(1001, [a, b], "to mids"), { status: 200, body: OK });
      assert.deepEqual((await first.push("to mids")).op, 1001);
      assert.deepEqual(await backend().pushKeys(1001, [key], "to key"), { status: 200, body: OK });
      assert.equal((await first.push("to key")).batched, true, "goim wraps key pushes in OP_RAW");
      await settle(second);
      assert.deepEqual(second.pushes(), [], "the connection that does not accept 1001 got neither");
    });

    it("broadcasts push/all to every connection that accepts the operation", async () => {
      const op = 2000 + (fresh() % 1000);
      const url = comet().trustedSub;
      const takers = [
        await connect({ mid: fresh(), accepts: [op] }, url),
        await connect({ mid: fresh(), accepts: [op] }),
      ];
      const other = await connect({ mid: fresh(), accepts: [op + 1] }, url);
      assert.deepEqual(await backend().pushAll(op, 0, "to all"), { status: 200, body: OK });
      for (const client of takers) assert.equal((await client.push("to all")).op, op);
      await settle(other);
      assert.ok(!other.received.some((m) => m.body === "to all"));
    });

    it("moves a connection between goim rooms with OP_CHANGE_ROOM and keeps it on a malformed one", async () => {
      const [from, to] = [String(fresh()), String(fresh())];
      const url = comet().trustedSub;
      const client = await connect({ mid: fresh(), room_id: `live://${from}` }, url);
      // Observers that stay in each room, on the same comet.
      const stayed = await connect({ mid: fresh(), room_id: `live://${from}` }, url);
      const there = await connect({ mid: fresh(), room_id: `live://${to}` }, url);
      const reply = await client.changeRoom(`live://${to}`, 5);
      assert.deepEqual([reply.op, reply.seq, reply.body], [13, 5, `live://${to}`], "the reply echoes the room");
      await backend().pushRoom(1000, "live", from, "old room");
      await backend().pushRoom(1000, "live", to, "new room");
      await client.push("new room");
      await stayed.push("old room");
      await settle(client);
      assert.ok(!client.received.some((m) => m.body === "old room"), "the old room's push did not arrive");

      const refused = await client.changeRoom("not a room", 6);
      assert.equal(refused.op, 28, "OP_ERROR");
      assert.equal(JSON.parse(refused.body).code, "bad_request");
      await backend().pushRoom(1000, "live", to, "still here");
      await client.push("still here");

      const left = await client.changeRoom("", 7);
      assert.deepEqual([left.op, left.body], [13, ""]);
      await backend().pushRoom(1000, "live", to, "after leaving");
      await there.push("after leaving");
      assert.equal(await client.heartbeatCount(), 0, "no room, count 0");
      assert.ok(!client.received.some((m) => m.body === "after leaving"));
    });

    it("subscribes and unsubscribes operations with goim's comma-separated OP_SUB / OP_UNSUB bodies", async () => {
      const mid = fresh();
      const url = comet().trustedSub;
      const client = await connect({ mid, accepts: [] }, url);
      // Another connection of the same mid on the same comet keeps accepting 3002.
      const observer = await connect({ mid, accepts: [3002] }, url);
      const sub = await client.sub("3001,3002", 8);
      assert.deepEqual([sub.op, sub.seq, sub.body], [15, 8, "3001,3002"]);
      await backend().pushMids(3002, [mid], "subscribed");
      await client.push("subscribed");
      const unsub = await client.unsub("3002", 9);
      assert.deepEqual([unsub.op, unsub.body], [17, "3002"]);
      await backend().pushMids(3002, [mid], "unsubscribed");
      await observer.push("unsubscribed");
      await settle(client);
      assert.ok(!client.received.some((m) => m.body === "unsubscribed"));
      const refused = await client.sub("3003, x", 10);
      assert.equal(refused.op, 28);
      await backend().pushMids(3001, [mid], "accepts unchanged");
      await client.push("accepts unchanged");
    });

    it("reports goim's online shapes: top of a type, counts per room, totals", async () => {
      const type = `t${fresh()}`;
      const [big, small] = [String(fresh()), String(fresh())];
      for (let i = 0; i < 3; i += 1) await connect({ mid: fresh(), room_id: `${type}://${big}` });
      await connect({ mid: fresh(), room_id: `${type}://${small}` });
      const api = backend();
      const top = await api.onlineTop(type, 10);
      assert.deepEqual(top, {
        status: 200,
        body: {
          ...OK,
          data: [
            { room_id: big, count: 3 },
            { room_id: small, count: 1 },
          ],
        },
      });
      assert.deepEqual((await api.onlineTop(type, 1)).body.data, [{ room_id: big, count: 3 }]);
      const rooms = await api.onlineRoom(type, [big, small, "nobody"]);
      assert.deepEqual(rooms.body, { ...OK, data: { [big]: 3, [small]: 1, nobody: 0 } });
      const total = await api.onlineTotal();
      assert.equal(total.body.code, 0);
      assert.ok((total.body.data?.conn_count ?? 0) >= 4 && (total.body.data?.ip_count ?? 0) >= 4, "totals count us");
    });

    it("counts a goim room cluster-wide in heartbeat replies", async () => {
      const room = `live://${fresh()}`;
      const first = await connect({ mid: fresh(), room_id: room });
      await connect({ mid: fresh(), room_id: room });
      // The count is renewed from presence every CHATROOM_COMET_RENEW_ONLINE_INTERVAL_MS: ask until it shows both
      // (paced: heartbeats count against the connection's request rate).
      let count = await first.heartbeatCount();
      while (count !== 2) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        count = await first.heartbeatCount();
      }
      assert.equal(count, 2);
    });

    it("answers goim's error envelope with HTTP 200 and refuses operations that would forge chat frames", async () => {
      const api = backend();
      for (const path of [
        "/goim/push/all",
        "/goim/push/all?operation=x",
        "/goim/push/all?operation=29",
        "/goim/push/keys?operation=1000",
        "/goim/push/mids?operation=1000&mids=1&mids=x",
        "/goim/push/room?operation=1000&type=live",
        "/goim/push/room?operation=1000&type=live&room=a/b",
        "/goim/online/top?type=live",
      ]) {
        const answer = await api.raw(path.includes("/push/") ? "POST" : "GET", path);
        assert.equal(answer.status, 200, path);
        assert.equal(answer.body.code, -400, path);
        assert.equal(typeof answer.body.message, "string");
      }
      const missing = await api.raw("GET", "/goim/nowhere");
      assert.deepEqual([missing.status, missing.body.code], [404, -404]);
    });

    it("verifies a chatroom session token in key on the public /sub and never sends chat frames to it", async () => {
      const http = new ChatHttp({ baseUrl: target.apiUrl });
      const account = await http.register(`goim${fresh()}`, "correct horse battery");
      const memberId = account.member.id;
      const { publicSub, publicWs } = comet();
      const client = await connect(
        { mid: memberId, key: account.token, room_id: `live://${fresh()}`, accepts: [4001] },
        publicSub,
      );
      // The member's chatroom connection on the same comet observes the chat pushes.
      const { client: chat } = await RawClient.login(publicWs, account.token);
      clients.push(chat);
      // A direct message to the member is a chat push to all its connections: not to its goim one.
      const peer = new ChatHttp({ baseUrl: target.apiUrl });
      await peer.register(`goim${fresh()}`, "correct horse battery");
      await peer.sendDirect(memberId, "a chat message");
      await chat.push(Op.MESSAGE);
      await backend().pushMids(4001, [memberId], "goim push to the member");
      await client.push("goim push to the member");
      assert.deepEqual(
        client.pushes().map((m) => [m.op, m.body]),
        [[4001, "goim push to the member"]],
        "only the goim push: no chat message, room event or online count",
      );

      for (const token of [
        { mid: memberId, key: "not a token" },
        { mid: memberId + 1, key: account.token },
        { mid: memberId },
      ]) {
        const refused = GoimClient.open(publicSub, token);
        assert.equal((await refused.closed).code, 4001, JSON.stringify(token));
      }
      // Logout closes the session's goim connection too.
      await http.logout();
      assert.equal((await client.closed).code, 4010);
    });

    it("closes a malformed JSON auth with 1002, as goim closes the socket", async () => {
      for (const token of ['{"mid":"123"}', "not json", '{"room_id":"lobby"}', '{"accepts":["x"]}']) {
        const refused = GoimClient.open(comet().trustedSub, token);
        assert.equal((await refused.closed).code, 1002, token);
      }
    });
  });
}
