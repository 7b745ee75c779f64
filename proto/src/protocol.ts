/** Browser-safe entry: the client wire protocol (frames, ops, bodies). No gRPC. */
export * from "./frame.ts";
export {
  AckReply,
  AckRequest,
  AuthReply,
  AuthRequest,
  ChangeRoomReply,
  ChangeRoomRequest,
  ChatMessage,
  ErrorReply,
  HeartbeatReply,
  HistoryReply,
  HistoryRequest,
  JoinReply,
  JoinRequest,
  LeaveReply,
  LeaveRequest,
  OnlineUpdate,
  ResumeReply,
  ResumeRequest,
  RoomCursor,
  RoomEvent,
  RoomEventType,
  RoomInfo,
  RoomKind,
  RoomOnline,
  RoomResume,
  SendReply,
  SendRequest,
  SubReply,
  SubRequest,
  TypingReply,
  TypingRequest,
} from "./gen/chatroom/protocol/v1/protocol.ts";
export * from "./op.ts";
export { REQUEST_WIRE, type RequestName } from "./request-wire.ts";
export { checkWire, type FieldWire, type WireSpec } from "./wire-check.ts";
