import type { ChatMessage, RoomResume } from "@chatroom/proto/protocol";

/**
 * Per-room ordering of chat messages, pure: it never does I/O, it returns what the caller must do.
 * Contract: for every tracked room, `deliver` actions carry each seq exactly once, in increasing order without
 * holes (seq == lastSeq + 1). Duplicates (seq ≤ lastSeq) are dropped; messages after a hole are held. A hole opened
 * by a live message is first given a grace period (`wait`: the caller calls `holeDue` after it), because with
 * several logics appending to one room the pushes may arrive slightly out of seq order and the missing message is
 * usually a few milliseconds behind; only a hole still open then gets a `fetch` (HISTORY after_seq = lastSeq).
 * Without the grace, every receiving connection of a busy room would read history at each reordering. While a room
 * is resuming (RESUME sent, reply pending) nothing is fetched: the server is replaying anyway.
 */
export type SequencerAction =
  | { type: "deliver"; message: ChatMessage }
  | { type: "fetch"; roomId: string; afterSeq: number }
  | { type: "wait"; roomId: string };

interface RoomState {
  lastSeq: number;
  /** True once a message of the room went through (lastSeq then is this client's own position, not a guess). */
  seen: boolean;
  held: Map<number, ChatMessage>;
  /** The server said more messages exist after lastSeq (RESUME has_more, HISTORY has_more). */
  needsMore: boolean;
  fetching: boolean;
  /** A `wait` was handed out and its `holeDue` has not come yet. */
  waiting: boolean;
  /** Highest held seq when the current fetch was issued: a page ending before it proves a real hole. */
  fetchCeiling: number;
  resuming: boolean;
}

export class RoomSequencer {
  readonly #rooms = new Map<string, RoomState>();

  has(roomId: string): boolean {
    return this.#rooms.has(roomId);
  }

  roomIds(): string[] {
    return [...this.#rooms.keys()];
  }

  lastSeq(roomId: string): number | undefined {
    return this.#rooms.get(roomId)?.lastSeq;
  }

  /** Whether a message of the room was ever delivered or dropped as a duplicate. */
  seen(roomId: string): boolean {
    return this.#rooms.get(roomId)?.seen ?? false;
  }

  heldCount(roomId: string): number {
    return this.#rooms.get(roomId)?.held.size ?? 0;
  }

  /** Starts following a room from `lastSeq` (messages ≤ it are treated as seen). No-op when already tracked. */
  track(roomId: string, lastSeq: number): void {
    if (this.#rooms.has(roomId)) return;
    this.#rooms.set(roomId, {
      lastSeq: Math.max(0, lastSeq),
      seen: false,
      held: new Map(),
      needsMore: false,
      fetching: false,
      waiting: false,
      fetchCeiling: 0,
      resuming: false,
    });
  }

  forget(roomId: string): void {
    this.#rooms.delete(roomId);
  }

  /** The connection is gone: replies of in-flight fetches will never come. Held messages stay. */
  connectionLost(): void {
    for (const room of this.#rooms.values()) {
      room.fetching = false;
      room.resuming = false;
    }
  }

  /** A RESUME was sent for these rooms: hold off fetching for them until `resumed`. */
  beginResume(roomIds: Iterable<string>): void {
    for (const id of roomIds) {
      const room = this.#rooms.get(id);
      if (room) room.resuming = true;
    }
  }

  /**
   * The RESUME reply (its replayed messages went through `receive` already). Rooms in `results` with has_more,
   * or whose last_seq is beyond what arrived, are fetched; so are rooms still holding messages after a hole.
   * Every resuming room stops resuming, listed or not.
   */
  resumed(results: readonly RoomResume[]): SequencerAction[] {
    for (const result of results) {
      const room = this.#rooms.get(result.roomId);
      if (!room) continue;
      if (result.hasMore || result.lastSeq > room.lastSeq) room.needsMore = true;
    }
    const actions: SequencerAction[] = [];
    for (const [id, room] of this.#rooms) {
      if (!room.resuming) continue;
      room.resuming = false;
      this.#maybeFetch(id, room, actions);
    }
    return actions;
  }

