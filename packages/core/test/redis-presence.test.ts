import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RedisPresence, unlinkPrefix } from "@chatroom/core/redis";
import { eventually, presenceContract } from "@chatroom/core/testing";
import { redisTestKeyspace } from "./support/redis-keyspace.ts";

const { url, redis, newPrefix, subjectFactory } = await redisTestKeyspace("presence");

presenceContract(
  "RedisPresence",
  subjectFactory((prefix) => new RedisPresence({ redis, prefix })),
);

const conn = (key: string, memberId: number, server: string, rooms: string[]) => ({ key, memberId, server, rooms });
const LONG_TTL_MS = 60_000;

/** Keys that exist under a prefix. */
async function keysUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    found.push(...keys);
    cursor = next;
  } while (cursor !== "0");
  return found;
}

describe("RedisPresence", () => {
  it("shares one view between processes on separate connections", async () => {
    const prefix = newPrefix();
    const logic = new RedisPresence({ redis: url, prefix });
    const job = new RedisPresence({ redis: url, prefix });
    await logic.upsert(conn("k1", 1, "comet-a", ["lobby"]), LONG_TTL_MS);
    assert.deepEqual(await job.serversOfRoom("lobby"), ["comet-a"]);
    assert.deepEqual(await job.locateMembers([1]), [conn("k1", 1, "comet-a", ["lobby"])]);
    assert.deepEqual(
      (await job.joinRoom(1, "news")).map((c) => c.rooms),
      [["lobby", "news"]],
    );
    assert.deepEqual(await logic.onlineCounts(["news"]), new Map([["news", 1]]));
    assert.equal(await job.remove("k1"), true);
    assert.equal(await logic.get("k1"), null);
    await logic.close();
    await job.close();
  });

  it("ages out the connections of a comet that stopped renewing them", async () => {
    const presence = new RedisPresence({ redis, prefix: newPrefix() });
    await presence.upsert(conn("crashed-1", 1, "comet-crashed", ["lobby"]), 300);
    await presence.upsert(conn("crashed-2", 2, "comet-crashed", ["lobby", "news"]), 300);
    await presence.upsert(conn("alive", 3, "comet-alive", ["lobby"]), LONG_TTL_MS);
    assert.deepEqual((await presence.serversOfRoom("lobby")).sort(), ["comet-alive", "comet-crashed"]);
    await eventually(async () => assert.deepEqual(await presence.serversOfRoom("lobby"), ["comet-alive"]), 5000);
    assert.deepEqual(await presence.serversOfRoom("news"), []);
    assert.deepEqual(
      await presence.onlineCounts(["lobby", "news"]),
      new Map([
        ["lobby", 1],
        ["news", 0],
      ]),
    );
    assert.deepEqual(await presence.topRooms(10), [{ roomId: "lobby", count: 1 }]);
    assert.deepEqual(await presence.totals(), { connections: 1, members: 1, servers: 1 });
    await presence.close();
  });

  it("keeps a comet in a room while any of its connections there lives, whichever expires first", async () => {
    const presence = new RedisPresence({ redis, prefix: newPrefix() });
    await presence.upsert(conn("short", 1, "comet-a", ["lobby"]), 300);
    await presence.upsert(conn("long", 2, "comet-a", ["lobby"]), LONG_TTL_MS);
    await eventually(async () => assert.equal(await presence.get("short"), null), 5000);
    assert.deepEqual(await presence.serversOfRoom("lobby"), ["comet-a"]);
    // Removing the connection with the latest expiry must bring the comet's entry back to the earlier one.
    await presence.upsert(conn("short", 3, "comet-a", ["lobby"]), 300);
    assert.equal(await presence.remove("long"), true);
    assert.deepEqual(await presence.serversOfRoom("lobby"), ["comet-a"]);
    await eventually(async () => assert.deepEqual(await presence.serversOfRoom("lobby"), []), 5000);
    assert.deepEqual(await presence.onlineMembers("lobby", 10), []);
    await presence.close();
  });

  it("shortens a connection's life when it is renewed with a shorter TTL", async () => {
    const presence = new RedisPresence({ redis, prefix: newPrefix() });
    await presence.upsert(conn("k1", 1, "comet-a", ["lobby"]), LONG_TTL_MS);
    assert.equal(await presence.renew("k1", 200), true);
    await eventually(async () => assert.deepEqual(await presence.totals(), { connections: 0, members: 0, servers: 0 }));
    assert.deepEqual(await presence.serversOfRoom("lobby"), []);
    assert.deepEqual(await presence.onlineCounts(["lobby"]), new Map([["lobby", 0]]));
    await presence.close();
  });

  it("leaves no key behind once its connections are removed or expired", async () => {
    const prefix = newPrefix();
    const presence = new RedisPresence({ redis, prefix });
    await presence.upsert(conn("removed", 1, "comet-a", ["lobby", "news"]), LONG_TTL_MS);
    await presence.upsert(conn("expiring", 2, "comet-b", ["lobby"]), 200);
    assert.ok((await keysUnder(prefix)).length > 0);
    await presence.remove("removed");
    // Redis drops expired keys itself (lazily and by its active expiry cycle), with no further write from us.
    await eventually(async () => assert.deepEqual(await keysUnder(prefix), []), 10_000, 100);
    await presence.close();
  });

  it("subscribes a connection to thousands of rooms", async () => {
    const presence = new RedisPresence({ redis, prefix: newPrefix() });
    const rooms = Array.from({ length: 3000 }, (_, i) => `room-${i}`);
    await presence.upsert(conn("busy", 1, "comet-a", rooms), LONG_TTL_MS);
    assert.equal((await presence.get("busy"))?.rooms.length, 3000);
    const counts = await presence.onlineCounts(rooms);
    assert.equal([...counts.values()].filter((count) => count === 1).length, 3000);
    assert.equal((await presence.topRooms(5000)).length, 3000);
    assert.equal(await presence.renew("busy", LONG_TTL_MS), true);
    assert.equal(await presence.remove("busy"), true);
    assert.deepEqual(await presence.topRooms(10), []);
    await presence.close();
  });

  it("is empty after Redis lost its data, until connections are upserted again", async () => {
    const prefix = newPrefix();
    const presence = new RedisPresence({ redis, prefix });
    await presence.upsert(conn("k1", 1, "comet-a", ["lobby"]), LONG_TTL_MS);
    await unlinkPrefix(redis, prefix);
    assert.equal(await presence.get("k1"), null);
    assert.equal(await presence.renew("k1", LONG_TTL_MS), false);
    assert.deepEqual(await presence.serversOfRoom("lobby"), []);
    await presence.upsert(conn("k1", 1, "comet-a", ["lobby"]), LONG_TTL_MS);
    assert.deepEqual(await presence.serversOfRoom("lobby"), ["comet-a"]);
    await presence.close();
  });

  it("refuses calls once closed, leaving a shared client open", async () => {
    const presence = new RedisPresence({ redis, prefix: newPrefix() });
    await presence.close();
    await assert.rejects(presence.get("k1"), { code: "unavailable" });
    assert.equal(await redis.ping(), "PONG");
  });
});
