import type { Member, Room } from "@chatroom/core";
import { type ChatMessage, MessageKind, RoomKind } from "@chatroom/proto/protocol";
import type { ModerationResult } from "../services/moderation.ts";
import type { BanView, InvitationView } from "../services/moderation-lists.ts";
import type { RoomDetails, RoomMemberView } from "../services/room-queries.ts";
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

/** A mute as the JSON views carry it: `muted`, and when it ends (null: until lifted, or not muted). */
function muteJson(mute: { untilMs: number | null } | null) {
  return { muted: mute !== null, mutedUntilMs: mute?.untilMs ?? null };
}

export function memberRoomJson(view: MemberRoom) {
  return {
    ...roomJson(view.room),
    ackedSeq: view.ackedSeq,
    peer: view.peer ? memberJson(view.peer) : null,
    role: view.role,
    ...muteJson(view.mute),
  };
}

export function roomDetailsJson(details: RoomDetails) {
  return { ...memberRoomJson(details), member: details.member, invited: details.invited, online: details.online };
}

export function roomMemberJson(member: RoomMemberView) {
  return {
    id: member.id,
    username: member.username,
    joinedAtMs: member.joinedAtMs,
    ackedSeq: member.ackedSeq,
    online: member.online,
    role: member.role,
    ...muteJson(member.mute),
  };
}

export function moderationJson(result: ModerationResult) {
  return {
    roomId: result.roomId,
    member: memberJson(result.member),
    action: result.action,
    ...(result.role === undefined ? {} : { role: result.role }),
    ...(result.untilMs === undefined ? {} : { untilMs: result.untilMs }),
  };
}

export function restrictionJson(view: BanView) {
  return {
    member: { id: view.memberId, username: view.username },
    untilMs: view.untilMs,
    byMemberId: view.byMemberId,
    atMs: view.atMs,
  };
}

export function invitationJson(view: InvitationView) {
  return { member: { id: view.memberId, username: view.username }, invitedBy: view.invitedBy, atMs: view.atMs };
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
    roomKind: roomKindName(message.roomKind),
    ...revisionJson(message),
  };
}

/** kind and targetSeq for edit and delete events; editedAtMs and deleted for messages that were. */
function revisionJson(message: ChatMessage) {
  if (message.kind === MessageKind.MESSAGE_KIND_EDIT || message.kind === MessageKind.MESSAGE_KIND_DELETE) {
    return {
      kind: message.kind === MessageKind.MESSAGE_KIND_EDIT ? ("edit" as const) : ("delete" as const),
      targetSeq: message.targetSeq ?? 0,
    };
  }
  return {
    ...(message.editedAtMs === undefined ? {} : { editedAtMs: message.editedAtMs }),
    ...(message.deleted ? { deleted: true } : {}),
    ...(message.revisedSeq === undefined ? {} : { revisedSeq: message.revisedSeq }),
  };
}

function roomKindName(kind: RoomKind): "public" | "private" | "direct" {
  if (kind === RoomKind.ROOM_KIND_DIRECT) return "direct";
  return kind === RoomKind.ROOM_KIND_PRIVATE ? "private" : "public";
}
