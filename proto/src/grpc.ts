/** Node entry: the internal contracts (bus PushMsg, comet and logic gRPC services). */
export {
  BroadcastRequest,
  BroadcastResponse,
  BroadcastRoomRequest,
  BroadcastRoomResponse,
  CometServiceClient,
  type CometServiceServer,
  CometServiceService,
  ConnectionControl,
  Proto,
  PushMsgRequest,
  PushMsgResponse,
  RoomsRequest,
  RoomsResponse,
  RoomsResponse_RoomsEntry,
} from "./gen/chatroom/comet/v1/comet.ts";
export {
  ConnectRequest,
  ConnectResponse,
  Dialect,
  DisconnectRequest,
  DisconnectResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  LogicServiceClient,
  type LogicServiceServer,
  LogicServiceService,
  ReceiveRequest,
  ReceiveResponse,
  RenewOnlineRequest,
  RenewOnlineRequest_RoomCountEntry,
  RenewOnlineResponse,
  RenewOnlineResponse_AllRoomCountEntry,
} from "./gen/chatroom/logic/v1/logic.ts";
export {
  PushMsg,
  PushMsg_Type,
} from "./gen/chatroom/push/v1/push.ts";
