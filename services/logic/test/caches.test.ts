import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ChatError,
  MemoryInvalidationBus,
  MemoryInvalidationHub,
  MemoryPresence,
  MemoryPushBus,
  MemoryRateLimiter,
  openSqliteStores,
  type SessionStore,
} from "@chatroom/core";
import { eventually } from "@chatroom/core/testing";
import { LeaveRequest, Op, SendRequest } from "@chatroom/proto/protocol";
import { CachedSessionStore } from "../src/cache/cached-session-store.ts";
import { createLogic, loadLogicConfig } from "../src/index.ts";
import { TEST_SECRET } from "./harness.ts";

/** A session store that counts finds, over SQLite with member 1. */
async function countingSessions(): Promise<{ store: SessionStore; finds: () => number }> {
  const stores = openSqliteStores({ path: ":memory:" });
  await stores.members.create({ username: "counted", passwordHash: "x", createdAtMs: 0 });
  let finds = 0;
  const store: SessionStore = {
    create: (s) => stores.sessions.create(s),
    find: (id) => {
      finds++;
      return stores.sessions.find(id);
    },
    revoke: (id, at) => stores.sessions.revoke(id, at),
    deleteExpired: (now) => stores.sessions.deleteExpired(now),
    close: () => stores.close(),
  };
  return { store, finds: () => finds };
}

describe("logic caches", () => {
  it("serve a live session from memory, and a revocation on one logic reaches the other at once", async () => {
    const { store, finds } = await countingSessions();
    const hub = new MemoryInvalidationHub();
    const options = { ttlMs: 60_000, maxEntries: 100 };
    const one = new CachedSessionStore(store, new MemoryInvalidationBus(hub), options);
    const two = new CachedSessionStore(store, new MemoryInvalidationBus(hub), options);
    await store.create({ id: "s1", memberId: 1, createdAtMs: 0, expiresAtMs: Date.now() + 60_000 });
    assert.equal((await two.find("s1"))?.revokedAtMs, null);
    assert.equal((await two.find("s1"))?.revokedAtMs, null);
    assert.equal(finds(), 1, "the second find came from the cache");
    await one.revoke("s1", 123);
    await eventually(async () => assert.equal((await two.find("s1"))?.revokedAtMs, 123));
    assert.equal(await two.find("unknown"), null);
    assert.equal(await two.find("unknown"), null);
    assert.equal(finds(), 4, "revoked and unknown sessions are not cached");
  });

  it("end a membership in every logic's cache when the member leaves through one of them", async () => {
    const stores = openSqliteStores({ path: ":memory:" });
    const presence = new MemoryPresence();
    const bus = new MemoryPushBus();
    const rateLimiter = new MemoryRateLimiter();
    const hub = new MemoryInvalidationHub();
    const config = loadLogicConfig({}, { tokenSecret: TEST_SECRET, cacheTtlMs: 60_000 });
    const logic = (invalidation: MemoryInvalidationBus) =>
      createLogic({ stores, presence, bus, rateLimiter, invalidation, config });
    const [a, b] = await Promise.all([logic(new MemoryInvalidationBus(hub)), logic(new MemoryInvalidationBus(hub))]);
    try {
      const member = await stores.members.create({ username: "cachey", passwordHash: "x", createdAtMs: 0 });
      await stores.sessions.create({
        id: "sess",
        memberId: member.id,
        createdAtMs: 0,
        expiresAtMs: Date.now() + 60_000,
      });
      await stores.rooms.create({ id: "cached", name: "c", kind: "public", createdBy: member.id, createdAtMs: 0 });
      await stores.rooms.join("cached", member.id, 0);
      const send = (logicOf: typeof a, text: string) =>
        logicOf.api.receive({
          memberId: member.id,
          key: "sess.k",
          server: "c",
          proto: {
            ver: 1,
            op: Op.SEND,
            seq: 1,
            body: SendRequest.encode({ roomId: "cached", toMemberId: 0, clientMsgId: "", text }).finish(),
          },
        });
      await send(b, "cached on b now");
      // Leave through a (the store first), then b must refuse at once, not after its cache expires.
      const leave = await a.api.receive({
        memberId: member.id,
        key: "sess.k",
        server: "c",
        proto: { ver: 1, op: Op.LEAVE, seq: 2, body: LeaveRequest.encode({ roomId: "cached" }).finish() },
      });
      assert.equal(leave.protos[0]?.op, Op.LEAVE_REPLY);
      await eventually(async () => {
        const refused = await send(b, "after leaving").then(
          () => "sent",
          (error: unknown) => (error instanceof ChatError ? error.code : String(error)),
        );
        assert.equal(refused, "not_member");
      });
    } finally {
      await a.close();
      await b.close();
      await Promise.all([stores.close(), presence.close(), bus.close(), rateLimiter.close()]);
    }
  });
});
