import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isChatError } from "../errors.ts";
import type { Stores } from "../store/stores.ts";
import { type ContractFactory, withSubject } from "./contract-subject.ts";
import { seedMember } from "./store-fixtures.ts";

export function memberStoreCases(factory: ContractFactory<Stores>): void {
  describe("members", () => {
    it("creates a member with a new id and finds it by id and by username", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await stores.members.create({ username: "Ann", passwordHash: "scrypt$a", createdAtMs: 111 });
        const bob = await stores.members.create({ username: "bob", passwordHash: "scrypt$b", createdAtMs: 222 });
        assert.ok(Number.isInteger(ann.id) && ann.id > 0);
        assert.notEqual(ann.id, bob.id);
        assert.deepEqual(ann, { id: ann.id, username: "Ann", passwordHash: "scrypt$a", createdAtMs: 111 });
        assert.deepEqual(await stores.members.findById(ann.id), ann);
        assert.deepEqual(await stores.members.findByUsername("Ann"), ann);
      });
    });

    it("compares usernames case-insensitively but keeps them as given", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "AnnMarie");
        assert.deepEqual(await stores.members.findByUsername("annmarie"), ann);
        assert.deepEqual(await stores.members.findByUsername("ANNMARIE"), ann);
        assert.equal((await stores.members.findByUsername("annmarie"))?.username, "AnnMarie");
      });
    });

    it("refuses a username that exists in another case with username_taken", async () => {
      await withSubject(factory, async (stores) => {
        await seedMember(stores, "Carol");
        await assert.rejects(
          seedMember(stores, "carol"),
          (error) => isChatError(error) && error.code === "username_taken",
        );
        await assert.rejects(
          seedMember(stores, "Carol"),
          (error) => isChatError(error) && error.code === "username_taken",
        );
      });
    });

    it("returns null for unknown members", async () => {
      await withSubject(factory, async (stores) => {
        assert.equal(await stores.members.findById(987_654), null);
        assert.equal(await stores.members.findByUsername("nobody"), null);
      });
    });

    it("finds members by ids, leaving unknown ids out", async () => {
      await withSubject(factory, async (stores) => {
        const a = await seedMember(stores, "a1");
        const b = await seedMember(stores, "b1");
        await seedMember(stores, "c1");
        const found = await stores.members.findByIds([b.id, 987_654, a.id]);
        assert.deepEqual(
          found.sort((x, y) => x.id - y.id),
          [a, b].sort((x, y) => x.id - y.id),
        );
        assert.deepEqual(await stores.members.findByIds([]), []);
      });
    });
  });
}
