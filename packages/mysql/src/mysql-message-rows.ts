import { messageFromRow, type StoredMessage } from "@chatroom/core";
import type { Queryable, Row } from "./mysql-database.ts";
import { intColumn, textColumn } from "./mysql-rows.ts";

/** The messages table's columns, in the order the stores insert and select them. */
export const MESSAGE_COLUMNS =
  "id, room_id, seq, sender_id, sender_name, text, sent_at_ms, client_msg_id, kind, target_seq";

/** MESSAGE_COLUMNS and the message's revision state (set by edits and deletes, never inserted). */
export const READ_COLUMNS = `${MESSAGE_COLUMNS}, edited_at_ms, deleted, revised_seq`;

/** A row selected with READ_COLUMNS. */
export function toMessage(row: Row): StoredMessage {
  return messageFromRow(row, intColumn, textColumn);
}

/** A message's values in MESSAGE_COLUMNS order (an empty clientMsgId is stored as NULL: no idempotency key). */
export function messageValues(message: StoredMessage): unknown[] {
  return [
    message.id,
    message.roomId,
    message.seq,
    message.senderId,
    message.senderName,
    message.text,
    message.sentAtMs,
    message.clientMsgId === "" ? null : message.clientMsgId,
    message.kind ?? "message",
    message.targetSeq ?? 0,
  ];
}

export async function findByClientMsgId(
  db: Queryable,
  senderId: number,
  clientMsgId: string,
): Promise<StoredMessage | null> {
  const [row] = await db.rows(`SELECT ${READ_COLUMNS} FROM messages WHERE sender_id = ? AND client_msg_id = ?`, [
    senderId,
    clientMsgId,
  ]);
  return row ? toMessage(row) : null;
}
