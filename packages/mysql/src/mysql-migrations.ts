import { createHash } from "node:crypto";
import { ChatError } from "@chatroom/core";
import { MysqlDatabase, type Queryable } from "./mysql-database.ts";
import { ER_NO_SUCH_TABLE, mysqlErrno } from "./mysql-errors.ts";
import { MYSQL_MIGRATION_2_ROOM_ROLES } from "./mysql-migration-2-room-roles.ts";
import { MYSQL_MIGRATION_3_MESSAGE_REVISIONS } from "./mysql-migration-3-message-revisions.ts";
import { intColumn } from "./mysql-rows.ts";

/** A statement, or a step that decides what to run (MySQL 8 has no ADD COLUMN IF NOT EXISTS). */
export type MysqlMigrationStep = string | ((connection: Queryable) => Promise<void>);

export interface MysqlMigration {
  /** 1, 2, 3…: applied in this order, each exactly once per database. */
  version: number;
  name: string;
  /**
   * Run one by one. MySQL commits DDL implicitly, so a migration is not atomic: write each statement so that
   * running it again after a crash halfway is harmless (CREATE … IF NOT EXISTS, or a step that checks first).
   */
  statements: readonly MysqlMigrationStep[];
}

// Text columns compare and sort by code point (utf8mb4_bin) and keep every byte, 4-byte emoji included.
const TABLE_OPTIONS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

/** The schema history. Append new migrations; never edit one that has shipped. */
export const MYSQL_MIGRATIONS: readonly MysqlMigration[] = [
  {
    version: 1,
    name: "initial schema",
    statements: [
      `CREATE TABLE IF NOT EXISTS members (
        id BIGINT NOT NULL AUTO_INCREMENT,
        username VARCHAR(255) NOT NULL,
        -- Uniqueness and lookups ignore case through this lower-cased copy; username keeps the name as given.
        username_key VARCHAR(255) GENERATED ALWAYS AS (LOWER(username)) STORED,
        password_hash VARCHAR(512) NOT NULL,
        created_at_ms BIGINT NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY members_by_username_key (username_key)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS sessions (
        id VARCHAR(191) NOT NULL,
        member_id BIGINT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        expires_at_ms BIGINT NOT NULL,
        revoked_at_ms BIGINT NULL,
        PRIMARY KEY (id),
        KEY sessions_by_expiry (expires_at_ms),
        KEY sessions_by_member (member_id),
        CONSTRAINT sessions_member_fk FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE CASCADE
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS rooms (
        id VARCHAR(191) NOT NULL,
        name VARCHAR(255) NOT NULL,
        kind ENUM('public', 'direct') NOT NULL,
        created_by BIGINT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        -- The room's seq counter: append() increments it under the row lock (see mysql-message-store.ts).
        last_seq BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (id),
        KEY rooms_by_kind (kind, id)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS memberships (
        room_id VARCHAR(191) NOT NULL,
        member_id BIGINT NOT NULL,
        joined_at_ms BIGINT NOT NULL,
        acked_seq BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (room_id, member_id),
        KEY memberships_by_member (member_id),
        CONSTRAINT memberships_room_fk FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE,
        CONSTRAINT memberships_member_fk FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE CASCADE
      ) ${TABLE_OPTIONS}`,
      // Clustered by (room_id, seq): a room's messages sit together in seq order, so appends go to the end of the
      // room's range and history/resume pages are range scans of the primary key.
      `CREATE TABLE IF NOT EXISTS messages (
        room_id VARCHAR(191) NOT NULL,
        seq BIGINT NOT NULL,
        id VARCHAR(191) NOT NULL,
        sender_id BIGINT NOT NULL,
        sender_name VARCHAR(255) NOT NULL,
        text TEXT NOT NULL,
        sent_at_ms BIGINT NOT NULL,
        -- NULL when the sender gave no idempotency key (NULLs never collide in a UNIQUE key).
        client_msg_id VARCHAR(191) NULL,
        PRIMARY KEY (room_id, seq),
        UNIQUE KEY messages_by_id (id),
        UNIQUE KEY messages_by_client_msg_id (sender_id, client_msg_id),
        CONSTRAINT messages_room_fk FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE
      ) ${TABLE_OPTIONS}`,
    ],
  },
  MYSQL_MIGRATION_2_ROOM_ROLES,
  MYSQL_MIGRATION_3_MESSAGE_REVISIONS,
];

