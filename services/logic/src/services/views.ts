import type { Member, Room, StoredMessage } from "@chatroom/core";
import { type ChatMessage, type RoomInfo, RoomKind } from "@chatroom/proto/protocol";

/** A room as one member sees it: their read cursor and, for a direct conversation, the other member. */
export interface MemberRoom {
  room: Room;
  ackedSeq: number;
  peer: Pick<Member, "id" | "username"> | null;
}

export function roomKindOf(room: Pick<Room, "kind">): RoomKind {
  return room.kind === "direct" ? RoomKind.ROOM_KIND_DIRECT : RoomKind.ROOM_KIND_PUBLIC;
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
  };
}

/** `online`: distinct members online in the room, when the caller read it (AuthReply, JoinReply). */
export function toRoomInfo(view: MemberRoom, online = 0): RoomInfo {
  return {
    roomId: view.room.id,
    name: view.room.name,
    kind: roomKindOf(view.room),
    lastSeq: view.room.lastSeq,
    peerMemberId: view.peer?.id ?? 0,
    peerUsername: view.peer?.username ?? "",
    ackedSeq: view.ackedSeq,
    online,
  };
}
