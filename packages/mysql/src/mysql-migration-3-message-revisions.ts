import { addColumn, addIndex } from "./mysql-migration-2-room-roles.ts";
import type { MysqlMigration } from "./mysql-migrations.ts";

/**
 * Migration 3: edits and deletes of messages (the same model as SQLite's migration 3). messages.kind tells a message
 * from an 'edit' or 'delete' event (own seq in the room's log) of message target_seq; edited_at_ms, deleted and
 * revised_seq (the last event's seq) hold the message's latest state, updated in the event's transaction.
 */
export const MYSQL_MIGRATION_3_MESSAGE_REVISIONS: MysqlMigration = {
  version: 3,
  name: "message edits and deletes",
  statements: [
    addColumn("messages", "kind", "ENUM('message', 'edit', 'delete') NOT NULL DEFAULT 'message'"),
    addColumn("messages", "target_seq", "BIGINT NOT NULL DEFAULT 0"),
    addColumn("messages", "edited_at_ms", "BIGINT NULL"),
    addColumn("messages", "deleted", "TINYINT(1) NOT NULL DEFAULT 0"),
    addColumn("messages", "revised_seq", "BIGINT NOT NULL DEFAULT 0"),
    addIndex("messages", "messages_by_target", "room_id, target_seq, kind"),
  ],
};
