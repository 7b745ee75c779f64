import type { DatabaseSync } from "node:sqlite";
import { ROOMS_AND_ROLES_SQL } from "./migration-2-room-roles.ts";
import { MESSAGE_REVISIONS_SQL } from "./migration-3-message-revisions.ts";
import { intColumn, transaction } from "./sqlite-database.ts";

export interface Migration {
  /** 1, 2, 3…: applied in this order, each exactly once per database. */
  version: number;
  name: string;
  sql: string;
}

/** The schema history. Append new migrations; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
      CREATE TABLE members (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
      );
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
        created_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        revoked_at_ms INTEGER
      );
      CREATE INDEX sessions_by_expiry ON sessions (expires_at_ms);
      CREATE INDEX sessions_by_member ON sessions (member_id);
      CREATE TABLE rooms (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('public', 'direct')),
        created_by INTEGER NOT NULL,
        created_at_ms INTEGER NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX rooms_by_kind ON rooms (kind, id);
      CREATE TABLE memberships (
        room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
        joined_at_ms INTEGER NOT NULL,
        acked_seq INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (room_id, member_id)
      );
      CREATE INDEX memberships_by_member ON memberships (member_id);
      CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        sender_id INTEGER NOT NULL,
        sender_name TEXT NOT NULL,
        text TEXT NOT NULL,
        sent_at_ms INTEGER NOT NULL,
        -- NULL when the sender gave no idempotency key (NULLs never collide in a UNIQUE constraint).
        client_msg_id TEXT,
        UNIQUE (room_id, seq),
        UNIQUE (sender_id, client_msg_id)
      );
    `,
  },
  {
    version: 2,
    name: "room roles, private rooms, bans, mutes and invitations",
    sql: ROOMS_AND_ROLES_SQL,
  },
  {
    version: 3,
    name: "message edits and deletes",
    sql: MESSAGE_REVISIONS_SQL,
  },
];

/** The schema version this build expects. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((max, migration) => Math.max(max, migration.version), 0);

/**
 * Brings the database to SCHEMA_VERSION: applies each missing migration in its own transaction and records it
 * in `schema_migrations`. Safe to run at every start and from several processes at once (each migration is
 * re-checked under the write lock). Returns the versions applied by this call.
 */
export function migrate(db: DatabaseSync, nowMs: () => number = Date.now): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at_ms INTEGER NOT NULL
  )`);
  const current = db.prepare("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations").get();
  if (current && intColumn(current, "version") > SCHEMA_VERSION) {
    throw new Error(`database schema version ${intColumn(current, "version")} is newer than this build's`);
  }
  const isApplied = db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)");
  const applied: number[] = [];
  for (const migration of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
    transaction(db, () => {
      if (isApplied.get(migration.version)) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, nowMs());
      applied.push(migration.version);
    });
  }
  return applied;
}
