import {
  type AppendResult,
  GroupCommitQueue,
  type MessageStore,
  type NewMessage,
  type StoredMessage,
} from "@chatroom/core";
import { MysqlAppendWriter } from "./mysql-append-writer.ts";
import type { MysqlDatabase } from "./mysql-database.ts";
import { READ_COLUMNS, toMessage } from "./mysql-message-rows.ts";
import { intColumn, limitOf } from "./mysql-rows.ts";

export interface MysqlMessageStoreOptions {
  /** Most appends written in one transaction (default 500). */
  maxBatch?: number;
  /** Most text bytes in one batch (default 1 MiB, far below MySQL's max_allowed_packet of 16 MiB or more). */
  maxBatchBytes?: number;
}

/** Per message, besides its text: the other columns' share of the multi-row INSERT, roughly. */
const ROW_OVERHEAD_BYTES = 256;

/**
 * Messages in MySQL. The room row's last_seq is the seq counter, moved in the same transaction as the inserts.
 * Appends are group-committed: queued, and written one batch at a time — every append that arrived while the
 * previous batch was being written, whatever its room — in one transaction of a fixed number of statements (see
 * MysqlAppendWriter). append() resolves only after that transaction committed.
 * An empty clientMsgId means "no idempotency key" (stored as NULL, never deduplicated).
 */
export class MysqlMessageStore implements MessageStore {
  readonly #db: MysqlDatabase;
  readonly #writer: MysqlAppendWriter;
  readonly #queue: GroupCommitQueue<NewMessage, AppendResult>;

  constructor(db: MysqlDatabase, options: MysqlMessageStoreOptions = {}) {
    this.#db = db;
    this.#writer = new MysqlAppendWriter(db);
    this.#queue = new GroupCommitQueue((batch) => this.#writer.write(batch, (message) => this.append(message)), {
      maxItems: options.maxBatch ?? 500,
      maxBytes: options.maxBatchBytes ?? 1024 * 1024,
    });
  }

  append(message: NewMessage): Promise<AppendResult> {
    return this.#queue.submit(message, Buffer.byteLength(message.text) + ROW_OVERHEAD_BYTES);
  }

  async after(roomId: string, afterSeq: number, limit: number): Promise<StoredMessage[]> {
    const rows = await this.#db.rows(
      `SELECT ${READ_COLUMNS} FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
      [roomId, afterSeq, limitOf(limit)],
    );
    return rows.map(toMessage);
  }

  async before(roomId: string, beforeSeq: number, limit: number): Promise<StoredMessage[]> {
    const bound = beforeSeq > 0 ? beforeSeq : Number.MAX_SAFE_INTEGER;
    const rows = await this.#db.rows(
      `SELECT ${READ_COLUMNS} FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
      [roomId, bound, limitOf(limit)],
    );
    return rows.map(toMessage).reverse();
  }

  async findById(id: string): Promise<StoredMessage | null> {
    const [row] = await this.#db.rows(`SELECT ${READ_COLUMNS} FROM messages WHERE id = ?`, [id]);
    return row ? toMessage(row) : null;
  }

  async bySeq(roomId: string, seq: number): Promise<StoredMessage | null> {
    const [row] = await this.#db.rows(`SELECT ${READ_COLUMNS} FROM messages WHERE room_id = ? AND seq = ?`, [
      roomId,
      seq,
    ]);
    return row ? toMessage(row) : null;
  }

  async lastSeq(roomId: string): Promise<number> {
    const [row] = await this.#db.rows("SELECT last_seq FROM rooms WHERE id = ?", [roomId]);
    return row ? intColumn(row, "last_seq") : 0;
  }

  /** Waits for the queued appends to be written; the pool itself is closed by `Stores.close()`. */
  close(): Promise<void> {
    return this.#queue.close();
  }
}
