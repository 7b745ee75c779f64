import type { Queryable } from "./mysql-database.ts";
import type { MysqlMigration } from "./mysql-migrations.ts";

// Repeated here rather than imported: mysql-migrations.ts imports this file, and a shipped migration never changes.
const TABLE_OPTIONS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

/** Runs `statement` unless `found` (an information_schema query) finds a row: a rerun after a crash is harmless. */
function unless(found: string, values: string[], statement: string) {
  return async (connection: Queryable): Promise<void> => {
    if ((await connection.rows(found, values)).length === 0) await connection.run(statement);
  };
}

export function addColumn(table: string, column: string, definition: string) {
  return unless(
    `SELECT 1 AS found FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?`,
    [table, column],
    `ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`,
  );
}

export function addIndex(table: string, index: string, columns: string) {
  return unless(
    `SELECT 1 AS found FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?`,
    [table, index],
    `ALTER TABLE ${table} ADD INDEX ${index} (${columns})`,
  );
}

function restrictionTable(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
    room_id VARCHAR(191) NOT NULL,
    member_id BIGINT NOT NULL,
    -- NULL: until lifted.
    until_ms BIGINT NULL,
    by_member_id BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (room_id, member_id),
    KEY ${table}_by_member (member_id),
    CONSTRAINT ${table}_room_fk FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE,
    CONSTRAINT ${table}_member_fk FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE CASCADE
  ) ${TABLE_OPTIONS}`;
}

/**
 * Migration 2: room roles, private rooms, bans, mutes and invitations (the same model as SQLite's migration 2).
 * rooms.is_private marks invite-only rooms (kind stays 'public'); memberships.role makes each public room's creator
 * its owner (the lobby, created by 0, has none); bans, mutes and invitations outlive memberships in tables of
 * their own.
 */
export const MYSQL_MIGRATION_2_ROOM_ROLES: MysqlMigration = {
  version: 2,
  name: "room roles, private rooms, bans, mutes and invitations",
  statements: [
    addColumn("rooms", "is_private", "TINYINT(1) NOT NULL DEFAULT 0"),
    addColumn("memberships", "role", "ENUM('owner', 'moderator', 'member') NOT NULL DEFAULT 'member'"),
    `UPDATE memberships m JOIN rooms r ON r.id = m.room_id
        SET m.role = 'owner'
      WHERE r.kind = 'public' AND r.created_by = m.member_id`,
    addIndex("memberships", "memberships_by_role", "room_id, role, joined_at_ms"),
    restrictionTable("room_bans"),
    restrictionTable("room_mutes"),
    `CREATE TABLE IF NOT EXISTS room_invitations (
      room_id VARCHAR(191) NOT NULL,
      member_id BIGINT NOT NULL,
      invited_by BIGINT NOT NULL,
      at_ms BIGINT NOT NULL,
      PRIMARY KEY (room_id, member_id),
      KEY room_invitations_by_member (member_id, at_ms),
      CONSTRAINT room_invitations_room_fk FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE,
      CONSTRAINT room_invitations_member_fk FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE CASCADE
    ) ${TABLE_OPTIONS}`,
  ],
};
