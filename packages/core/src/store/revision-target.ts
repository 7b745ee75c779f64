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

/** The stored columns of a message's revision state, from the row's kind/target_seq/edited_at_ms/deleted values. */
export function revisionFields(row: {
  kind: string;
  targetSeq: number;
  editedAtMs: number | null;
  deleted: boolean;
  revisedSeq: number;
}): Pick<StoredMessage, "kind" | "targetSeq" | "editedAtMs" | "deleted" | "revisedSeq"> {
  if (row.kind === "edit" || row.kind === "delete") return { kind: row.kind, targetSeq: row.targetSeq };
  return {
    ...(row.editedAtMs === null ? {} : { editedAtMs: row.editedAtMs }),
    ...(row.deleted ? { deleted: true as const } : {}),
    ...(row.revisedSeq > 0 ? { revisedSeq: row.revisedSeq } : {}),
  };
}
