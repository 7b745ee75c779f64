import { ChatError } from "@chatroom/core";
import type { ReceiveResponse } from "@chatroom/proto/grpc";
import {
  AckReply,
  AckRequest,
  ChangeRoomReply,
  ChangeRoomRequest,
  ChatMessage,
  DeleteReply,
  DeleteRequest,
  EditReply,
  EditRequest,
  HEADER_LENGTH,
  HistoryReply,
  HistoryRequest,
  JoinReply,
  JoinRequest,
  LeaveReply,
  LeaveRequest,
  Op,
  ResumeReply,
  ResumeRequest,
  RoomKind,
  SendReply,
  SendRequest,
  SubReply,
  SubRequest,
  TypingReply,
  TypingRequest,
} from "@chatroom/proto/protocol";
import { toRoomInfo } from "../services/views.ts";
import { protoFrame, rawBatches, receiveResponse } from "./frames.ts";
import { moderate } from "./moderate-handler.ts";
import { decode, type ReceiveHandler, type RequestContext } from "./request-context.ts";

export { decode, type ReceiveHandler, type RequestContext } from "./request-context.ts";

function reply(op: number, request: RequestContext, body: Uint8Array, fields: Partial<ReceiveResponse> = {}) {
  return receiveResponse({ ...fields, protos: [protoFrame(op, request.seq, body)] });
}

const INT32_MAX = 2 ** 31 - 1;

function validOps(ops: readonly number[]): number[] {
  if (ops.some((op) => !Number.isInteger(op) || op < 0 || op > INT32_MAX)) {
    throw new ChatError("bad_request", "ops must be non-negative integers");
  }
  return [...new Set(ops)];
}

/**
 * The encoded HISTORY_REPLY body, keeping the newest (before paging) or oldest (after paging) messages that fit in
 * one reply frame. The common case — the page fits — encodes once.
 */
function encodeFittedHistory(reply: HistoryReply, afterPaging: boolean, maxFrameBytes: number): Uint8Array {
  const body = HistoryReply.encode(reply).finish();
  if (body.length + HEADER_LENGTH <= maxFrameBytes) return body;
  return HistoryReply.encode(fitHistory(reply, afterPaging, maxFrameBytes)).finish();
}

/** Keeps the newest (before paging) or oldest (after paging) messages that fit in one reply frame. */
function fitHistory(reply: HistoryReply, afterPaging: boolean, maxFrameBytes: number): HistoryReply {
  // Field overhead per message: tag (1 byte) + length varint (≤ 3 bytes for frame-sized messages).
  let budget = maxFrameBytes - HEADER_LENGTH - 16 - reply.roomId.length * 3;
  const kept: ChatMessage[] = [];
  const ordered = afterPaging ? reply.messages : [...reply.messages].reverse();
  for (const message of ordered) {
    budget -= ChatMessage.encode(message).finish().length + 4;
    if (budget < 0) break;
    kept.push(message);
  }
  if (kept.length === reply.messages.length) return reply;
  return { ...reply, messages: afterPaging ? kept : kept.reverse(), hasMore: true };
}

const send: ReceiveHandler = async (services, request) => {
  const body = decode(SendRequest, request.body, "SendRequest");
  const result = await services.messages.send(await request.member(), {
    roomId: body.roomId || undefined,
    toMemberId: body.toMemberId || undefined,
    text: body.text,
    clientMsgId: body.clientMsgId,
  });
  // A first direct message may have created the conversation: subscribe the sending connection right away.
  const joinRooms = result.message.roomKind === RoomKind.ROOM_KIND_DIRECT ? [result.message.roomId] : [];
  return reply(Op.SEND_REPLY, request, SendReply.encode(result).finish(), { joinRooms });
};

const join: ReceiveHandler = async (services, request) => {
  const body = decode(JoinRequest, request.body, "JoinRequest");
  const view = await services.rooms.join(await request.member(), body.roomId, {
    create: body.create,
    name: body.name,
    private: body.private ?? false,
  });
  await services.presence.updateRooms(request.key, { join: [view.room.id] });
  services.online.changed([view.room.id]);
  const online = await services.presence.onlineCounts([view.room.id]);
  const replyBody = JoinReply.encode({ room: toRoomInfo(view, online.get(view.room.id) ?? 0) }).finish();
  return reply(Op.JOIN_REPLY, request, replyBody, { joinRooms: [view.room.id] });
};

const leave: ReceiveHandler = async (services, request) => {
  const body = decode(LeaveRequest, request.body, "LeaveRequest");
  await services.rooms.leave(await request.member(), body.roomId);
  await services.presence.updateRooms(request.key, { leave: [body.roomId] });
  services.online.changed([body.roomId]);
  const replyBody = LeaveReply.encode({ roomId: body.roomId }).finish();
  return reply(Op.LEAVE_REPLY, request, replyBody, { leaveRooms: [body.roomId] });
};

