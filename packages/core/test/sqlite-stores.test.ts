import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { MIGRATIONS, migrate, openSqliteStores, SCHEMA_VERSION } from "@chatroom/core";
import { newMessage, seedMember, seedRoom, storesContract } from "@chatroom/core/testing";
import { openSqliteDatabase } from "../src/store/sqlite/sqlite-database.ts";

let dir = "";
let files = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chatroom-sqlite-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A new database file in a directory that does not exist yet (the store creates it). */
const freshPath = () => join(dir, `run-${++files}`, "data", "chat.db");

storesContract("SQLite stores in memory", async () => {
  const stores = openSqliteStores({ path: ":memory:" });
  return { subject: stores, cleanup: () => stores.close() };
});

storesContract("SQLite stores in a file", async () => {
  const stores = openSqliteStores({ path: freshPath() });
  return { subject: stores, cleanup: () => stores.close() };
});

describe("SQLite stores", () => {
  it("keep members, rooms, memberships, sessions and messages across a reopen of the file", async () => {
    const path = freshPath();
    const first = openSqliteStores({ path });
    const ann = await seedMember(first, "Ann");
    await seedRoom(first, "lobby");
    await first.rooms.join("lobby", ann.id, 10);
    await first.sessions.create({ id: "s1", memberId: ann.id, createdAtMs: 1, expiresAtMs: 99 });
    const sent = await first.messages.append(newMessage(ann, "lobby", "survives 🎉"));
    await first.close();
    await first.close();

    const second = openSqliteStores({ path });
    assert.deepEqual(await second.members.findByUsername("ann"), ann);
    assert.equal(await second.rooms.isMember("lobby", ann.id), true);
    assert.equal((await second.sessions.find("s1"))?.memberId, ann.id);
    assert.deepEqual(await second.messages.after("lobby", 0, 10), [sent.message]);
    assert.equal((await second.messages.append(newMessage(ann, "lobby", "next"))).message.seq, 2);
    await second.close();
  });

  it("apply each migration once, record it, and find nothing to do on the next start", async () => {
    const path = freshPath();
    const db = openSqliteDatabase(path);
    try {
      assert.deepEqual(
        migrate(db),
        MIGRATIONS.map((migration) => migration.version),
      );
      assert.deepEqual(migrate(db), []);
      const rows = db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
      assert.deepEqual(
        rows.map((row) => ({ ...row })),
        MIGRATIONS.map(({ version, name }) => ({ version, name })),
      );
      assert.equal(SCHEMA_VERSION, MIGRATIONS.at(-1)?.version);
      assert.deepEqual({ ...db.prepare("PRAGMA journal_mode").get() }, { journal_mode: "wal" });
      assert.deepEqual({ ...db.prepare("PRAGMA foreign_keys").get() }, { foreign_keys: 1 });
    } finally {
      db.close();
    }
    const reopened = openSqliteStores({ path });
    await reopened.close();
    const check = openSqliteDatabase(path);
    try {
      const count = check.prepare("SELECT COUNT(*) AS n FROM schema_migrations").get();
      assert.equal(count?.n, MIGRATIONS.length);
    } finally {
      check.close();
    }
  });

  it("refuse to open a database whose schema is newer than the build", async () => {
    const path = freshPath();
    const db = openSqliteDatabase(path);
    migrate(db);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)").run(
      SCHEMA_VERSION + 1,
      "from the future",
      0,
    );
    db.close();
    assert.throws(() => openSqliteStores({ path }), /newer/);
  });

  it("keep seqs gapless when two connections append to the same file", async () => {
    const path = freshPath();
    const one = openSqliteStores({ path });
    const two = openSqliteStores({ path });
    const ann = await seedMember(one, "ann");
    await seedRoom(one, "lobby");
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).messages.append(newMessage(ann, "lobby", `m${i}`))),
    );
    assert.deepEqual(
      results.map((result) => result.message.seq).sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    assert.equal(await two.messages.lastSeq("lobby"), 40);
    await one.close();
    await two.close();
  });

  it("map constraint failures to ChatError codes", async () => {
    const stores = openSqliteStores({ path: ":memory:" });
    const ann = await seedMember(stores, "ann");
    await seedRoom(stores, "lobby");
    await assert.rejects(stores.rooms.join("nowhere", ann.id, 1), { code: "room_not_found" });
    await assert.rejects(stores.rooms.join("lobby", 987_654, 1), { code: "member_not_found" });
    await assert.rejects(stores.sessions.create({ id: "s", memberId: 987_654, createdAtMs: 1, expiresAtMs: 2 }), {
      code: "member_not_found",
    });
    const sent = await stores.messages.append(newMessage(ann, "lobby", "one"));
    await assert.rejects(stores.messages.append({ ...newMessage(ann, "lobby", "two"), id: sent.message.id }), {
      code: "conflict",
    });
    assert.equal(await stores.messages.lastSeq("lobby"), 1, "a failed append leaves the seq counter alone");
    await stores.close();
  });
});
