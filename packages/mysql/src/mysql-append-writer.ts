import {
  AppendBatch,
  type AppendResult,
  ChatError,
  idempotencyKey,
  isRevision,
  type NewMessage,
  type NewRevision,
  type PendingAppend,
  revisionOutcome,
  type StoredMessage,
  storedAt,
} from "@chatroom/core";
import type { MysqlDatabase, Queryable } from "./mysql-database.ts";
import { ER_DUP_ENTRY, mysqlErrno } from "./mysql-errors.ts";
import { findByClientMsgId, MESSAGE_COLUMNS, messageValues, READ_COLUMNS, toMessage } from "./mysql-message-rows.ts";
import { intColumn, textColumn } from "./mysql-rows.ts";

/**
 * The SQL of MysqlMessageStore.append. A batch (group commit) is written with a fixed number of statements whatever
 * its size and rooms:
 * 1. one SELECT finds the batch's idempotency keys already stored (outside the transaction, so that the room locks
 *    are held for less time: a key committed after it is caught by the unique key in step 4);
 * 2. BEGIN; one UPDATE moves the counter of every room of the batch by its number of messages (`last_seq + n`),
 *    locking the room rows until commit — appends to a room are serialized across every process;
 * 3. one SELECT … FOR UPDATE reads the new counters, from which each message's seq follows (last − n + 1 … last);
 * 4. one multi-row INSERT; COMMIT. Then, and only then, the appends resolve.
 * A rollback undoes the counter moves with the inserts, so seqs have no gaps. A batch that fails on a unique key (a
 * concurrent retry committed between steps 1 and 4, or a reused message id) is rolled back and its messages are
 * appended one by one, so that only the culprits are told; any other failure fails the batch's appends.
 * Edit and delete events (rare) follow the batch's messages in the same transaction one by one, with statements of
 * their own (see reviseIn).
 */
export class MysqlAppendWriter {
  readonly #db: MysqlDatabase;

  constructor(db: MysqlDatabase) {
    this.#db = db;
  }

  /** Writes one batch and settles every append in it; `retry` appends one message again (see AppendBatch). */
  async write(pending: PendingAppend[], retry: (message: NewMessage) => Promise<AppendResult>): Promise<void> {
    const batch = new AppendBatch(pending);
    const existing = await this.#existing(batch.leaders.map((leader) => leader.item));
    const fresh: PendingAppend[] = [];
    for (const leader of batch.leaders) {
      const key = idempotencyKey(leader.item);
      const found = key === null ? undefined : existing.get(key);
      if (found) batch.resolve(leader, { message: found, duplicate: true });
      else fresh.push(leader);
    }
    if (fresh.length === 0) return;
    let outcomes: Map<PendingAppend, AppendResult | ChatError>;
    try {
      outcomes = await this.#db.transaction(async (tx) => {
        const messages = fresh.filter((leader) => !isRevision(leader.item));
        const results = messages.length > 0 ? await store(tx, messages) : new Map();
        for (const leader of fresh) {
          if (!isRevision(leader.item)) continue;
          try {
            results.set(leader, await reviseIn(tx, leader.item));
          } catch (error) {
            if (!(error instanceof ChatError)) throw error;
            results.set(leader, error);
          }
        }
        return results;
      });
    } catch (error) {
      if (mysqlErrno(error) !== ER_DUP_ENTRY) {
        for (const leader of fresh) batch.reject(leader, error, retry);
        return;
      }
      // In submission order, so that a room's seqs still follow it.
      for (const leader of fresh) {
        try {
          batch.resolve(leader, await this.appendOne(leader.item));
        } catch (failure) {
          batch.reject(leader, failure, retry);
        }
      }
      return;
    }
    for (const [leader, outcome] of outcomes) {
      if (outcome instanceof ChatError) batch.reject(leader, outcome, retry);
      else batch.resolve(leader, outcome);
    }
  }

  /**
   * One message in a transaction of its own: the counter moved by one under the room's lock (LAST_INSERT_ID(expr)
   * hands the new value back without a second read), then the insert. A unique-key failure is a concurrent retry
   * that committed first (returned as the duplicate) or a reused message id (`conflict`).
   */
  async appendOne(message: NewMessage): Promise<AppendResult> {
    const clientMsgId = message.clientMsgId === "" ? null : message.clientMsgId;
    try {
      return await this.#db.transaction(async (tx) => {
        if (clientMsgId !== null) {
          const existing = await findByClientMsgId(tx, message.senderId, clientMsgId);
          if (existing) return { message: existing, duplicate: true };
        }
        if (isRevision(message)) return reviseIn(tx, message);
        const seq = await nextSeq(tx, message.roomId);
        const stored = storedAt(message, seq);
        await tx.run(`INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (?)`, [messageValues(stored)]);
        return { message: stored, duplicate: false };
      });
    } catch (error) {
      if (mysqlErrno(error) !== ER_DUP_ENTRY) throw error;
      if (clientMsgId !== null) {
        const winner = await findByClientMsgId(this.#db, message.senderId, clientMsgId);
        if (winner) return { message: winner, duplicate: true };
      }
      const [row] = await this.#db.rows("SELECT 1 AS found FROM messages WHERE id = ?", [message.id]);
      if (row) throw new ChatError("conflict", `message id ${message.id} exists`, { cause: error });
      throw error;
    }
  }

  /**
   * The stored messages of the batch's idempotency keys, by key. The unique key (sender_id, client_msg_id) serves
   * `sender_id IN (…) AND client_msg_id IN (…)` as index lookups; pairs of that cross product that are not in the
   * batch are ignored.
   */
  async #existing(messages: readonly NewMessage[]): Promise<Map<string, StoredMessage>> {
    const keyed = messages.filter((message) => message.clientMsgId !== "");
    const found = new Map<string, StoredMessage>();
    if (keyed.length === 0) return found;
    const senders = [...new Set(keyed.map((message) => message.senderId))];
    const clientMsgIds = [...new Set(keyed.map((message) => message.clientMsgId))];
    const rows = await this.#db.rows(
      `SELECT ${READ_COLUMNS} FROM messages WHERE sender_id IN (?) AND client_msg_id IN (?)`,
      [senders, clientMsgIds],
    );
    for (const row of rows) {
      const message = toMessage(row);
      const key = idempotencyKey(message);
      if (key !== null) found.set(key, message);
    }
    return found;
  }
}

