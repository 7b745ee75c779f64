import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openSqliteDatabase } from "../src/store/sqlite/sqlite-database.ts";
import { WalSync } from "../src/store/sqlite/wal-sync.ts";

/** PRAGMA synchronous: 2 = FULL, 1 = NORMAL. */
function synchronous(db: ReturnType<typeof openSqliteDatabase>): number {
  return Number((db.prepare("PRAGMA synchronous").get() as { synchronous: number }).synchronous);
}

describe("WalSync", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "chatroom-wal-sync-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("commits a transaction, leaves the connection at synchronous=FULL and syncs the WAL file", async () => {
    const path = join(dir, "a.db");
    const db = openSqliteDatabase(path);
    const wal = new WalSync(db, path);
    try {
      db.exec("CREATE TABLE t (v INTEGER)");
      assert.equal(
        wal.transaction(() => db.prepare("INSERT INTO t VALUES (1)").run().changes),
        1,
      );
      assert.equal(synchronous(db), 2);
      assert.ok((await stat(`${path}-wal`)).size > 0);
      await wal.sync();
      await wal.sync();
      assert.deepEqual(
        db
          .prepare("SELECT v FROM t")
          .all()
          .map((row) => row.v),
        [1],
      );
    } finally {
      await wal.close();
      db.close();
    }
  });

  it("rolls back a transaction whose work throws, and still restores synchronous=FULL", async () => {
    const path = join(dir, "b.db");
    const db = openSqliteDatabase(path);
    const wal = new WalSync(db, path);
    try {
      db.exec("CREATE TABLE t (v INTEGER)");
      assert.throws(
        () =>
          wal.transaction(() => {
            db.prepare("INSERT INTO t VALUES (1)").run();
            throw new Error("boom");
          }),
        /boom/,
      );
      assert.equal(synchronous(db), 2);
      assert.deepEqual(db.prepare("SELECT v FROM t").all(), []);
      await wal.sync();
    } finally {
      await wal.close();
      db.close();
    }
  });

  it("runs plain transactions on an in-memory database, where there is nothing to sync", async () => {
    const db = openSqliteDatabase(":memory:");
    const wal = new WalSync(db, ":memory:");
    try {
      db.exec("CREATE TABLE t (v INTEGER)");
      wal.transaction(() => db.prepare("INSERT INTO t VALUES (2)").run());
      await wal.sync();
      assert.deepEqual(
        db
          .prepare("SELECT v FROM t")
          .all()
          .map((row) => row.v),
        [2],
      );
    } finally {
      await wal.close();
      db.close();
    }
  });
});
