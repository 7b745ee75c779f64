import type { NewMessage, StoredMessage } from "../types.ts";
import type { Pending } from "./group-commit.ts";

/** What MessageStore.append resolves with. */
export interface AppendResult {
  message: StoredMessage;
  duplicate: boolean;
}

export type PendingAppend = Pending<NewMessage, AppendResult>;

/** The idempotency key of a message, null when it has none (an empty clientMsgId is never deduplicated). */
export function idempotencyKey(message: Pick<NewMessage, "senderId" | "clientMsgId">): string | null {
  return message.clientMsgId === "" ? null : `${message.senderId}\u0000${message.clientMsgId}`;
}

/** The message as stored with `seq`. */
export function storedAt(message: NewMessage, seq: number): StoredMessage {
  return {
    id: message.id,
    roomId: message.roomId,
    seq,
    senderId: message.senderId,
    senderName: message.senderName,
    text: message.text,
    sentAtMs: message.sentAtMs,
    clientMsgId: message.clientMsgId,
    ...(message.kind === undefined ? {} : { kind: message.kind, targetSeq: message.targetSeq ?? 0 }),
  };
}

/**
 * A batch of appends as the message stores write it (group commit). Within one batch only the first append of each
 * idempotency key (a "leader") may be stored; a later append with the same key — a retry that arrived while the
 * first was still queued — follows its leader: it resolves with the leader's stored message as a duplicate, or, when
 * the leader failed, is submitted again on its own (it might succeed, e.g. when it names another room).
 */
export class AppendBatch {
  /** Leaders in submission order: every append without a key, and the first of each key. */
  readonly leaders: PendingAppend[] = [];
  readonly #followers = new Map<PendingAppend, PendingAppend[]>();

  constructor(batch: readonly PendingAppend[]) {
    const byKey = new Map<string, PendingAppend>();
    for (const pending of batch) {
      const key = idempotencyKey(pending.item);
      const leader = key === null ? undefined : byKey.get(key);
      if (leader) {
        const followers = this.#followers.get(leader);
        if (followers) followers.push(pending);
        else this.#followers.set(leader, [pending]);
        continue;
      }
      if (key !== null) byKey.set(key, pending);
      this.leaders.push(pending);
    }
  }

  /** The leaders grouped by room, each group in submission order (the order their seqs follow). */
  static byRoom(leaders: readonly PendingAppend[]): Map<string, PendingAppend[]> {
    const rooms = new Map<string, PendingAppend[]>();
    for (const pending of leaders) {
      const list = rooms.get(pending.item.roomId);
      if (list) list.push(pending);
      else rooms.set(pending.item.roomId, [pending]);
    }
    return rooms;
  }

  /** Resolves a leader and its followers (as duplicates of what the leader got). */
  resolve(leader: PendingAppend, result: AppendResult): void {
    leader.resolve(result);
    for (const follower of this.#followers.get(leader) ?? [])
      follower.resolve({ message: result.message, duplicate: true });
  }

  /** Rejects a leader; each of its followers goes through `retry` (an append of its own). */
  reject(leader: PendingAppend, error: unknown, retry: (message: NewMessage) => Promise<AppendResult>): void {
    leader.reject(error);
    for (const follower of this.#followers.get(leader) ?? [])
      retry(follower.item).then(follower.resolve, follower.reject);
  }
}