  /** A message from the wire (live push or replay). A room never tracked starts right before this message. */
  receive(message: ChatMessage): SequencerAction[] {
    let room = this.#rooms.get(message.roomId);
    if (!room) {
      this.track(message.roomId, message.seq - 1);
      room = this.#rooms.get(message.roomId)!;
    }
    const actions: SequencerAction[] = [];
    this.#accept(room, message, actions);
    this.#maybeFetch(message.roomId, room, actions, true);
    return actions;
  }

  /** The grace period of a `wait` is over: fetches if the room still has a hole (or more to read). */
  holeDue(roomId: string): SequencerAction[] {
    const room = this.#rooms.get(roomId);
    const actions: SequencerAction[] = [];
    if (!room) return actions;
    room.waiting = false;
    this.#maybeFetch(roomId, room, actions);
    return actions;
  }

  /**
   * The reply to a `fetch`: messages after the requested seq, ascending; hasMore when more follow. A page that
   * cannot make progress proves a hole the server cannot fill (a message is stored before it is pushed, so every
   * message held when the fetch was issued was readable by it): the hole is skipped rather than asked for forever.
   */
  historyPage(roomId: string, messages: readonly ChatMessage[], hasMore: boolean): SequencerAction[] {
    const room = this.#rooms.get(roomId);
    if (!room) return [];
    room.fetching = false;
    const before = room.lastSeq;
    let highest = room.fetchCeiling;
    const actions: SequencerAction[] = [];
    for (const message of messages) {
      if (message.roomId !== roomId) continue;
      this.#accept(room, message, actions);
      highest = Math.max(highest, message.seq);
    }
    const moved = room.lastSeq > before;
    room.needsMore = hasMore && moved;
    if (!moved) {
      for (let lowest = lowestKey(room.held); lowest !== undefined && lowest <= highest; ) {
        room.lastSeq = lowest - 1;
        this.#drain(room, actions);
        lowest = lowestKey(room.held);
      }
    }
    this.#maybeFetch(roomId, room, actions);
    return actions;
  }

  /** A fetch failed without the connection going away; `retry` asks again later. */
  fetchFailed(roomId: string): void {
    const room = this.#rooms.get(roomId);
    if (room) room.fetching = false;
  }

  /** Fetches for a room that still has a hole or more to read (after `fetchFailed`). */
  retry(roomId: string): SequencerAction[] {
    const room = this.#rooms.get(roomId);
    const actions: SequencerAction[] = [];
    if (room) this.#maybeFetch(roomId, room, actions);
    return actions;
  }

  #accept(room: RoomState, message: ChatMessage, actions: SequencerAction[]): void {
    room.seen = true;
    if (message.seq <= room.lastSeq) return;
    if (message.seq === room.lastSeq + 1) {
      room.lastSeq = message.seq;
      actions.push({ type: "deliver", message });
      this.#drain(room, actions);
      return;
    }
    room.held.set(message.seq, message);
  }

  #drain(room: RoomState, actions: SequencerAction[]): void {
    for (const seq of [...room.held.keys()]) {
      if (seq <= room.lastSeq) room.held.delete(seq);
    }
    for (let next = room.held.get(room.lastSeq + 1); next; next = room.held.get(room.lastSeq + 1)) {
      room.held.delete(next.seq);
      room.lastSeq = next.seq;
      actions.push({ type: "deliver", message: next });
    }
  }

  /** `graceful`: a hole (not a known "more to read") waits for `holeDue` before it is fetched. */
  #maybeFetch(roomId: string, room: RoomState, actions: SequencerAction[], graceful = false): void {
    if (room.resuming || room.fetching) return;
    if (!room.needsMore && room.held.size === 0) return;
    if (graceful && !room.needsMore) {
      if (!room.waiting) {
        room.waiting = true;
        actions.push({ type: "wait", roomId });
      }
      return;
    }
    room.fetching = true;
    room.fetchCeiling = highestKey(room.held) ?? 0;
    actions.push({ type: "fetch", roomId, afterSeq: room.lastSeq });
  }
}

function lowestKey(map: Map<number, unknown>): number | undefined {
  let lowest: number | undefined;
  for (const key of map.keys()) if (lowest === undefined || key < lowest) lowest = key;
  return lowest;
}

function highestKey(map: Map<number, unknown>): number | undefined {
  let highest: number | undefined;
  for (const key of map.keys()) if (highest === undefined || key > highest) highest = key;
  return highest;
}
