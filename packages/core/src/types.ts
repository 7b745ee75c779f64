/** Domain records shared by the stores and services. Ids: members are integers, rooms are strings. */

export interface Member {
  id: number;
  username: string;
  /** scrypt hash in the form `scrypt$N$r$p$salt$hash` (base64url parts). */
  passwordHash: string;
  createdAtMs: number;
}

export interface Session {
  /** Random id embedded in the signed token. */
  id: string;
  memberId: number;
  createdAtMs: number;
  expiresAtMs: number;
  /** Set when the session was revoked (logout). */
  revokedAtMs: number | null;
}

/**
 * public: listed, anyone may join; private: not listed, joined by invitation only (docs/protocol.md, "Rooms and
 * roles"); direct: the conversation of two members.
 */
export type RoomKind = "public" | "private" | "direct";

/** A member's role in a public or private room; direct conversations have none (both are members). */
export type RoomRole = "owner" | "moderator" | "member";

export interface Room {
  id: string;
  name: string;
  kind: RoomKind;
  createdBy: number;
  createdAtMs: number;
  /** Highest seq stored in the room (0 when empty). */
  lastSeq: number;
}

export interface Membership {
  roomId: string;
  memberId: number;
  joinedAtMs: number;
  /** The member's read cursor (last OP_ACK), 0 when none. */
  ackedSeq: number;
  role: RoomRole;
}

/** A ban or a mute of a member in a room. */
export interface RoomRestriction {
  roomId: string;
  memberId: number;
  /** When it ends by itself; null: until lifted. */
  untilMs: number | null;
  /** Who imposed it. */
  byMemberId: number;
  atMs: number;
}

/** A pending invitation of a member into a private room (used up by joining, or withdrawn). */
export interface Invitation {
  roomId: string;
  memberId: number;
  invitedBy: number;
  atMs: number;
}

export interface StoredMessage {
  /** Server-assigned, globally unique. */
  id: string;
  roomId: string;
  /** 1, 2, 3… per room, no gaps. */
  seq: number;
  senderId: number;
  senderName: string;
  text: string;
  sentAtMs: number;
  /** The sender's idempotency key: (senderId, clientMsgId) is unique. */
  clientMsgId: string;
  /**
   * Absent: a message. "edit" / "delete": an event in the room's log (own seq) that changed message targetSeq;
   * senderId is who did it, text the new text (edit) or empty (delete).
   */
  kind?: RevisionKind;
  /** Events only: the seq of the message they change. */
  targetSeq?: number;
  /** Messages only, once edited: when they last were (text is then the latest text). */
  editedAtMs?: number;
  /** Messages only, once deleted: a tombstone (text is empty). */
  deleted?: true;
  /** Messages only, once edited or deleted: the seq of the last event that did it (the state shown is as of it). */
  revisedSeq?: number;
}

/** The kinds of events that change a stored message. */
export type RevisionKind = "edit" | "delete";

/** A message, or an edit or delete event, before the store gives it its seq. */
export type NewMessage = Omit<StoredMessage, "seq" | "editedAtMs" | "deleted" | "revisedSeq">;

/** An edit or delete event before the store gives it its seq. */
export type NewRevision = NewMessage & { kind: RevisionKind; targetSeq: number };

export function isRevision(message: NewMessage): message is NewRevision {
  return message.kind !== undefined;
}

/** The id of the direct conversation between two members, the same whichever of them asks. */
export function directRoomId(a: number, b: number): string {
  const [low, high] = a < b ? [a, b] : [b, a];
  return `dm:${low}:${high}`;
}

/** The two members of a direct conversation id, or null when the id is not one. */
export function parseDirectRoomId(roomId: string): [number, number] | null {
  const match = /^dm:(\d+):(\d+)$/.exec(roomId);
  if (!match) return null;
  return [Number(match[1]), Number(match[2])];
}
