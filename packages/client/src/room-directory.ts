import {
  type ChatMessage,
  type RoomCursor,
  type RoomEvent,
  RoomEventType,
  type RoomInfo,
  type RoomOnline,
  RoomRole,
} from "@chatroom/proto/protocol";
import type { ChatClientEvents, ResumeFrom } from "./chat-client-types.ts";
import { isRevisionEvent } from "./message-revisions.ts";
import type { RoomSequencer } from "./room-sequencer.ts";
import type { TypedEmitter } from "./typed-emitter.ts";

/** The member's rooms and their online counts, kept in step with the sequencer's tracked rooms. */
export class RoomDirectory {
  readonly rooms = new Map<string, RoomInfo>();
  readonly online = new Map<string, number>();
  /**
   * Per room, the seqs above the read cursor this client saw that are not someone else's message (edit and delete
   * events, the member's own messages): the log entries unread() does not count.
   */
  readonly #notUnread = new Map<string, Set<number>>();
  readonly #sequencer: RoomSequencer;
  readonly #emitter: TypedEmitter<ChatClientEvents>;
  readonly #memberId: () => number;

  constructor(sequencer: RoomSequencer, emitter: TypedEmitter<ChatClientEvents>, memberId: () => number) {
    this.#sequencer = sequencer;
    this.#emitter = emitter;
    this.#memberId = memberId;
  }

