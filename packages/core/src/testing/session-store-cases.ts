import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Stores } from "../store/stores.ts";
import { type ContractFactory, withSubject } from "./contract-subject.ts";
import { seedMember } from "./store-fixtures.ts";

export function sessionStoreCases(factory: ContractFactory<Stores>): void {
  describe("sessions", () => {
    it("creates a session that is not revoked and finds it", async () => {
      await withSubject(factory, async (stores) => {
        const member = await seedMember(stores, "sam");
        const session = await stores.sessions.create({
          id: "s-1",
          memberId: member.id,
          createdAtMs: 1_000,
          expiresAtMs: 9_000,
        });
        assert.deepEqual(session, {
          id: "s-1",
          memberId: member.id,
          createdAtMs: 1_000,
          expiresAtMs: 9_000,
          revokedAtMs: null,
        });
        assert.deepEqual(await stores.sessions.find("s-1"), session);
        assert.equal(await stores.sessions.find("s-unknown"), null);
      });
    });

    it("makes a revocation visible to the next read, keeps the first revocation time and is idempotent", async () => {
      await withSubject(factory, async (stores) => {
        const member = await seedMember(stores, "sam");
        await stores.sessions.create({ id: "s-1", memberId: member.id, createdAtMs: 1_000, expiresAtMs: 9_000 });
        assert.equal(await stores.sessions.revoke("s-1", 5_000), true);
        assert.equal((await stores.sessions.find("s-1"))?.revokedAtMs, 5_000);
        assert.equal(await stores.sessions.revoke("s-1", 6_000), true);
        assert.equal((await stores.sessions.find("s-1"))?.revokedAtMs, 5_000);
        assert.equal(await stores.sessions.revoke("s-unknown", 5_000), false);
      });
    });

    it("deletes only the sessions that expired before the given time and counts them", async () => {
      await withSubject(factory, async (stores) => {
        const member = await seedMember(stores, "sam");
        for (const [id, expiresAtMs] of [
          ["old-1", 1_000],
          ["old-2", 2_000],
          ["live", 10_000],
        ] as const) {
          await stores.sessions.create({ id, memberId: member.id, createdAtMs: 500, expiresAtMs });
        }
        assert.equal(await stores.sessions.deleteExpired(5_000), 2);
        assert.equal(await stores.sessions.find("old-1"), null);
        assert.equal(await stores.sessions.find("old-2"), null);
        assert.equal((await stores.sessions.find("live"))?.expiresAtMs, 10_000);
        assert.equal(await stores.sessions.deleteExpired(5_000), 0);
      });
    });
  });
}
