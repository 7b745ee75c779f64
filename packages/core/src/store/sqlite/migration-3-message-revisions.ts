/**
 * Migration 3 (SQLite): edits and deletes of messages.
 * - messages.kind: 'message', or an 'edit' / 'delete' event (own seq in the room's log) of message target_seq.
 * - edited_at_ms / deleted: the message's latest state (an edited text, or a tombstone), updated with the event;
 *   revised_seq: the seq of the last event that changed it (what it reflects).
 */
export const MESSAGE_REVISIONS_SQL = `
  ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'message' CHECK (kind IN ('message', 'edit', 'delete'));
  ALTER TABLE messages ADD COLUMN target_seq INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE messages ADD COLUMN edited_at_ms INTEGER;
  ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1));
  ALTER TABLE messages ADD COLUMN revised_seq INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX messages_by_target ON messages (room_id, target_seq) WHERE kind <> 'message';
`;
