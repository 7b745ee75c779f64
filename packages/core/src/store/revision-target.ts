import { ChatError } from "../errors.ts";
import type { NewRevision, StoredMessage } from "../types.ts";

/**
 * What a store does with an edit or delete event, given its target as stored now (read inside the append's
 * transaction): "store" it (and change the target), "already_deleted" (a delete of a tombstone: store nothing,
 * answer with the earlier delete) or fail with the error. See MessageStore's contract.
 */
export function revisionOutcome(
  event: NewRevision,
  target: StoredMessage | null,
): "store" | "already_deleted" | ChatError {
  if (!target || target.kind !== undefined) {
    return new ChatError("message_not_found", `room ${event.roomId} has no message with seq ${event.targetSeq}`);
  }
  if (target.deleted) {
    if (event.kind === "delete") return "already_deleted";
    return new ChatError("message_deleted", `message ${event.targetSeq} of ${event.roomId} was deleted`);
  }
  return "store";
}
