import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Connection, Presence } from "../presence/presence.ts";
import { type ContractFactory, withSubject } from "./contract-subject.ts";
import { eventually } from "./polling.ts";

export interface PresenceContractOptions {
  /** The short TTL the expiry tests use, in real time (default 400 ms). */
  ttlMs?: number;
}

/** Long enough that nothing expires during a test. */
const LONG_TTL_MS = 60_000;

function conn(key: string, memberId: number, server: string, rooms: string[]): Connection {
  return { key, memberId, server, rooms };
}

const byKey = (connections: readonly Connection[]) =>
  [...connections].sort((a, b) => (a.key < b.key ? -1 : 1)).map((c) => ({ ...c, rooms: [...c.rooms].sort() }));

/**
 * The Presence contract (presence.ts). `factory` must return an empty presence (a fresh key prefix for Redis).
 * Expiry is tested with short real TTLs, so the suite runs unchanged against networked implementations.
 */
export function presenceContract(
  name: string,
  factory: ContractFactory<Presence>,
  options: PresenceContractOptions = {},
): void {
  const ttlMs = options.ttlMs ?? 400;

  describe(name, () => {
    it("records a connection, replaces it on upsert and removes it", async () => {
      await withSubject(factory, async (presence) => {
        await presence.upsert(conn("k1", 1, "comet-a", ["lobby"]), LONG_TTL_MS);
        assert.deepEqual(await presence.get("k1"), conn("k1", 1, "comet-a", ["lobby"]));
        await presence.upsert(conn("k1", 1, "comet-b", ["news"]), LONG_TTL_MS);
        assert.deepEqual(await presence.get("k1"), conn("k1", 1, "comet-b", ["news"]));
        assert.deepEqual(await presence.serversOfRoom("lobby"), []);
        assert.deepEqual(await presence.serversOfRoom("news"), ["comet-b"]);
        assert.equal(await presence.remove("k1"), true);
        assert.equal(await presence.remove("k1"), false);
        assert.equal(await presence.get("k1"), null);
        assert.deepEqual(await presence.totals(), { connections: 0, members: 0, servers: 0 });
      });
    });

    it("forgets a connection that is not renewed within its TTL, in every lookup", async () => {
      await withSubject(factory, async (presence) => {
        await presence.upsert(conn("short", 1, "comet-a", ["lobby"]), ttlMs);
        await presence.upsert(conn("long", 2, "comet-b", ["lobby"]), LONG_TTL_MS);
        assert.equal((await presence.get("short"))?.memberId, 1);
        await eventually(async () => assert.equal(await presence.get("short"), null), ttlMs * 10);
        assert.deepEqual(await presence.locateKeys(["short", "long"]), [conn("long", 2, "comet-b", ["lobby"])]);
        assert.deepEqual(await presence.locateMembers([1]), []);
        assert.deepEqual(await presence.serversOfRoom("lobby"), ["comet-b"]);
        assert.deepEqual(await presence.onlineCounts(["lobby"]), new Map([["lobby", 1]]));
        assert.deepEqual(await presence.onlineMembers("lobby", 10), [2]);
        assert.deepEqual(await presence.topRooms(10), [{ roomId: "lobby", count: 1 }]);
        assert.deepEqual(await presence.totals(), { connections: 1, members: 1, servers: 1 });
        assert.equal(await presence.renew("short", LONG_TTL_MS), false);
        assert.equal(await presence.updateRooms("short", { join: ["news"] }), false);
        assert.deepEqual(await presence.joinRoom(1, "news"), []);
        assert.equal(await presence.remove("short"), false);
      });
    });

    it("keeps a renewed connection past its first TTL", async () => {
      await withSubject(factory, async (presence) => {
        await presence.upsert(conn("k1", 1, "comet-a", ["lobby"]), ttlMs);
        // Renewing every quarter TTL for 1.5 TTLs: it would have expired without the renewals.
        for (let i = 0; i < 6; i++) {
          await sleep(ttlMs / 4);
          assert.equal(await presence.renew("k1", ttlMs), true);
        }
        assert.equal((await presence.get("k1"))?.memberId, 1);
        assert.equal(await presence.renew("unknown", ttlMs), false);
        await eventually(async () => assert.equal(await presence.get("k1"), null), ttlMs * 10);
      });
    });

    it("changes one connection's rooms: join, leave and replace", async () => {
      await withSubject(factory, async (presence) => {
        await presence.upsert(conn("k1", 1, "comet-a", ["lobby"]), LONG_TTL_MS);
        assert.equal(await presence.updateRooms("k1", { join: ["news", "dev"] }), true);
        assert.deepEqual([...((await presence.get("k1"))?.rooms ?? [])].sort(), ["dev", "lobby", "news"]);
        assert.equal(await presence.updateRooms("k1", { leave: ["lobby"] }), true);
        assert.deepEqual([...((await presence.get("k1"))?.rooms ?? [])].sort(), ["dev", "news"]);
        assert.deepEqual(await presence.serversOfRoom("lobby"), []);
        assert.equal(await presence.updateRooms("k1", { join: ["music"], replace: true }), true);
        assert.deepEqual((await presence.get("k1"))?.rooms, ["music"]);
        assert.deepEqual(
          await presence.onlineCounts(["news", "music"]),
          new Map([
            ["news", 0],
            ["music", 1],
          ]),
        );
        assert.equal(await presence.updateRooms("unknown", { join: ["music"] }), false);
      });
    });

    it("joins and leaves every live connection of a member, returning the ones changed", async () => {
      await withSubject(factory, async (presence) => {
        await presence.upsert(conn("phone", 1, "comet-a", ["lobby"]), LONG_TTL_MS);
        await presence.upsert(conn("laptop", 1, "comet-b", ["lobby", "news"]), LONG_TTL_MS);
        await presence.upsert(conn("other", 2, "comet-a", ["lobby"]), LONG_TTL_MS);
        const joined = await presence.joinRoom(1, "news");
        assert.deepEqual(byKey(joined), [conn("phone", 1, "comet-a", ["lobby", "news"])]);
        assert.deepEqual([...(await presence.serversOfRoom("news"))].sort(), ["comet-a", "comet-b"]);
        const left = await presence.leaveRoom(1, "lobby");
        assert.deepEqual(byKey(left), [conn("laptop", 1, "comet-b", ["news"]), conn("phone", 1, "comet-a", ["news"])]);
        assert.deepEqual(await presence.leaveRoom(1, "lobby"), []);
        assert.deepEqual(await presence.onlineMembers("lobby", 10), [2]);
        assert.deepEqual(await presence.joinRoom(99, "lobby"), []);
      });
    });

    it("locates connections by key and by member, leaving unknown ones out", async () => {
      await withSubject(factory, async (presence) => {
        await presence.upsert(conn("a1", 1, "comet-a", ["lobby"]), LONG_TTL_MS);
        await presence.upsert(conn("a2", 1, "comet-b", []), LONG_TTL_MS);
        await presence.upsert(conn("b1", 2, "comet-a", ["lobby"]), LONG_TTL_MS);
        assert.deepEqual(byKey(await presence.locateKeys(["b1", "missing", "a2"])), [
          conn("a2", 1, "comet-b", []),
          conn("b1", 2, "comet-a", ["lobby"]),
        ]);
        assert.deepEqual(byKey(await presence.locateMembers([1, 3])), [
          conn("a1", 1, "comet-a", ["lobby"]),
          conn("a2", 1, "comet-b", []),
        ]);
        assert.deepEqual(await presence.locateKeys([]), []);
        assert.deepEqual(await presence.locateMembers([]), []);
      });
    });

    it("lists each comet with a connection in a room once", async () => {
      await withSubject(factory, async (presence) => {
        await presence.upsert(conn("a1", 1, "comet-a", ["lobby"]), LONG_TTL_MS);
        await presence.upsert(conn("a2", 2, "comet-a", ["lobby"]), LONG_TTL_MS);
        await presence.upsert(conn("b1", 3, "comet-b", ["lobby", "news"]), LONG_TTL_MS);
        await presence.upsert(conn("c1", 4, "comet-c", ["news"]), LONG_TTL_MS);
        assert.deepEqual([...(await presence.serversOfRoom("lobby"))].sort(), ["comet-a", "comet-b"]);
        await presence.remove("a1");
        assert.deepEqual([...(await presence.serversOfRoom("lobby"))].sort(), ["comet-a", "comet-b"]);
        await presence.remove("a2");
        assert.deepEqual(await presence.serversOfRoom("lobby"), ["comet-b"]);
        assert.deepEqual(await presence.serversOfRoom("empty"), []);
      });
    });

    it("counts distinct online members per room, a member with two connections once", async () => {
      await withSubject(factory, async (presence) => {
        await presence.upsert(conn("phone", 1, "comet-a", ["lobby", "news"]), LONG_TTL_MS);
        await presence.upsert(conn("laptop", 1, "comet-b", ["lobby"]), LONG_TTL_MS);
        await presence.upsert(conn("other", 2, "comet-a", ["lobby"]), LONG_TTL_MS);
        assert.deepEqual(
          await presence.onlineCounts(["lobby", "news", "empty"]),
          new Map([
            ["lobby", 2],
            ["news", 1],
            ["empty", 0],
          ]),
        );
        await presence.remove("phone");
        assert.deepEqual(
          await presence.onlineCounts(["lobby", "news"]),
          new Map([
            ["lobby", 2],
            ["news", 0],
          ]),
        );
        assert.deepEqual(await presence.onlineMembers("lobby", 10), [1, 2]);
      });
    });

    it("lists a room's online members ascending, at most limit", async () => {
      await withSubject(factory, async (presence) => {
        for (const id of [30, 4, 100, 7]) await presence.upsert(conn(`k${id}`, id, "comet-a", ["lobby"]), LONG_TTL_MS);
        await presence.upsert(conn("k4-second", 4, "comet-b", ["lobby"]), LONG_TTL_MS);
        assert.deepEqual(await presence.onlineMembers("lobby", 10), [4, 7, 30, 100]);
        assert.deepEqual(await presence.onlineMembers("lobby", 2), [4, 7]);
        assert.deepEqual(await presence.onlineMembers("empty", 10), []);
      });
    });

    it("ranks the rooms with the most online members first", async () => {
      await withSubject(factory, async (presence) => {
        await presence.upsert(conn("k1", 1, "comet-a", ["big", "mid", "small"]), LONG_TTL_MS);
        await presence.upsert(conn("k1b", 1, "comet-b", ["small"]), LONG_TTL_MS);
        await presence.upsert(conn("k2", 2, "comet-a", ["big", "mid"]), LONG_TTL_MS);
        await presence.upsert(conn("k3", 3, "comet-b", ["big"]), LONG_TTL_MS);
        assert.deepEqual(await presence.topRooms(10), [
          { roomId: "big", count: 3 },
          { roomId: "mid", count: 2 },
          { roomId: "small", count: 1 },
        ]);
        assert.deepEqual(await presence.topRooms(1), [{ roomId: "big", count: 3 }]);
      });
    });

    it("lets one caller claim a push window until it ends", async () => {
      await withSubject(factory, async (presence) => {
        assert.deepEqual(await presence.claimPushWindow(["a", "b", "a"], ttlMs), ["a", "b"]);
        assert.deepEqual(await presence.claimPushWindow(["a", "c"], ttlMs), ["c"]);
        assert.deepEqual(await presence.claimPushWindow([], ttlMs), []);
        await eventually(async () => assert.deepEqual(await presence.claimPushWindow(["a"], ttlMs), ["a"]), ttlMs * 10);
        assert.deepEqual(await presence.claimPushWindow(["a"], ttlMs), []);
      });
    });

    it("totals connections, distinct members and comets", async () => {
      await withSubject(factory, async (presence) => {
        assert.deepEqual(await presence.totals(), { connections: 0, members: 0, servers: 0 });
        await presence.upsert(conn("k1", 1, "comet-a", []), LONG_TTL_MS);
        await presence.upsert(conn("k2", 1, "comet-b", []), LONG_TTL_MS);
        await presence.upsert(conn("k3", 2, "comet-b", ["lobby"]), LONG_TTL_MS);
        assert.deepEqual(await presence.totals(), { connections: 3, members: 2, servers: 2 });
        await presence.remove("k1");
        assert.deepEqual(await presence.totals(), { connections: 2, members: 2, servers: 1 });
      });
    });
  });
}
