/**
 * Frame operations. 0–17 are goim's (same numbers, same meaning); 18 and up are chatroom's chat ops.
 * Requests are answered with the op + 1 (or OP_ERROR) carrying the request's frame seq.
 */
export const Op = {
  HANDSHAKE: 0,
  HANDSHAKE_REPLY: 1,
  HEARTBEAT: 2,
  HEARTBEAT_REPLY: 3,
  SEND: 4,
  SEND_REPLY: 5,
  DISCONNECT_REPLY: 6,
  AUTH: 7,
  AUTH_REPLY: 8,
  /** A batch: the body is a concatenation of whole frames. */
  RAW: 9,
  PROTO_READY: 10,
  PROTO_FINISH: 11,
  CHANGE_ROOM: 12,
  CHANGE_ROOM_REPLY: 13,
  SUB: 14,
  SUB_REPLY: 15,
  UNSUB: 16,
  UNSUB_REPLY: 17,
  JOIN: 18,
  JOIN_REPLY: 19,
  LEAVE: 20,
  LEAVE_REPLY: 21,
  RESUME: 22,
  RESUME_REPLY: 23,
  HISTORY: 24,
  HISTORY_REPLY: 25,
  ACK: 26,
  ACK_REPLY: 27,
  ERROR: 28,
  /** Server push of a stored chat message (ChatMessage). */
  MESSAGE: 29,
  /** Server push of a room event (RoomEvent). */
  EVENT: 30,
  /** Server push of changed online counts (OnlineUpdate). */
  ONLINE: 31,
  TYPING: 32,
  TYPING_REPLY: 33,
  /** The author changes a message's text (EditRequest); stored as an event with its own seq. */
  EDIT: 34,
  EDIT_REPLY: 35,
  /** The author, an owner or a moderator deletes a message (DeleteRequest); stored as an event with its own seq. */
  DELETE: 36,
  DELETE_REPLY: 37,
  /** An owner's or moderator's action on a member of a room (ModerateRequest). */
  MODERATE: 38,
  MODERATE_REPLY: 39,
} as const;

export type Op = (typeof Op)[keyof typeof Op];

/** Ops every authenticated connection receives, whatever its push-API accepts. */
export const CHAT_OPS: ReadonlySet<number> = new Set([Op.MESSAGE, Op.EVENT, Op.ONLINE, Op.RAW, Op.ERROR]);

/** The first op number free for applications' own push-API operations (goim uses 1000 in its examples). */
export const FIRST_CUSTOM_OP = 1000;

const names = new Map<number, string>(Object.entries(Op).map(([name, value]) => [value, name]));

/** A readable name for logs and metrics labels ("SEND", "op_1000"). */
export function opName(op: number): string {
  return names.get(op) ?? `op_${op}`;
}
