import type {
  ConnectRequest,
  ConnectResponse,
  DisconnectRequest,
  DisconnectResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  ReceiveRequest,
  ReceiveResponse,
  RenewOnlineRequest,
  RenewOnlineResponse,
} from "@chatroom/proto/grpc";

/**
 * What a comet asks of logic (proto LogicService). In-process in the embedded default, gRPC when distributed.
 * Failures are ChatErrors (gRPC carries the code in the status details).
 */
export interface LogicApi {
  connect(request: ConnectRequest): Promise<ConnectResponse>;
  disconnect(request: DisconnectRequest): Promise<DisconnectResponse>;
  heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse>;
  renewOnline(request: RenewOnlineRequest): Promise<RenewOnlineResponse>;
  receive(request: ReceiveRequest): Promise<ReceiveResponse>;
}
