import type { DatabaseSync, StatementSync } from "node:sqlite";
import { ChatError } from "../../errors.ts";
import { isRevision, type NewMessage, type NewRevision, type StoredMessage } from "../../types.ts";
import { AppendBatch, type AppendResult, type PendingAppend, storedAt } from "../append-batch.ts";
import { GroupCommitQueue } from "../group-commit.ts";
import { messageFromRow } from "../message-row.ts";
import type { MessageStore } from "../message-store.ts";
import { revisionOutcome } from "../revision-target.ts";
import {
  intColumn,
  SQLITE_CONSTRAINT_PRIMARYKEY,
  type SqliteRow,
  sqliteErrorCode,
  textColumn,
} from "./sqlite-database.ts";
import { WalSync } from "./wal-sync.ts";

const COLUMNS =
  "id, room_id, seq, sender_id, sender_name, text, sent_at_ms, client_msg_id, kind, target_seq, edited_at_ms, deleted, revised_seq";

/** Most appends written in one transaction. */
const MAX_BATCH = 1000;

/**
 * Messages in SQLite. The room row's last_seq is the seq counter, moved and read in the same write transaction as
 * the inserts, so seqs are gapless even with several processes on one file (BEGIN IMMEDIATE takes the file's write
 * lock for the whole transaction).
 *
 * Group commit: appends are queued and written together, one transaction per batch — all the appends that arrived
 * during one event-loop turn (or while the previous batch was written), whatever their rooms: per room one counter
 * update of +n, then the inserts and the idempotency lookups inside that transaction. An fsync of the WAL is what
 * makes a batch durable, paid once per batch instead of once per message, and off the event loop (WalSync: the
 * batch commits without an fsync, then the WAL file is fsynced from the thread pool while the loop serves other
 * requests); append() resolves only after it. The lookups and inserts are prepared single-row statements: in-process SQLite has no round trip for a
 * multi-row statement to save.
 * An empty clientMsgId means "no idempotency key" (stored as NULL, never deduplicated).
 * Edit and delete events are written in the same transaction after the batch's messages, one by one: each reads its
 * target, takes the next seq and changes the target, so that a later event of the batch sees what an earlier did.
 */
export class SqliteMessageStore implements MessageStore {
  readonly #queue: GroupCommitQueue<NewMessage, AppendResult>;
  readonly #byClientMsgId: StatementSync;
  readonly #addSeqs: StatementSync;
  readonly #insert: StatementSync;
  readonly #after: StatementSync;
  readonly #before: StatementSync;
  readonly #byId: StatementSync;
  readonly #lastSeq: StatementSync;
  readonly #bySeq: StatementSync;
  readonly #earlierDelete: StatementSync;
  readonly #edit: StatementSync;
  readonly #delete: StatementSync;

  readonly #wal: WalSync;

