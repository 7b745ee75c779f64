import type { Closable } from "../lifecycle.ts";
import type { NewMessage, StoredMessage } from "../types.ts";

/**
 * Chat messages, the source of truth for history and resume.
 * - append() gives the message the room's next seq (last + 1, strictly increasing, no gaps) atomically with
 *   storing it, and returns it once durable. Idempotent by (senderId, clientMsgId): a repeat returns the stored
 *   message with `duplicate: true` and stores nothing; an empty clientMsgId means "no idempotency key" (never a
 *   duplicate). Throws ChatError("room_not_found") for an unknown room, ChatError("conflict") for a message id
 *   already stored.
 * - Concurrent appends may be written together (group commit, see group-commit.ts): this holds for each of them,
 *   across processes sharing the database too, and one append's failure (unknown room, reused message id) fails
 *   no other. Appends resolved in one batch of a room resolve in seq order.
 * - close() resolves once the appends already called have settled.
 * - Pages are always in ascending seq order.
 * - Revisions: an append with kind "edit" or "delete" is an event in the same log (next seq, same group commit,
 *   same idempotency) that changes message targetSeq of its room in the same transaction: an edit sets the
 *   message's text to the event's text and its editedAtMs to the event's sentAtMs; a delete empties its text and
 *   marks it deleted (a tombstone). The target must be a message (not an event) of the room, else
 *   ChatError("message_not_found"); an edit of a deleted message fails with ChatError("message_deleted"); a delete
 *   of a deleted message stores nothing and resolves with the earlier delete event as a duplicate (or, when that
 *   delete is in the same batch, is stored as a second delete event). Who may revise what is logic's business.
 */
export interface MessageStore extends Closable {
  append(message: NewMessage): Promise<{ message: StoredMessage; duplicate: boolean }>;
  /** Messages with seq > afterSeq, oldest first, at most `limit`. */
  after(roomId: string, afterSeq: number, limit: number): Promise<StoredMessage[]>;
  /** Messages with seq < beforeSeq (0 = newest), the newest `limit` of them, returned oldest first. */
  before(roomId: string, beforeSeq: number, limit: number): Promise<StoredMessage[]>;
  findById(id: string): Promise<StoredMessage | null>;
  /** The room's entry (message or event) with that seq, as it stands now; null when none. */
  bySeq(roomId: string, seq: number): Promise<StoredMessage | null>;
  /** The room's highest seq (0 when empty or unknown). */
  lastSeq(roomId: string): Promise<number>;
}
