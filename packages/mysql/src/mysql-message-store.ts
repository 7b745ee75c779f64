import type { MessageStore, NewMessage, StoredMessage } from "@chatroom/core";
import { ChatError } from "@chatroom/core";
import type { MysqlDatabase, Queryable, Row } from "./mysql-database.ts";
import { ER_DUP_ENTRY, mysqlErrno } from "./mysql-errors.ts";
import { intColumn, limitOf, textColumn } from "./mysql-rows.ts";

const COLUMNS = "id, room_id, seq, sender_id, sender_name, text, sent_at_ms, client_msg_id";

/**
 * Messages in MySQL. The room row's last_seq is the seq counter: append() increments it and inserts the message
 * in one transaction. The increment takes the room row's lock until commit, so appends to one room are serialized
 * across every process and pool; a transaction that rolls back also rolls its increment back, so seqs have no gaps.
 * An empty clientMsgId means "no idempotency key" (stored as NULL, never deduplicated).
 */
export class MysqlMessageStore implements MessageStore {
  readonly #db: MysqlDatabase;

  constructor(db: MysqlDatabase) {
    this.#db = db;
  }

  async append(message: NewMessage): Promise<{ message: StoredMessage; duplicate: boolean }> {
    const clientMsgId = message.clientMsgId === "" ? null : message.clientMsgId;
    try {
      return await this.#db.transaction(async (tx) => {
        if (clientMsgId !== null) {
          const existing = await findByClientMsgId(tx, message.senderId, clientMsgId);
          if (existing) return { message: existing, duplicate: true };
        }
        const seq = await nextSeq(tx, message.roomId);
        await tx.run(`INSERT INTO messages (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
          message.id,
          message.roomId,
          seq,
          message.senderId,
          message.senderName,
          message.text,
          message.sentAtMs,
          clientMsgId,
        ]);
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
    } catch (error) {
      if (mysqlErrno(error) !== ER_DUP_ENTRY) throw error;
      // Rolled back (seq counter included). A concurrent retry with the same key committed first: it is the message.
      if (clientMsgId !== null) {
        const winner = await findByClientMsgId(this.#db, message.senderId, clientMsgId);
        if (winner) return { message: winner, duplicate: true };
      }
      if (await this.findById(message.id)) {
        throw new ChatError("conflict", `message id ${message.id} exists`, { cause: error });
      }
      throw error;
    }
  }

  async after(roomId: string, afterSeq: number, limit: number): Promise<StoredMessage[]> {
    const rows = await this.#db.rows(
      `SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
      [roomId, afterSeq, limitOf(limit)],
    );
    return rows.map(toMessage);
  }

  async before(roomId: string, beforeSeq: number, limit: number): Promise<StoredMessage[]> {
    const bound = beforeSeq > 0 ? beforeSeq : Number.MAX_SAFE_INTEGER;
    const rows = await this.#db.rows(
      `SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
      [roomId, bound, limitOf(limit)],
    );
    return rows.map(toMessage).reverse();
  }

  async findById(id: string): Promise<StoredMessage | null> {
    const [row] = await this.#db.rows(`SELECT ${COLUMNS} FROM messages WHERE id = ?`, [id]);
    return row ? toMessage(row) : null;
  }

  async lastSeq(roomId: string): Promise<number> {
    const [row] = await this.#db.rows("SELECT last_seq FROM rooms WHERE id = ?", [roomId]);
    return row ? intColumn(row, "last_seq") : 0;
  }

  /** The pool is shared by the stores and closed by `Stores.close()`. */
  async close(): Promise<void> {}
}

/**
 * Increments the room's counter and returns the new value. LAST_INSERT_ID(expr) hands the value back on this
 * connection without a second read of the row: the server reports it as the statement's insert id (MySQL and
 * MariaDB both do); SELECT LAST_INSERT_ID() is the fallback should a server not.
 */
async function nextSeq(tx: Queryable, roomId: string): Promise<number> {
  const counter = await tx.run("UPDATE rooms SET last_seq = LAST_INSERT_ID(last_seq + 1) WHERE id = ?", [roomId]);
  if (counter.affectedRows === 0) throw new ChatError("room_not_found", `room ${roomId} not found`);
  const reported = Number(counter.insertId);
  if (reported > 0) return reported;
  const [row] = await tx.rows("SELECT LAST_INSERT_ID() AS seq");
  if (!row) throw new Error("SELECT LAST_INSERT_ID() returned no row");
  return intColumn(row, "seq");
}

async function findByClientMsgId(db: Queryable, senderId: number, clientMsgId: string): Promise<StoredMessage | null> {
  const [row] = await db.rows(`SELECT ${COLUMNS} FROM messages WHERE sender_id = ? AND client_msg_id = ?`, [
    senderId,
    clientMsgId,
  ]);
  return row ? toMessage(row) : null;
}

function toMessage(row: Row): StoredMessage {
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
