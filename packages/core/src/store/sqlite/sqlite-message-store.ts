import type { DatabaseSync, StatementSync } from "node:sqlite";
import { ChatError } from "../../errors.ts";
import type { NewMessage, StoredMessage } from "../../types.ts";
import type { MessageStore } from "../message-store.ts";
import {
  intColumn,
  SQLITE_CONSTRAINT_PRIMARYKEY,
  type SqliteRow,
  sqliteErrorCode,
  textColumn,
  transaction,
} from "./sqlite-database.ts";

const COLUMNS = "id, room_id, seq, sender_id, sender_name, text, sent_at_ms, client_msg_id";

/**
 * Messages in SQLite. The room row's last_seq is the seq counter: append() increments it and inserts the
 * message in one write transaction, so seqs are gapless even with several processes on one file.
 * An empty clientMsgId means "no idempotency key" (stored as NULL, never deduplicated).
 */
export class SqliteMessageStore implements MessageStore {
  readonly #db: DatabaseSync;
  readonly #byClientMsgId: StatementSync;
  readonly #nextSeq: StatementSync;
  readonly #insert: StatementSync;
  readonly #after: StatementSync;
  readonly #before: StatementSync;
  readonly #byId: StatementSync;
  readonly #lastSeq: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#byClientMsgId = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE sender_id = ? AND client_msg_id = ?`);
    this.#nextSeq = db.prepare("UPDATE rooms SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq");
    this.#insert = db.prepare(`INSERT INTO messages (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#after = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq LIMIT ?`);
    this.#before = db.prepare(
      `SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    );
    this.#byId = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE id = ?`);
    this.#lastSeq = db.prepare("SELECT last_seq FROM rooms WHERE id = ?");
  }

  async append(message: NewMessage): Promise<{ message: StoredMessage; duplicate: boolean }> {
    return transaction(this.#db, () => {
      if (message.clientMsgId !== "") {
        const existing = this.#byClientMsgId.get(message.senderId, message.clientMsgId);
        if (existing) return { message: toMessage(existing), duplicate: true };
      }
      const counter = this.#nextSeq.get(message.roomId);
      if (!counter) throw new ChatError("room_not_found", `room ${message.roomId} not found`);
      const seq = intColumn(counter, "last_seq");
      try {
        this.#insert.run(
          message.id,
          message.roomId,
          seq,
          message.senderId,
          message.senderName,
          message.text,
          message.sentAtMs,
          message.clientMsgId === "" ? null : message.clientMsgId,
        );
      } catch (error) {
        if (sqliteErrorCode(error) === SQLITE_CONSTRAINT_PRIMARYKEY) {
          throw new ChatError("conflict", `message id ${message.id} exists`, { cause: error });
        }
        throw error;
      }
      const stored: StoredMessage = {
        id: message.id,
        roomId: message.roomId,
        seq,
        senderId: message.senderId,
        senderName: message.senderName,
        text: message.text,
        sentAtMs: message.sentAtMs,
        clientMsgId: message.clientMsgId,
      };
      return { message: stored, duplicate: false };
    });
  }

  async after(roomId: string, afterSeq: number, limit: number): Promise<StoredMessage[]> {
    return this.#after.all(roomId, afterSeq, limitOf(limit)).map(toMessage);
  }

  async before(roomId: string, beforeSeq: number, limit: number): Promise<StoredMessage[]> {
    const bound = beforeSeq > 0 ? beforeSeq : Number.MAX_SAFE_INTEGER;
    return this.#before.all(roomId, bound, limitOf(limit)).map(toMessage).reverse();
  }

  async findById(id: string): Promise<StoredMessage | null> {
    const row = this.#byId.get(id);
    return row ? toMessage(row) : null;
  }

  async lastSeq(roomId: string): Promise<number> {
    const row = this.#lastSeq.get(roomId);
    return row ? intColumn(row, "last_seq") : 0;
  }

  /** The database is shared by the stores and closed by `Stores.close()`. */
  async close(): Promise<void> {}
}

function limitOf(limit: number): number {
  return Math.max(0, Math.floor(limit));
}

function toMessage(row: SqliteRow): StoredMessage {
  return {
    id: textColumn(row, "id"),
    roomId: textColumn(row, "room_id"),
    seq: intColumn(row, "seq"),
    senderId: intColumn(row, "sender_id"),
    senderName: textColumn(row, "sender_name"),
    text: textColumn(row, "text"),
    sentAtMs: intColumn(row, "sent_at_ms"),
    clientMsgId: row.client_msg_id === null ? "" : textColumn(row, "client_msg_id"),
  };
}
