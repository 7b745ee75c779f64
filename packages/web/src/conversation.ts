import { applyRevision, type ChatMessage, isRevisionEvent } from "@chatroom/client";

/** A message the user sent that the server has not acknowledged (yet, or at all). */
export interface PendingSend {
  clientMsgId: string;
  text: string;
  state: "pending" | "failed";
  /** Why it failed, for the failed state. */
  error: string;
  /** Where to send it: a room, or a member for a direct conversation that may not exist yet. */
  target: { roomId: string } | { memberId: number };
}

/**
 * What the UI knows of one room's messages: stored messages by seq (from live delivery, send replies and history
 * pages, in any order and with duplicates) plus the user's unacknowledged sends. Edit and delete events change the
 * message they target (idempotently; a copy held from earlier gives way to a more revised one). Pure; no DOM.
 */
export class Conversation {
  readonly roomId: string;
  readonly pending = new Map<string, PendingSend>();
  /** Whether older messages may exist before the oldest one held (false once a page says so or seq 1 is held). */
  hasOlder = true;
  /** The newest page was loaded (done once when the room is first opened). */
  loadedLatest = false;
  loadingOlder = false;
  readonly #bySeq = new Map<number, ChatMessage>();
  #sorted: ChatMessage[] | null = [];

  constructor(roomId: string) {
    this.roomId = roomId;
  }

  get messages(): readonly ChatMessage[] {
    if (!this.#sorted) this.#sorted = [...this.#bySeq.values()].sort((a, b) => a.seq - b.seq);
    return this.#sorted;
  }

  get oldestSeq(): number {
    return this.messages[0]?.seq ?? 0;
  }

  get newestSeq(): number {
    return this.messages.at(-1)?.seq ?? 0;
  }

  /**
   * Adds a stored message; false when it was already there (as revised). Settles the pending send it acknowledges.
   * An edit or delete event (in a history page) is applied to its message instead.
   */
  add(message: ChatMessage): boolean {
    if (isRevisionEvent(message)) return this.revise(message);
    this.pending.delete(message.clientMsgId);
    const held = this.#bySeq.get(message.seq);
    if (held && !moreRevised(message, held)) return false;
    this.#bySeq.set(message.seq, message);
    this.#sorted = null;
    if (message.seq === 1) this.hasOlder = false;
    return true;
  }

  /** Applies an edit or delete event to the message it targets, when held; true when that changed it. */
  revise(event: ChatMessage): boolean {
    const target = this.#bySeq.get(event.targetSeq ?? 0);
    if (!target) return false;
    const revised = applyRevision(target, event);
    if (revised === target) return false;
    this.#bySeq.set(target.seq, revised);
    this.#sorted = null;
    return true;
  }

  /** The stored message with this seq, as revised. */
  bySeq(seq: number): ChatMessage | undefined {
    return this.#bySeq.get(seq);
  }

  /** Adds a page read backwards (newest first page, or "before the oldest"); hasMore: older ones remain. */
  addPage(messages: readonly ChatMessage[], hasMore: boolean): number {
    let added = 0;
    for (const message of messages) if (this.add(message)) added++;
    if (!hasMore) this.hasOlder = false;
    return added;
  }

  addPending(send: Omit<PendingSend, "state" | "error">): PendingSend {
    const entry: PendingSend = { ...send, state: "pending", error: "" };
    this.pending.set(send.clientMsgId, entry);
    return entry;
  }

  fail(clientMsgId: string, error: string): void {
    const entry = this.pending.get(clientMsgId);
    if (entry) Object.assign(entry, { state: "failed", error });
  }

  retrying(clientMsgId: string): PendingSend | undefined {
    const entry = this.pending.get(clientMsgId);
    if (entry) Object.assign(entry, { state: "pending", error: "" });
    return entry;
  }
}

/** Whether `incoming` shows later revisions of a message than `held` (a tombstone, or a later event: revised_seq). */
function moreRevised(incoming: ChatMessage, held: ChatMessage): boolean {
  if (held.deleted) return false;
  if (incoming.deleted) return true;
  return (incoming.revisedSeq ?? 0) > (held.revisedSeq ?? 0);
}

/** Conversations by room id, created on first use. */
export class Conversations {
  readonly #byRoom = new Map<string, Conversation>();

  get(roomId: string): Conversation {
    let conversation = this.#byRoom.get(roomId);
    if (!conversation) {
      conversation = new Conversation(roomId);
      this.#byRoom.set(roomId, conversation);
    }
    return conversation;
  }

  has(roomId: string): boolean {
    return this.#byRoom.has(roomId);
  }

  delete(roomId: string): void {
    this.#byRoom.delete(roomId);
  }

  clear(): void {
    this.#byRoom.clear();
  }
}