/** Steps 2–4 inside the batch's transaction (rerun whole when InnoDB picks it as a deadlock victim). */
async function store(
  tx: Queryable,
  fresh: readonly PendingAppend[],
): Promise<Map<PendingAppend, AppendResult | ChatError>> {
  const rooms = AppendBatch.byRoom(fresh);
  const roomIds = [...rooms.keys()];
  const cases = roomIds.map(() => "WHEN ? THEN ?").join(" ");
  const counts = roomIds.flatMap((roomId) => [roomId, rooms.get(roomId)?.length ?? 0]);
  // The rows of `id IN (…)` are read (and locked) in primary-key order, so two batches sharing rooms lock them in
  // the same order; a deadlock with another statement is retried by transaction().
  await tx.run(`UPDATE rooms SET last_seq = last_seq + CASE id ${cases} END WHERE id IN (?)`, [...counts, roomIds]);
  const rows = await tx.rows("SELECT id, last_seq FROM rooms WHERE id IN (?) FOR UPDATE", [roomIds]);
  const lastSeqs = new Map(rows.map((row) => [textColumn(row, "id"), intColumn(row, "last_seq")]));
  const outcomes = new Map<PendingAppend, AppendResult | ChatError>();
  const values: unknown[][] = [];
  for (const [roomId, appends] of rooms) {
    const last = lastSeqs.get(roomId);
    if (last === undefined) {
      const error = new ChatError("room_not_found", `room ${roomId} not found`);
      for (const pending of appends) outcomes.set(pending, error);
      continue;
    }
    let seq = last - appends.length;
    for (const pending of appends) {
      seq++;
      const stored = storedAt(pending.item, seq);
      values.push(messageValues(stored));
      outcomes.set(pending, { message: stored, duplicate: false });
    }
  }
  if (values.length > 0) await tx.run(`INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES ?`, [values]);
  return outcomes;
}

/**
 * An edit or delete event inside a transaction: locks the room's counter row, then the target (the batch's order:
 * rooms before messages), checks the target (revisionOutcome), stores the event with the next seq and changes the
 * target. Throws the ChatError of a refused event.
 */
async function reviseIn(tx: Queryable, event: NewRevision): Promise<AppendResult> {
  const [room] = await tx.rows("SELECT last_seq FROM rooms WHERE id = ? FOR UPDATE", [event.roomId]);
  if (!room) throw new ChatError("room_not_found", `room ${event.roomId} not found`);
  const [row] = await tx.rows(`SELECT ${READ_COLUMNS} FROM messages WHERE room_id = ? AND seq = ? FOR UPDATE`, [
    event.roomId,
    event.targetSeq,
  ]);
  const outcome = revisionOutcome(event, row ? toMessage(row) : null);
  if (outcome instanceof ChatError) throw outcome;
  if (outcome === "already_deleted") {
    const [earlier] = await tx.rows(
      `SELECT ${READ_COLUMNS} FROM messages
        WHERE room_id = ? AND target_seq = ? AND kind = 'delete' ORDER BY seq LIMIT 1`,
      [event.roomId, event.targetSeq],
    );
    if (earlier) return { message: toMessage(earlier), duplicate: true };
  }
  const seq = await nextSeq(tx, event.roomId);
  const stored = storedAt(event, seq);
  await tx.run(`INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (?)`, [messageValues(stored)]);
  if (event.kind === "edit") {
    await tx.run("UPDATE messages SET text = ?, edited_at_ms = ?, revised_seq = ? WHERE room_id = ? AND seq = ?", [
      event.text,
      event.sentAtMs,
      seq,
      event.roomId,
      event.targetSeq,
    ]);
  } else {
    await tx.run("UPDATE messages SET text = '', deleted = 1, revised_seq = ? WHERE room_id = ? AND seq = ?", [
      seq,
      event.roomId,
      event.targetSeq,
    ]);
  }
  return { message: stored, duplicate: false };
}

/** Moves the room's counter by one and returns the new value (see appendOne). */
async function nextSeq(tx: Queryable, roomId: string): Promise<number> {
  const counter = await tx.run("UPDATE rooms SET last_seq = LAST_INSERT_ID(last_seq + 1) WHERE id = ?", [roomId]);
  if (counter.affectedRows === 0) throw new ChatError("room_not_found", `room ${roomId} not found`);
  const reported = Number(counter.insertId);
  if (reported > 0) return reported;
  const [row] = await tx.rows("SELECT LAST_INSERT_ID() AS seq");
  if (!row) throw new Error("SELECT LAST_INSERT_ID() returned no row");
  return intColumn(row, "seq");
}
