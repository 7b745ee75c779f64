import type { Member, Room, RoomRole, StoredMessage } from "@chatroom/core";
import { type ChatMessage, MessageKind, type RoomInfo, RoomKind, RoomRole as WireRole } from "@chatroom/proto/protocol";

/**
 * A room as one member sees it: their read cursor, role and mute and, for a direct conversation, the other member.
 */
export interface MemberRoom {
  room: Room;
  ackedSeq: number;
  peer: Pick<Member, "id" | "username"> | null;
  /** null in direct conversations, and for a room the member is only invited to. */
  role: RoomRole | null;
  /** The member's mute in force (untilMs null: until lifted), or null. */
  mute: { untilMs: number | null } | null;
}

const KIND: Record<Room["kind"], RoomKind> = {
  public: RoomKind.ROOM_KIND_PUBLIC,
  private: RoomKind.ROOM_KIND_PRIVATE,
  direct: RoomKind.ROOM_KIND_DIRECT,
};

const ROLE: Record<RoomRole, WireRole> = {
  member: WireRole.ROOM_ROLE_MEMBER,
  moderator: WireRole.ROOM_ROLE_MODERATOR,
  owner: WireRole.ROOM_ROLE_OWNER,
};

export function roomKindOf(room: Pick<Room, "kind">): RoomKind {
  return KIND[room.kind];
}

export function wireRole(role: RoomRole): WireRole {
  return ROLE[role];
}

/** The domain role of a wire role; null for UNSPECIFIED or an unknown number. */
export function roleOfWire(role: number): RoomRole | null {
  if (role === WireRole.ROOM_ROLE_MEMBER) return "member";
  if (role === WireRole.ROOM_ROLE_MODERATOR) return "moderator";
  if (role === WireRole.ROOM_ROLE_OWNER) return "owner";
  return null;
}

export function toChatMessage(message: StoredMessage, kind: Room["kind"]): ChatMessage {
  return {
    id: message.id,
    roomId: message.roomId,
    seq: message.seq,
    senderId: message.senderId,
    senderName: message.senderName,
    text: message.text,
    sentAtMs: message.sentAtMs,
    clientMsgId: message.clientMsgId,
    roomKind: roomKindOf({ kind }),
    ...revisionView(message),
  };
}

/** The optional revision fields of ChatMessage: set only where they apply (older clients see plain messages). */
function revisionView(message: StoredMessage): Partial<ChatMessage> {
  if (message.kind !== undefined) {
    return {
      kind: message.kind === "edit" ? MessageKind.MESSAGE_KIND_EDIT : MessageKind.MESSAGE_KIND_DELETE,
      targetSeq: message.targetSeq ?? 0,
    };
  }
  return {
    ...(message.editedAtMs === undefined ? {} : { editedAtMs: message.editedAtMs }),
    ...(message.deleted ? { deleted: true } : {}),
    ...(message.revisedSeq === undefined ? {} : { revisedSeq: message.revisedSeq }),
  };
}

/** `online`: distinct members online in the room, when the caller read it (AuthReply, JoinReply). */
export function toRoomInfo(view: MemberRoom, online = 0): RoomInfo {
  const info: RoomInfo = {
    roomId: view.room.id,
    name: view.room.name,
    kind: roomKindOf(view.room),
    lastSeq: view.room.lastSeq,
    peerMemberId: view.peer?.id ?? 0,
    peerUsername: view.peer?.username ?? "",
    ackedSeq: view.ackedSeq,
    online,
  };
  if (view.role !== null) {
    info.role = ROLE[view.role];
    info.muted = view.mute !== null;
    info.mutedUntilMs = view.mute?.untilMs ?? 0;
  }
  return info;
}