/** The schema version this build expects. */
export const MYSQL_SCHEMA_VERSION = MYSQL_MIGRATIONS.reduce((max, migration) => Math.max(max, migration.version), 0);

/** How long a migrator waits for another one to finish before giving up. */
const LOCK_TIMEOUT_S = 30;

const CREATE_SCHEMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT NOT NULL,
  name VARCHAR(255) NOT NULL,
  applied_at DATETIME(3) NOT NULL,
  PRIMARY KEY (version)
) ${TABLE_OPTIONS}`;

/** The highest migration recorded in the database (0 when none has run). */
export async function mysqlSchemaVersion(db: Queryable): Promise<number> {
  try {
    const [row] = await db.rows("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations");
    return row ? intColumn(row, "version") : 0;
  } catch (error) {
    if (mysqlErrno(error) === ER_NO_SUCH_TABLE) return 0;
    throw error;
  }
}

/** Refuses a database whose schema is not the one this build was written for. */
export async function assertMysqlSchemaCurrent(db: Queryable): Promise<void> {
  const version = await mysqlSchemaVersion(db);
  if (version < MYSQL_SCHEMA_VERSION) {
    throw new Error(
      `MySQL schema is at version ${version}, this build needs ${MYSQL_SCHEMA_VERSION}: run npm run migrate`,
    );
  }
  if (version > MYSQL_SCHEMA_VERSION) throw newerSchemaError(version);
}

/**
 * Brings the database to the latest of `migrations`: applies each missing one in version order and records it in
 * `schema_migrations`. Holds the named lock `chatroom_migrate:<database>` (GET_LOCK) throughout, so processes that
 * migrate at once take turns and each migration runs once. Returns the versions applied by this call.
 */
export async function migrateMysql(
  db: MysqlDatabase,
  migrations: readonly MysqlMigration[] = MYSQL_MIGRATIONS,
): Promise<number[]> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const target = ordered.at(-1)?.version ?? 0;
  return db.withConnection(async (connection) => {
    const lock = await migrationLockName(connection);
    const [acquired] = await connection.rows("SELECT GET_LOCK(?, ?) AS acquired", [lock, LOCK_TIMEOUT_S]);
    if (Number(acquired?.acquired) !== 1) {
      throw new ChatError("unavailable", `another process held the migration lock ${lock} for ${LOCK_TIMEOUT_S} s`);
    }
    try {
      await connection.run(CREATE_SCHEMA_MIGRATIONS);
      const current = await mysqlSchemaVersion(connection);
      if (current > target) throw newerSchemaError(current);
      const done = new Set(
        (await connection.rows("SELECT version FROM schema_migrations")).map((row) => intColumn(row, "version")),
      );
      const applied: number[] = [];
      for (const migration of ordered) {
        if (done.has(migration.version)) continue;
        for (const step of migration.statements) {
          if (typeof step === "string") await connection.run(step);
          else await step(connection);
        }
        await connection.run(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, UTC_TIMESTAMP(3))",
          [migration.version, migration.name],
        );
        applied.push(migration.version);
      }
      return applied;
    } finally {
      // A broken connection has lost the lock already (named locks end with their session).
      await connection.run("DO RELEASE_LOCK(?)", [lock]).catch(() => {});
    }
  });
}

/** What `npm run migrate` does: opens its own connection, migrates, and reports the versions before and after. */
export async function runMysqlMigrations(options: {
  url: string;
}): Promise<{ before: number; after: number; applied: number[] }> {
  const db = new MysqlDatabase({ url: options.url, poolSize: 1 });
  try {
    const before = await mysqlSchemaVersion(db);
    const applied = await migrateMysql(db);
    return { before, after: await mysqlSchemaVersion(db), applied };
  } finally {
    await db.close();
  }
}

/** Named locks are server-wide: the database name keeps migrations of different databases independent. */
async function migrationLockName(connection: Queryable): Promise<string> {
  const [row] = await connection.rows("SELECT DATABASE() AS db");
  const database = row?.db;
  if (typeof database !== "string" || database === "") {
    throw new Error("the MySQL URL names no database (mysql://user:password@host:port/<database>)");
  }
  const name = `chatroom_migrate:${database}`;
  // MySQL refuses lock names longer than 64 characters.
  return name.length <= 64
    ? name
    : `chatroom_migrate:${createHash("sha256").update(database).digest("hex").slice(0, 40)}`;
}

function newerSchemaError(version: number): Error {
  return new Error(`MySQL schema version ${version} is newer than this build's (${MYSQL_SCHEMA_VERSION})`);
}
