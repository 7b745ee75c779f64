import type { StoredMessage } from "../types.ts";

/** How a store reads a column of its driver's rows (SQLite gives bigints, MySQL may give numeric strings). */
export type ColumnReader<R, T> = (row: R, column: string) => T;

/**
 * A message from a row of the messages table (columns id, room_id, seq, sender_id, sender_name, text, sent_at_ms,
 * client_msg_id, kind, target_seq, edited_at_ms, deleted, revised_seq), the same for every SQL store: a NULL
 * client_msg_id is "" (no idempotency key); an edit or delete event carries its kind and target; a message carries
 * its revision state only where it has one (edited, deleted, revised_seq > 0).
 */
export function messageFromRow<R extends Record<string, unknown>>(
  row: R,
  int: ColumnReader<R, number>,
  text: ColumnReader<R, string>,
): StoredMessage {
  const message: StoredMessage = {
    id: text(row, "id"),
    roomId: text(row, "room_id"),
    seq: int(row, "seq"),
    senderId: int(row, "sender_id"),
    senderName: text(row, "sender_name"),
    text: text(row, "text"),
    sentAtMs: int(row, "sent_at_ms"),
    clientMsgId: row.client_msg_id === null ? "" : text(row, "client_msg_id"),
  };
  const kind = text(row, "kind");
  if (kind === "edit" || kind === "delete") return { ...message, kind, targetSeq: int(row, "target_seq") };
  const revisedSeq = int(row, "revised_seq");
  return {
    ...message,
    ...(row.edited_at_ms === null ? {} : { editedAtMs: int(row, "edited_at_ms") }),
    ...(int(row, "deleted") === 1 ? { deleted: true as const } : {}),
    ...(revisedSeq > 0 ? { revisedSeq } : {}),
  };
}
