import { type ChatMessage, MessageKind } from "@chatroom/proto/protocol";

/** An edit of a message (SDK event `edit`): message targetSeq of roomId now reads `text`. */
export interface MessageEdit {
  roomId: string;
  /** The edit event's own seq in the room's log. */
  seq: number;
  targetSeq: number;
  text: string;
  editedAtMs: number;
  memberId: number;
  username: string;
}

/** A deletion of a message (SDK event `delete`): message targetSeq of roomId is a tombstone now. */
export interface MessageDelete {
  roomId: string;
  seq: number;
  targetSeq: number;
  deletedAtMs: number;
  /** Who deleted it: the author, or an owner or moderator of the room. */
  memberId: number;
  username: string;
}

/** True for an edit or delete event (an entry of the room's log that changes another), false for a message. */
export function isRevisionEvent(message: ChatMessage): boolean {
  return message.kind === MessageKind.MESSAGE_KIND_EDIT || message.kind === MessageKind.MESSAGE_KIND_DELETE;
}

/**
 * `message` as it stands after `event` (an edit or delete of it): pure and idempotent — an event not newer (by seq)
 * than what the message shows (`revised_seq`), applied twice, or an edit of a deleted message changes nothing.
 * Returns `message` itself when nothing changes.
 */
export function applyRevision(message: ChatMessage, event: ChatMessage): ChatMessage {
  if (event.roomId !== message.roomId || event.targetSeq !== message.seq || message.deleted) return message;
  if (event.seq <= (message.revisedSeq ?? 0)) return message;
  if (event.kind === MessageKind.MESSAGE_KIND_DELETE) {
    return { ...message, text: "", deleted: true, revisedSeq: event.seq };
  }
  if (event.kind !== MessageKind.MESSAGE_KIND_EDIT) return message;
  return { ...message, text: event.text, editedAtMs: event.sentAtMs, revisedSeq: event.seq };
}

/**
 * Which edit and delete events this client has applied, per message: an event is news only when it is newer (by
 * seq) than every event of its message seen so far, live, replayed on resume or read in history. A deleted message
 * takes no more news. So each change reaches the application once, in order, however often its event arrives.
 */
export class MessageRevisions {
  /** Per room: target seq → the highest event seq seen for it (negative: the message is deleted). */
  readonly #rooms = new Map<string, Map<number, number>>();

  /** Records `event`; true when the application should apply it (see above). */
  record(event: ChatMessage): boolean {
    const targetSeq = event.targetSeq ?? 0;
    const room = this.#room(event.roomId);
    const seen = room.get(targetSeq) ?? 0;
    if (seen < 0 || event.seq <= seen) return false;
    room.set(targetSeq, event.kind === MessageKind.MESSAGE_KIND_DELETE ? -event.seq : event.seq);
    return true;
  }

  /**
   * Stored messages (a history page, a replay): what they show is seen — their events up to `revised_seq`, and for a
   * tombstone everything. Events among them are recorded like live ones.
   */
  recordPage(messages: readonly ChatMessage[]): void {
    for (const message of messages) {
      if (isRevisionEvent(message)) {
        this.record(message);
        continue;
      }
      const room = this.#room(message.roomId);
      const seen = room.get(message.seq) ?? 0;
      if (message.deleted) room.set(message.seq, -Number.MAX_SAFE_INTEGER);
      else if (seen >= 0 && (message.revisedSeq ?? 0) > seen) room.set(message.seq, message.revisedSeq ?? 0);
    }
  }

  #room(roomId: string): Map<number, number> {
    let room = this.#rooms.get(roomId);
    if (!room) {
      room = new Map();
      this.#rooms.set(roomId, room);
    }
    return room;
  }

  forget(roomId: string): void {
    this.#rooms.delete(roomId);
  }
}

export function toEdit(event: ChatMessage): MessageEdit {
  return {
    roomId: event.roomId,
    seq: event.seq,
    targetSeq: event.targetSeq ?? 0,
    text: event.text,
    editedAtMs: event.sentAtMs,
    memberId: event.senderId,
    username: event.senderName,
  };
}

export function toDelete(event: ChatMessage): MessageDelete {
  return {
    roomId: event.roomId,
    seq: event.seq,
    targetSeq: event.targetSeq ?? 0,
    deletedAtMs: event.sentAtMs,
    memberId: event.senderId,
    username: event.senderName,
  };
}
