import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryPresence } from "@chatroom/core";
import { presenceContract } from "@chatroom/core/testing";

presenceContract("MemoryPresence", async () => {
  const presence = new MemoryPresence();
  return { subject: presence, cleanup: () => presence.close() };
});

/** A presence on a clock the test moves by hand. */
function fakeClockPresence(): { presence: MemoryPresence; advance(ms: number): void } {
  let now = 1_000_000;
  return {
    presence: new MemoryPresence({ now: () => now }),
    advance: (ms) => {
      now += ms;
    },
  };
}

describe("MemoryPresence", () => {
  it("expires a connection exactly when its TTL has passed", async () => {
    const { presence, advance } = fakeClockPresence();
    await presence.upsert({ key: "k1", memberId: 1, server: "c1", rooms: ["lobby"] }, 1000);
    advance(999);
    assert.equal((await presence.get("k1"))?.key, "k1");
    advance(1);
    assert.equal(await presence.get("k1"), null);
    assert.deepEqual(await presence.totals(), { connections: 0, members: 0, servers: 0 });
    assert.deepEqual(await presence.topRooms(10), []);
    await presence.close();
  });

  it("counts a renewal's TTL from the renewal", async () => {
    const { presence, advance } = fakeClockPresence();
    await presence.upsert({ key: "k1", memberId: 1, server: "c1", rooms: [] }, 1000);
    advance(800);
    assert.equal(await presence.renew("k1", 1000), true);
    advance(900);
    assert.equal((await presence.get("k1"))?.key, "k1");
    advance(100);
    assert.equal(await presence.get("k1"), null);
    await presence.close();
  });

  it("gives a re-upserted connection a fresh TTL and keeps its indexes consistent", async () => {
    const { presence, advance } = fakeClockPresence();
    await presence.upsert({ key: "k1", memberId: 1, server: "c1", rooms: ["a"] }, 1000);
    advance(900);
    await presence.upsert({ key: "k1", memberId: 2, server: "c2", rooms: ["b"] }, 1000);
    advance(900);
    assert.deepEqual(await presence.locateMembers([1]), []);
    assert.deepEqual(await presence.locateMembers([2]), [{ key: "k1", memberId: 2, server: "c2", rooms: ["b"] }]);
    assert.deepEqual(await presence.serversOfRoom("a"), []);
    assert.deepEqual(await presence.totals(), { connections: 1, members: 1, servers: 1 });
    await presence.close();
  });

  it("keeps a member online while any of its connections lives", async () => {
    const { presence, advance } = fakeClockPresence();
    await presence.upsert({ key: "short", memberId: 1, server: "c1", rooms: ["lobby"] }, 100);
    await presence.upsert({ key: "long", memberId: 1, server: "c1", rooms: ["lobby"] }, 10_000);
    advance(200);
    assert.deepEqual(await presence.onlineCounts(["lobby"]), new Map([["lobby", 1]]));
    assert.deepEqual(await presence.serversOfRoom("lobby"), ["c1"]);
    assert.deepEqual(await presence.totals(), { connections: 1, members: 1, servers: 1 });
    await presence.close();
  });

  it("refuses calls once closed", async () => {
    const presence = new MemoryPresence();
    await presence.close();
    await assert.rejects(presence.get("k1"));
  });
});
