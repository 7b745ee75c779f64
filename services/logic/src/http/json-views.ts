import type { Member, Room } from "@chatroom/core";
import { type ChatMessage, RoomKind } from "@chatroom/proto/protocol";
import type { RoomDetails, RoomMemberView } from "../services/rooms.ts";
import type { MemberRoom } from "../services/views.ts";

/** The JSON shapes of the HTTP API (docs/openapi.yaml components.schemas). */

export function memberJson(member: Pick<Member, "id" | "username">) {
  return { id: member.id, username: member.username };
}

export function roomJson(room: Room) {
  return {
    id: room.id,
    name: room.name,
    kind: room.kind,
    createdBy: room.createdBy,
    createdAtMs: room.createdAtMs,
    lastSeq: room.lastSeq,
  };
}

export function memberRoomJson(view: MemberRoom) {
  return { ...roomJson(view.room), ackedSeq: view.ackedSeq, peer: view.peer ? memberJson(view.peer) : null };
}

export function roomDetailsJson(details: RoomDetails) {
  return { ...memberRoomJson(details), member: details.member, online: details.online };
}

export function roomMemberJson(member: RoomMemberView) {
  return { ...member };
}

export function messageJson(message: ChatMessage) {
  return {
    id: message.id,
    roomId: message.roomId,
    seq: message.seq,
    senderId: message.senderId,
    senderName: message.senderName,
    text: message.text,
    sentAtMs: message.sentAtMs,
    clientMsgId: message.clientMsgId,
    roomKind: message.roomKind === RoomKind.ROOM_KIND_DIRECT ? "direct" : "public",
  };
}
