import type { RoomEvent } from "@chatroom/proto/protocol";
import type { ChatClientEvents } from "./chat-client-types.ts";
import type { TypedEmitter } from "./typed-emitter.ts";

/** How long a typing indicator shows after the last OP_TYPING event of that member (the server repeats them every 3 s while typing). */
export const TYPING_SHOWN_MS = 6000;

interface Typist {
  username: string;
  until: number;
}

/**
 * Who is typing where, as others' TYPING events say: each member shown for TYPING_SHOWN_MS after their last event,
 * or until a message of theirs arrives in that room. Emits `typing` with the room's current typists on every change.
 */
export class TypingTracker {
  readonly #rooms = new Map<string, Map<number, Typist>>();
  readonly #emitter: TypedEmitter<ChatClientEvents>;
  readonly #self: () => number;
  readonly #now: () => number;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(emitter: TypedEmitter<ChatClientEvents>, self: () => number, now: () => number = Date.now) {
    this.#emitter = emitter;
    this.#self = self;
    this.#now = now;
  }

  /** Members typing in the room, as of now. */
  typists(roomId: string): Array<{ memberId: number; username: string }> {
    const now = this.#now();
    return [...(this.#rooms.get(roomId) ?? [])]
      .filter(([, typist]) => typist.until > now)
      .map(([memberId, typist]) => ({ memberId, username: typist.username }));
  }

  onTyping(event: RoomEvent): void {
    if (event.memberId === this.#self()) return;
    let room = this.#rooms.get(event.roomId);
    if (!room) {
      room = new Map();
      this.#rooms.set(event.roomId, room);
    }
    const wasShown = room.has(event.memberId);
    room.set(event.memberId, { username: event.username, until: this.#now() + TYPING_SHOWN_MS });
    if (!wasShown) this.#emit(event.roomId);
    this.#schedule();
  }

  /** A message from the member ends their indicator in that room. */
  onMessage(roomId: string, senderId: number): void {
    if (this.#rooms.get(roomId)?.delete(senderId)) this.#emit(roomId);
  }

  /** Forgets everything (closed, or reconnected: indicators would be stale). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const rooms = [...this.#rooms.keys()];
    this.#rooms.clear();
    for (const roomId of rooms) this.#emit(roomId);
  }

  #emit(roomId: string): void {
    this.#emitter.emit("typing", { roomId, members: this.typists(roomId) });
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    let next = Number.POSITIVE_INFINITY;
    for (const room of this.#rooms.values()) for (const typist of room.values()) next = Math.min(next, typist.until);
    if (next === Number.POSITIVE_INFINITY) return;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, next - this.#now()));
  }

  #expire(): void {
    this.#timer = undefined;
    const now = this.#now();
    for (const [roomId, room] of this.#rooms) {
      let changed = false;
      for (const [memberId, typist] of room) {
        if (typist.until <= now) {
          room.delete(memberId);
          changed = true;
        }
      }
      if (room.size === 0) this.#rooms.delete(roomId);
      if (changed) this.#emit(roomId);
    }
    this.#schedule();
  }
}
