import type {
  BroadcastRequest,
  BroadcastResponse,
  BroadcastRoomRequest,
  BroadcastRoomResponse,
  PushMsgRequest,
  PushMsgResponse,
  RoomsRequest,
  RoomsResponse,
} from "@chatroom/proto/grpc";
import type { CometInfo } from "../comet-registry/comet-registry.ts";
import type { Closable } from "../lifecycle.ts";

/** What job asks of a comet (proto CometService). In-process in the embedded default, gRPC when distributed. */
export interface CometApi {
  pushMsg(request: PushMsgRequest): Promise<PushMsgResponse>;
  broadcast(request: BroadcastRequest): Promise<BroadcastResponse>;
  broadcastRoom(request: BroadcastRoomRequest): Promise<BroadcastRoomResponse>;
  rooms(request: RoomsRequest): Promise<RoomsResponse>;
}

/** A client to one comet, held by job's comet pool for as long as the comet is registered. */
export interface CometClient extends CometApi, Closable {
  readonly info: CometInfo;
}

/** Opens a client for a registered comet (in-process lookup or a gRPC channel). */
export type CometConnector = (info: CometInfo) => CometClient;
