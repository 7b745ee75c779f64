import { ChatError, type RevisionKind, type RoomRole, type StoredMessage } from "@chatroom/core";

export interface RevisionAttempt {
  kind: RevisionKind;
  /** Who edits or deletes. */
  actorId: number;
  /** The actor's role in the room; null in direct conversations (no one moderates them). */
  role: RoomRole | null;
  /** The room's entry with the target seq as stored now, null when there is none. */
  target: StoredMessage | null;
  nowMs: number;
  /** How long after sending its author may edit or delete a message; 0: no limit. */
  windowMs: number;
}

/**
 * Who may edit or delete what (docs/protocol.md, "Edits and deletes"):
 * - the target must be a message (not an edit or delete event): message_not_found;
 * - a deleted message cannot be edited (message_deleted); deleting it again is an idempotent success
 *   ("already_deleted": nothing is stored);
 * - its author may edit and delete it within the window (edit_window_closed after it); nobody else may edit it
 *   (not_author);
 * - owners and moderators may delete any message at any time; a plain member others' never (insufficient_role).
 * Returns "revise" when the event is to be stored.
 */
export function decideRevision(attempt: RevisionAttempt): "revise" | "already_deleted" {
  const { target } = attempt;
  if (!target || target.kind !== undefined) {
    throw new ChatError("message_not_found", "there is no message with that seq in the room");
  }
  if (target.deleted) {
    if (attempt.kind === "delete") return "already_deleted";
    throw new ChatError("message_deleted", `message ${target.seq} was deleted`);
  }
  const moderates = attempt.role === "owner" || attempt.role === "moderator";
  if (attempt.kind === "delete" && moderates) return "revise";
  if (target.senderId !== attempt.actorId) {
    if (attempt.kind === "edit") throw new ChatError("not_author", "only its author may edit a message");
    throw new ChatError("insufficient_role", "only owners and moderators may delete others' messages");
  }
  if (attempt.windowMs > 0 && attempt.nowMs - target.sentAtMs > attempt.windowMs) {
    throw new ChatError(
      "edit_window_closed",
      `messages may be ${attempt.kind === "edit" ? "edited" : "deleted"} up to ${Math.round(attempt.windowMs / 1000)} s after sending`,
    );
  }
  return "revise";
}
