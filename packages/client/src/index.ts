export type {
  ChatMessage,
  DeleteReply,
  EditReply,
  HistoryReply,
  ModerateReply,
  RoomEvent,
  RoomInfo,
  RoomOnline,
  RoomResume,
  SendReply,
} from "@chatroom/proto/protocol";
export {
  FIRST_CUSTOM_OP,
  MessageKind,
  ModerationAction,
  Op,
  RoomEventType,
  RoomKind,
  RoomRole,
} from "@chatroom/proto/protocol";
export type { BackoffOptions } from "./backoff.ts";
export { backoffCap, backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";
export { ChatClient } from "./chat-client.ts";
export { ChatClientError } from "./chat-client-error.ts";
export type {
  ChatClientEvents,
  ChatClientOptions,
  ConnectionState,
  Me,
  PushDetail,
  ReadDetail,
  ResumedDetail,
  ResumeFrom,
  StateChange,
  TypingDetail,
} from "./chat-client-types.ts";
export { ApiError, ChatHttp, type ChatHttpOptions } from "./chat-http.ts";
export { newClientMsgId } from "./client-msg-id.ts";
export type { WebSocketConstructor, WebSocketLike } from "./frame-socket.ts";
export type { HistoryOptions } from "./history-request.ts";
export type {
  AuthResult,
  HttpBan,
  HttpCurrentSession,
  HttpInvitation,
  HttpMember,
  HttpMemberRoom,
  HttpMessage,
  HttpModerationResult,
  HttpMyInvitation,
  HttpRevisionResult,
  HttpRole,
  HttpRoom,
  HttpRoomDetails,
  HttpRoomMember,
  HttpSendResult,
} from "./http-types.ts";
export {
  applyRevision,
  isRevisionEvent,
  type MessageDelete,
  type MessageEdit,
  MessageRevisions,
} from "./message-revisions.ts";
export { RoomSequencer, type SequencerAction } from "./room-sequencer.ts";
export { type Listener, TypedEmitter } from "./typed-emitter.ts";
export { TYPING_SHOWN_MS } from "./typing-tracker.ts";
