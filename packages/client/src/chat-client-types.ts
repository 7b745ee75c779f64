import type { ChatMessage, RoomEvent, RoomInfo, RoomResume } from "@chatroom/proto/protocol";
import type { BackoffOptions } from "./backoff.ts";
import type { WebSocketConstructor } from "./frame-socket.ts";
import type { MessageDelete, MessageEdit } from "./message-revisions.ts";

export type ConnectionState = "connecting" | "authenticating" | "open" | "reconnecting" | "closed";

/**
 * Where to start rooms this client has not followed yet (on the first connect, and rooms that appear in a later
 * AuthReply): "stored" — after the member's stored read cursor (RESUME cursor -1), replaying unread messages;
 * "beginning" — the whole history (cursor 0); "latest" — only messages newer than the AuthReply (no replay).
 */
export type ResumeFrom = "stored" | "beginning" | "latest";

export interface ChatClientOptions {
  /** ws://host:port/ws (or wss://). */
  url: string;
  /** Session token, or a function asked before every connection attempt. Empty: the session cookie is used. */
  token?: string | (() => string | Promise<string>);
  /** Push-API ops (besides the chat ops) this connection accepts; SUB/UNSUB change it later. */
  accepts?: readonly number[];
  /** Client description sent with AUTH, for server logs. */
  clientName?: string;
  /** WebSocket implementation; defaults to the global one. */
  WebSocket?: WebSocketConstructor;
  reconnect?: Partial<BackoffOptions>;
  requestTimeoutMs?: number;
  /** Largest frame the client sends (the comet closes the socket with 1009 above its limit). */
  maxFrameBytes?: number;
  resumeFrom?: ResumeFrom;
  /** Page size of the HISTORY requests that fill holes and finish a resume (server max 200). */
  fillPageSize?: number;
}

export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** Close code and reason of the socket whose end caused this change, when there was one. */
  code?: number;
  reason?: string;
  /** Reconnect attempt number (1 for the first retry), in "reconnecting" and the "connecting" that follows. */
  attempt?: number;
  /** In "reconnecting": the delay before the next attempt. */
  delayMs?: number;
}

export interface ResumedDetail {
  /** True after a reconnect, false for the first connection. */
  reconnected: boolean;
  /** What the server replayed, per room. */
  rooms: RoomResume[];
}

export interface TypingDetail {
  roomId: string;
  members: Array<{ memberId: number; username: string }>;
}

export interface ReadDetail {
  roomId: string;
  memberId: number;
  username: string;
  /** The member has seen the room up to this seq. */
  seq: number;
}

export interface PushDetail {
  op: number;
  body: Uint8Array;
}

export interface ChatClientEvents {
  state: StateChange;
  /** Each (room, seq) exactly once, in seq order per room (edit and delete events excepted: see `edit`, `delete`). */
  message: ChatMessage;
  /**
   * A message was edited: once per change, in the room's seq order, whether its event came live, on resume or was
   * already read in history (`history()` pages show the latest text and record their events as seen).
   */
  edit: MessageEdit;
  /** A message was deleted (now a tombstone): once, like `edit`. */
  delete: MessageDelete;
  event: RoomEvent;
  /** Online member counts of the connection's rooms (AuthReply, JOIN replies, OP_ONLINE pushes, heartbeat replies). */
  online: ReadonlyMap<string, number>;
  /** The member's rooms changed (auth, join, leave, membership changes made elsewhere). */
  rooms: ReadonlyMap<string, RoomInfo>;
  /** Who is typing in a room changed (others only; each shown a few seconds after their last typing event). */
  typing: TypingDetail;
  /** A member's read cursor in a room moved (read receipts; the member's own other devices included). */
  read: ReadDetail;
  /** A push-API frame with an op that is not a chat op. */
  push: PushDetail;
  resumed: ResumedDetail;
  /** Problems that belong to no request (an OP_ERROR for an unknown seq, a failed resume or gap fill). */
  error: Error;
}

export interface Me {
  memberId: number;
  username: string;
  /** The connection's key for the push API. */
  key: string;
  server: string;
  /** How long after sending the member may edit or delete a message (0: no limit, or a server without edits). */
  editWindowMs: number;
}
