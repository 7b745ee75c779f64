import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { MIGRATIONS, migrate, openSqliteStores, type Stores } from "@chatroom/core";
import { uniqueSuffix } from "@chatroom/core/testing";
import { MYSQL_MIGRATIONS, MysqlDatabase, migrateMysql, openMysqlStores } from "@chatroom/mysql";
import { createConnection } from "mysql2/promise";
import { mysqlService } from "../../../test/support/services.ts";
import { openSqliteDatabase } from "../../core/src/store/sqlite/sqlite-database.ts";

/**
 * Migration 2 on a database that has data from version 1: each public room's creator becomes its owner, everyone
 * else (and the lobby, created by nobody) stays a plain member, and existing rooms stay public.
 */
const V1_ROWS = [
  "INSERT INTO members (id, username, password_hash, created_at_ms) VALUES (1, 'ann', 'h', 1), (2, 'bob', 'h', 1)",
  `INSERT INTO rooms (id, name, kind, created_by, created_at_ms) VALUES
     ('lobby', 'Lobby', 'public', 0, 1), ('club', 'Club', 'public', 1, 1), ('dm:1:2', 'dm:1:2', 'direct', 1, 1)`,
  `INSERT INTO memberships (room_id, member_id, joined_at_ms) VALUES
     ('lobby', 1, 1), ('lobby', 2, 1), ('club', 1, 1), ('club', 2, 2), ('dm:1:2', 1, 1), ('dm:1:2', 2, 1)`,
];

/** Every migration after version 1, in order: what a version 1 database gets (migration 2 among them). */
function laterVersions(migrations: readonly { version: number }[]): number[] {
  const versions = migrations.map((migration) => migration.version).filter((version) => version > 1);
  assert.ok(versions.includes(2));
  return versions;
}

async function assertUpgraded(stores: Stores): Promise<void> {
  const roles = async (roomId: string) =>
    (await stores.rooms.members(roomId, { limit: 10 })).map((m) => [m.memberId, m.role]);
  assert.deepEqual(await roles("club"), [
    [1, "owner"],
    [2, "member"],
  ]);
  assert.deepEqual(await roles("lobby"), [
    [1, "member"],
    [2, "member"],
  ]);
  assert.deepEqual(await roles("dm:1:2"), [
    [1, "member"],
    [2, "member"],
  ]);
  assert.deepEqual(
    (await stores.rooms.listPublic({ limit: 10 })).map((room) => [room.id, room.kind]),
    [
      ["club", "public"],
      ["lobby", "public"],
    ],
  );
  assert.equal((await stores.rooms.get("dm:1:2"))?.kind, "direct");
}

describe("migration 2 (room roles) on version 1 data", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "chatroom-roles-migration-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("SQLite: makes each public room's creator its owner", async () => {
    const path = join(dir, "v1.db");
    const db = openSqliteDatabase(path);
    const v1 = MIGRATIONS.find((migration) => migration.version === 1);
    assert.ok(v1);
    db.exec(v1.sql);
    db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER)");
    db.prepare("INSERT INTO schema_migrations VALUES (1, ?, 0)").run(v1.name);
    for (const sql of V1_ROWS) db.exec(sql);
    assert.deepEqual(migrate(db), laterVersions(MIGRATIONS));
    db.close();
    const stores = openSqliteStores({ path });
    try {
      await assertUpgraded(stores);
    } finally {
      await stores.close();
    }
  });

  it("MySQL: makes each public room's creator its owner, and a rerun of its steps changes nothing", async () => {
    const { url: serverUrl } = await mysqlService();
    const admin = await createConnection({ uri: serverUrl });
    const name = `chatroom_${uniqueSuffix()}`;
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const db = new MysqlDatabase({ url: url.toString() });
    try {
      await migrateMysql(
        db,
        MYSQL_MIGRATIONS.filter((migration) => migration.version === 1),
      );
      for (const sql of V1_ROWS) await db.run(sql);
      assert.deepEqual(await migrateMysql(db), laterVersions(MYSQL_MIGRATIONS));
      // As if the process had died after the steps but before recording the migration.
      const v2 = MYSQL_MIGRATIONS.find((migration) => migration.version === 2);
      assert.ok(v2);
      await db.withConnection(async (connection) => {
        for (const step of v2.statements) {
          if (typeof step === "string") await connection.run(step);
          else await step(connection);
        }
      });
      const stores = await openMysqlStores({ url: url.toString() });
      try {
        await assertUpgraded(stores);
      } finally {
        await stores.close();
      }
    } finally {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    }
  });
});