  /**
   * Replaces the rooms with an AuthReply's and returns the RESUME cursors: the client's own position for rooms it
   * already follows, and for the others the start chosen by `resumeFrom` (-1 = the stored read cursor).
   */
  reset(infos: readonly RoomInfo[], resumeFrom: ResumeFrom): RoomCursor[] {
    const listed = new Set(infos.map((info) => info.roomId));
    for (const id of this.#sequencer.roomIds()) if (!listed.has(id)) this.#sequencer.forget(id);
    for (const id of this.online.keys()) if (!listed.has(id)) this.online.delete(id);
    this.rooms.clear();
    for (const id of this.#notUnread.keys()) if (!listed.has(id)) this.#notUnread.delete(id);
    const cursors: RoomCursor[] = [];
    for (const info of infos) {
      this.rooms.set(info.roomId, { ...info });
      this.online.set(info.roomId, info.online);
      const known = this.#sequencer.lastSeq(info.roomId);
      if (known !== undefined) {
        cursors.push({ roomId: info.roomId, lastSeq: known });
        continue;
      }
      const start = resumeFrom === "beginning" ? 0 : resumeFrom === "latest" ? info.lastSeq : info.ackedSeq;
      this.#sequencer.track(info.roomId, start);
      cursors.push({ roomId: info.roomId, lastSeq: resumeFrom === "stored" ? -1 : start });
    }
    this.#emitter.emit("rooms", this.rooms);
    this.#emitter.emit("online", this.online);
    return cursors;
  }

  /** A room the member is now in (JOIN reply, own JOINED event); its new messages are followed from now on. */
  add(info: RoomInfo): void {
    const previous = this.rooms.get(info.roomId);
    this.rooms.set(info.roomId, {
      ...info,
      lastSeq: Math.max(info.lastSeq, previous?.lastSeq ?? 0),
      ackedSeq: Math.max(info.ackedSeq, previous?.ackedSeq ?? 0),
    });
    this.#sequencer.track(info.roomId, info.lastSeq);
    this.#emitter.emit("rooms", this.rooms);
    // A JOIN reply carries the count; the JOINED event another tab's join sends does not (0).
    if (info.online > 0) this.setOnline([{ roomId: info.roomId, count: info.online }]);
  }

  remove(roomId: string): void {
    const had = this.rooms.delete(roomId);
    this.#notUnread.delete(roomId);
    this.#sequencer.forget(roomId);
    const hadOnline = this.online.delete(roomId);
    if (had) this.#emitter.emit("rooms", this.rooms);
    if (hadOnline) this.#emitter.emit("online", this.online);
  }

  acked(roomId: string, seq: number): void {
    const room = this.rooms.get(roomId);
    if (!room || seq <= room.ackedSeq) return;
    room.ackedSeq = seq;
    const skipped = this.#notUnread.get(roomId);
    if (skipped) for (const s of skipped) if (s <= seq) skipped.delete(s);
    this.#emitter.emit("rooms", this.rooms);
  }

  delivered(message: ChatMessage): void {
    const room = this.rooms.get(message.roomId);
    if (!room) return;
    if (message.seq > room.lastSeq) room.lastSeq = message.seq;
    if (message.seq > room.ackedSeq && (isRevisionEvent(message) || message.senderId === this.#memberId())) {
      const skipped = this.#notUnread.get(message.roomId) ?? new Set<number>();
      this.#notUnread.set(message.roomId, skipped.add(message.seq));
    }
  }

  /**
   * Unread messages in a room: log entries above the member's read cursor (stored, or moved by any of the member's
   * devices), less the ones this client saw that are edits, deletes or the member's own messages. Entries not seen
   * (beyond a resume's page) count as unread, so the figure errs high, never low.
   */
  unread(roomId: string): number {
    const room = this.rooms.get(roomId);
    if (!room) return 0;
    let skipped = 0;
    for (const seq of this.#notUnread.get(roomId) ?? []) if (seq > room.ackedSeq && seq <= room.lastSeq) skipped += 1;
    return Math.max(0, room.lastSeq - room.ackedSeq - skipped);
  }

  /**
   * Changes of the member's own standing, made by another connection or by the server: a join (a new DM, another
   * tab), a leave, a kick or ban (the comets have unsubscribed this connection already), a new role, a mute.
   */
  onEvent(event: RoomEvent): void {
    if (event.memberId !== this.#memberId()) return;
    switch (event.type) {
      case RoomEventType.ROOM_EVENT_TYPE_JOINED:
        if (event.room) this.add(event.room);
        return;
      case RoomEventType.ROOM_EVENT_TYPE_LEFT:
      case RoomEventType.ROOM_EVENT_TYPE_KICKED:
      case RoomEventType.ROOM_EVENT_TYPE_BANNED:
        this.remove(event.room?.roomId || event.roomId);
        return;
      case RoomEventType.ROOM_EVENT_TYPE_ROLE_CHANGED:
        this.#update(event.roomId, { role: event.role ?? RoomRole.ROOM_ROLE_UNSPECIFIED });
        return;
      case RoomEventType.ROOM_EVENT_TYPE_MUTED:
        this.#update(event.roomId, { muted: true, mutedUntilMs: event.untilMs ?? 0 });
        return;
      case RoomEventType.ROOM_EVENT_TYPE_UNMUTED:
        this.#update(event.roomId, { muted: false, mutedUntilMs: 0 });
        return;
    }
  }

  #update(roomId: string, fields: Partial<RoomInfo>): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    Object.assign(room, fields);
    this.#emitter.emit("rooms", this.rooms);
  }

  /** A read receipt: the member's own (another device read on) moves this client's read cursor too. */
  onRead(event: RoomEvent): void {
    if (event.memberId === this.#memberId()) this.acked(event.roomId, event.seq);
  }

  /** Counts from heartbeat replies and OP_ONLINE pushes; rooms the member has left meanwhile are ignored. */
  setOnline(counts: readonly RoomOnline[]): void {
    let changed = false;
    for (const { roomId, count } of counts) {
      if (!this.rooms.has(roomId) || this.online.get(roomId) === count) continue;
      this.online.set(roomId, count);
      changed = true;
    }
    if (changed) this.#emitter.emit("online", this.online);
  }

  clearOnline(): void {
    if (this.online.size === 0) return;
    this.online.clear();
    this.#emitter.emit("online", this.online);
  }
}