/** goim's single-room mode: the connection ends up subscribed to exactly this room (none when empty). */
const changeRoom: ReceiveHandler = async (services, request) => {
  const body = decode(ChangeRoomRequest, request.body, "ChangeRoomRequest");
  const rooms = body.roomId ? [(await services.rooms.requireMember(request.memberId, body.roomId)).id] : [];
  const before = await services.presence.get(request.key);
  await services.presence.updateRooms(request.key, { join: rooms, replace: true });
  services.online.changed([...(before?.rooms ?? []), ...rooms]);
  const replyBody = ChangeRoomReply.encode({ roomId: body.roomId }).finish();
  return reply(Op.CHANGE_ROOM_REPLY, request, replyBody, { joinRooms: rooms, replaceRooms: true });
};

const sub: ReceiveHandler = async (_services, request) => {
  const ops = validOps(decode(SubRequest, request.body, "SubRequest").ops);
  return reply(Op.SUB_REPLY, request, SubReply.encode({ ops }).finish(), { acceptsAdd: ops });
};

const unsub: ReceiveHandler = async (_services, request) => {
  const ops = validOps(decode(SubRequest, request.body, "SubRequest").ops);
  return reply(Op.UNSUB_REPLY, request, SubReply.encode({ ops }).finish(), { acceptsRemove: ops });
};

/** Missed messages as OP_RAW batches of OP_MESSAGE frames (room by room, seq order), then RESUME_REPLY. */
const resume: ReceiveHandler = async (services, request) => {
  const body = decode(ResumeRequest, request.body, "ResumeRequest");
  const replays = await services.resume.resume(request.memberId, body.cursors);
  const bodies = replays.flatMap((r) => r.messages.map((m) => ChatMessage.encode(m).finish()));
  const replyBody = ResumeReply.encode({
    rooms: replays.map((r) => ({
      roomId: r.roomId,
      replayed: r.messages.length,
      lastSeq: r.lastSeq,
      hasMore: r.hasMore,
    })),
  }).finish();
  return receiveResponse({
    protos: [
      ...rawBatches(Op.MESSAGE, bodies, services.config.maxFrameBytes),
      protoFrame(Op.RESUME_REPLY, request.seq, replyBody),
    ],
  });
};

const history: ReceiveHandler = async (services, request) => {
  const body = decode(HistoryRequest, request.body, "HistoryRequest");
  const page = await services.messages.history(request.memberId, body.roomId, {
    beforeSeq: body.beforeSeq,
    afterSeq: body.afterSeq,
    limit: body.limit,
  });
  const encoded = encodeFittedHistory(page, body.afterSeq !== undefined, services.config.maxFrameBytes);
  return reply(Op.HISTORY_REPLY, request, encoded);
};

const ack: ReceiveHandler = async (services, request) => {
  const body = decode(AckRequest, request.body, "AckRequest");
  const acked = await services.messages.ack(request.memberId, body.roomId, body.seq);
  return reply(Op.ACK_REPLY, request, AckReply.encode(acked).finish());
};

/** "I am typing": published to the room at most once per member per interval, never stored. */
const typing: ReceiveHandler = async (services, request) => {
  const body = decode(TypingRequest, request.body, "TypingRequest");
  const room = await services.rooms.requireSpeaker(request.memberId, body.roomId);
  await services.signals.typing(await request.member(), room.id);
  return reply(Op.TYPING_REPLY, request, TypingReply.encode({ roomId: room.id }).finish());
};

/** The author changes a message's text: stored as an EDIT event, pushed to the room like a message. */
const edit: ReceiveHandler = async (services, request) => {
  const body = decode(EditRequest, request.body, "EditRequest");
  const result = await services.revisions.edit(await request.member(), {
    roomId: body.roomId,
    seq: body.seq,
    text: body.text,
    clientMsgId: body.clientMsgId,
  });
  return reply(Op.EDIT_REPLY, request, EditReply.encode(result).finish());
};

/** The author, an owner or a moderator deletes a message: stored as a DELETE event, pushed to the room. */
const deleteMessage: ReceiveHandler = async (services, request) => {
  const body = decode(DeleteRequest, request.body, "DeleteRequest");
  const result = await services.revisions.delete(await request.member(), {
    roomId: body.roomId,
    seq: body.seq,
    clientMsgId: body.clientMsgId,
  });
  return reply(Op.DELETE_REPLY, request, DeleteReply.encode(result).finish());
};

/** The ops a comet forwards to logic.receive; anything else is a bad request. */
export const receiveHandlers: ReadonlyMap<number, ReceiveHandler> = new Map([
  [Op.SEND, send],
  [Op.JOIN, join],
  [Op.LEAVE, leave],
  [Op.CHANGE_ROOM, changeRoom],
  [Op.SUB, sub],
  [Op.UNSUB, unsub],
  [Op.RESUME, resume],
  [Op.HISTORY, history],
  [Op.ACK, ack],
  [Op.TYPING, typing],
  [Op.EDIT, edit],
  [Op.DELETE, deleteMessage],
  [Op.MODERATE, moderate],
]);