  /** `path`: the database's file (for WalSync; ":memory:" has none). */
  constructor(db: DatabaseSync, path = ":memory:") {
    this.#wal = new WalSync(db, path);
    this.#queue = new GroupCommitQueue((batch) => this.#writeBatch(batch), { maxItems: MAX_BATCH });
    this.#byClientMsgId = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE sender_id = ? AND client_msg_id = ?`);
    this.#addSeqs = db.prepare("UPDATE rooms SET last_seq = last_seq + ? WHERE id = ? RETURNING last_seq");
    this.#insert = db.prepare(`INSERT INTO messages (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, 0)`);
    this.#after = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq LIMIT ?`);
    this.#before = db.prepare(
      `SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    );
    this.#byId = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE id = ?`);
    this.#lastSeq = db.prepare("SELECT last_seq FROM rooms WHERE id = ?");
    this.#bySeq = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND seq = ?`);
    this.#earlierDelete = db.prepare(
      `SELECT ${COLUMNS} FROM messages WHERE room_id = ? AND target_seq = ? AND kind = 'delete' ORDER BY seq LIMIT 1`,
    );
    this.#edit = db.prepare(
      "UPDATE messages SET text = ?, edited_at_ms = ?, revised_seq = ? WHERE room_id = ? AND seq = ?",
    );
    this.#delete = db.prepare(
      "UPDATE messages SET text = '', deleted = 1, revised_seq = ? WHERE room_id = ? AND seq = ?",
    );
  }

  append(message: NewMessage): Promise<AppendResult> {
    return this.#queue.submit(message);
  }

  async #writeBatch(pending: PendingAppend[]): Promise<void> {
    const batch = new AppendBatch(pending);
    let outcomes: Map<PendingAppend, AppendResult | ChatError>;
    try {
      outcomes = this.#wal.transaction(() => this.#store(batch.leaders));
    } catch {
      // Something no lookup foresees (a reused message id) rolled the whole batch back: each message on its own,
      // so that only the culprit fails.
      outcomes = new Map();
      for (const leader of batch.leaders) {
        try {
          outcomes.set(
            leader,
            this.#wal.transaction(() => this.#appendOne(leader.item)),
          );
        } catch (error) {
          batch.reject(leader, error, (message) => this.append(message));
        }
      }
    }
    // Durable before anyone hears of it; a failed sync rejects every append of the batch (GroupCommitQueue).
    await this.#wal.sync();
    for (const [leader, outcome] of outcomes) {
      if (outcome instanceof ChatError) batch.reject(leader, outcome, (message) => this.append(message));
      else batch.resolve(leader, outcome);
    }
  }

  /** Inside the batch's transaction: duplicates found, then per room one counter move and the inserts. */
  #store(leaders: readonly PendingAppend[]): Map<PendingAppend, AppendResult | ChatError> {
    const outcomes = new Map<PendingAppend, AppendResult | ChatError>();
    const fresh: PendingAppend[] = [];
    const revisions: PendingAppend[] = [];
    for (const leader of leaders) {
      const existing = this.#findDuplicate(leader.item);
      if (existing) outcomes.set(leader, { message: existing, duplicate: true });
      else if (isRevision(leader.item)) revisions.push(leader);
      else fresh.push(leader);
    }
    for (const [roomId, appends] of AppendBatch.byRoom(fresh)) {
      const counter = this.#addSeqs.get(appends.length, roomId);
      if (!counter) {
        const error = new ChatError("room_not_found", `room ${roomId} not found`);
        for (const pending of appends) outcomes.set(pending, error);
        continue;
      }
      let seq = intColumn(counter, "last_seq") - appends.length;
      for (const pending of appends) {
        seq++;
        this.#insertAt(pending.item, seq);
        outcomes.set(pending, { message: storedAt(pending.item, seq), duplicate: false });
      }
    }
    for (const pending of revisions) {
      const item = pending.item;
      if (!isRevision(item)) continue;
      try {
        outcomes.set(pending, this.#revise(item));
      } catch (error) {
        if (!(error instanceof ChatError)) throw error;
        outcomes.set(pending, error);
      }
    }
    return outcomes;
  }

  /** Inside a transaction: an edit or delete event checked against its target, stored, and applied to it. */
  #revise(event: NewRevision): AppendResult {
    const row = this.#bySeq.get(event.roomId, event.targetSeq);
    const outcome = revisionOutcome(event, row ? toMessage(row) : null);
    if (outcome instanceof ChatError) throw outcome;
    if (outcome === "already_deleted") {
      const earlier = this.#earlierDelete.get(event.roomId, event.targetSeq);
      if (earlier) return { message: toMessage(earlier), duplicate: true };
    }
    const counter = this.#addSeqs.get(1, event.roomId);
    if (!counter) throw new ChatError("room_not_found", `room ${event.roomId} not found`);
    const seq = intColumn(counter, "last_seq");
    this.#insertAt(event, seq);
    if (event.kind === "edit") this.#edit.run(event.text, event.sentAtMs, seq, event.roomId, event.targetSeq);
    else this.#delete.run(seq, event.roomId, event.targetSeq);
    return { message: storedAt(event, seq), duplicate: false };
  }

  /** The one-message path (inside its own transaction), for a batch that had to be split. */
  #appendOne(message: NewMessage): AppendResult {
    const existing = this.#findDuplicate(message);
    if (existing) return { message: existing, duplicate: true };
    if (isRevision(message)) return this.#revise(message);
    const counter = this.#addSeqs.get(1, message.roomId);
    if (!counter) throw new ChatError("room_not_found", `room ${message.roomId} not found`);
    const seq = intColumn(counter, "last_seq");
    try {
      this.#insertAt(message, seq);
    } catch (error) {
      if (sqliteErrorCode(error) === SQLITE_CONSTRAINT_PRIMARYKEY) {
        throw new ChatError("conflict", `message id ${message.id} exists`, { cause: error });
      }
      throw error;
    }
    return { message: storedAt(message, seq), duplicate: false };
  }

  #findDuplicate(message: NewMessage): StoredMessage | null {
    if (message.clientMsgId === "") return null;
    const row = this.#byClientMsgId.get(message.senderId, message.clientMsgId);
    return row ? toMessage(row) : null;
  }

  #insertAt(message: NewMessage, seq: number): void {
    this.#insert.run(
      message.id,
      message.roomId,
      seq,
      message.senderId,
      message.senderName,
      message.text,
      message.sentAtMs,
      message.clientMsgId === "" ? null : message.clientMsgId,
      message.kind ?? "message",
      message.targetSeq ?? 0,
    );
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

  async bySeq(roomId: string, seq: number): Promise<StoredMessage | null> {
    const row = this.#bySeq.get(roomId, seq);
    return row ? toMessage(row) : null;
  }

  async lastSeq(roomId: string): Promise<number> {
    const row = this.#lastSeq.get(roomId);
    return row ? intColumn(row, "last_seq") : 0;
  }

  /** Waits for the queued appends to be written; the database itself is closed by `Stores.close()`. */
  async close(): Promise<void> {
    await this.#queue.close();
    await this.#wal.close();
  }
}

function limitOf(limit: number): number {
  return Math.max(0, Math.floor(limit));
}

function toMessage(row: SqliteRow): StoredMessage {
  return messageFromRow(row, intColumn, textColumn);
}
