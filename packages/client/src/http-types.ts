/** JSON shapes of the logic HTTP API (/api/v1). */

export interface HttpMember {
  id: number;
  username: string;
}

export interface AuthResult {
  member: HttpMember;
  /** Bearer token for the HTTP API and the WebSocket AUTH (the response also sets the session cookie). */
  token: string;
  expiresAtMs: number;
}

export type HttpRole = "owner" | "moderator" | "member";

export interface HttpRoom {
  id: string;
  name: string;
  /** private: invite-only and never listed. */
  kind: "public" | "private" | "direct";
  createdBy: number;
  createdAtMs: number;
  /** Highest seq stored in the room. */
  lastSeq: number;
}

/** A room as its member sees it. */
export interface HttpMemberRoom extends HttpRoom {
  /** The member's read cursor (0 when none). */
  ackedSeq: number;
  /** For direct conversations: the other member. */
  peer: HttpMember | null;
  /** The member's role; null in direct conversations (and rooms the caller is not in). */
  role: HttpRole | null;
  /** The member may not send or type here until mutedUntilMs (null: until unmuted). */
  muted: boolean;
  mutedUntilMs: number | null;
}

export interface HttpRoomDetails extends HttpMemberRoom {
  /** Whether the caller belongs to the room. */
  member: boolean;
  /** Whether the caller holds an invitation to the (private) room. */
  invited: boolean;
  /** Distinct members online in the room. */
  online: number;
}

export interface HttpRoomMember extends HttpMember {
  joinedAtMs: number;
  ackedSeq: number;
  /** At least one live connection of the member is in the room. */
  online: boolean;
  /** null in direct conversations. */
  role: HttpRole | null;
  muted: boolean;
  mutedUntilMs: number | null;
}

/** What a moderation call did. */
export interface HttpModerationResult {
  roomId: string;
  member: HttpMember;
  action: "set_role" | "kick" | "ban" | "unban" | "mute" | "unmute" | "invite" | "uninvite";
  role?: HttpRole;
  /** ban, mute: when it ends (null: until lifted). */
  untilMs?: number | null;
}

export interface HttpBan {
  member: HttpMember;
  untilMs: number | null;
  byMemberId: number;
  atMs: number;
}

export interface HttpInvitation {
  member: HttpMember;
  invitedBy: number;
  atMs: number;
}

/** An invitation the caller holds. */
export interface HttpMyInvitation {
  room: HttpRoom;
  invitedBy: HttpMember;
  atMs: number;
}

/** GET /api/v1/sessions/current: the session, or null with why a credential that was sent did not count. */
export interface HttpCurrentSession {
  session: { member: HttpMember; expiresAtMs: number } | null;
  reason?: "unauthorized" | "token_expired" | "session_revoked";
}

export interface HttpMessage {
  id: string;
  roomId: string;
  seq: number;
  senderId: number;
  senderName: string;
  text: string;
  sentAtMs: number;
  clientMsgId: string;
  roomKind: "public" | "private" | "direct";
  /** Absent for a message; an edit or delete event of message targetSeq (senderId: who did it). */
  kind?: "edit" | "delete";
  targetSeq?: number;
  /** A message that was edited: when last (text is the latest). */
  editedAtMs?: number;
  /** A message that was deleted: a tombstone (text is empty). */
  deleted?: boolean;
  /** A message that was edited or deleted: the seq of the last event that did it. */
  revisedSeq?: number;
}

export interface HttpSendResult {
  message: HttpMessage;
  duplicate: boolean;
}

/** PATCH / DELETE of a message: the stored edit or delete event. */
export interface HttpRevisionResult {
  event: HttpMessage;
  duplicate: boolean;
}
