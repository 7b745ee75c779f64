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

export interface HttpRoom {
  id: string;
  name: string;
  kind: "public" | "direct";
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
}

export interface HttpRoomDetails extends HttpMemberRoom {
  /** Whether the caller belongs to the room. */
  member: boolean;
  /** Distinct members online in the room. */
  online: number;
}

export interface HttpRoomMember extends HttpMember {
  joinedAtMs: number;
  ackedSeq: number;
  /** At least one live connection of the member is in the room. */
  online: boolean;
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
  roomKind: "public" | "direct";
}

export interface HttpSendResult {
  message: HttpMessage;
  duplicate: boolean;
}
