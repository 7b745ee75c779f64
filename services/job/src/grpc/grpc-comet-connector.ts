import { ChatError, type CometClient, type CometConnector, type CometInfo } from "@chatroom/core";
import {
  callUnary,
  deadlineAfter,
  fromGrpcError,
  type GrpcTransportOptions,
  grpcChannelOptions,
} from "@chatroom/core/grpc";
import { CometServiceClient, CometServiceService } from "@chatroom/proto/grpc";
import { credentials, type MethodDefinition } from "@grpc/grpc-js";

export interface GrpcCometConnectorOptions {
  /** Deadline of every call to a comet (default 5 s); a comet that misses it fails the batch, which is retried. */
  timeoutMs?: number;
  transport?: Partial<GrpcTransportOptions>;
}

/**
 * job's transport to comets: one gRPC channel per registered comet, to its `grpcAddress`. Calls fail fast when the
 * comet is down (no waitForReady) so that the push bus redelivers the batch instead of job waiting on a dead
 * comet; failures are ChatErrors (`unavailable` for transport failures). close() closes the channel.
 */
export function grpcCometConnector(options: GrpcCometConnectorOptions = {}): CometConnector {
  const timeoutMs = options.timeoutMs ?? 5000;
  const channelOptions = grpcChannelOptions({
    service: "chatroom.comet.v1.CometService",
    ...(options.transport ? { transport: options.transport } : {}),
  });
  return (info: CometInfo): CometClient => {
    const client = new CometServiceClient(info.grpcAddress, credentials.createInsecure(), channelOptions);
    const peer = `comet ${info.id} at ${info.grpcAddress}`;
    let closed = false;
    const call = async <Req, Res>(method: MethodDefinition<Req, Res>, request: Req): Promise<Res> => {
      if (closed) throw new ChatError("unavailable", `the client of ${peer} is closed`);
      try {
        return await callUnary(client, method, request, deadlineAfter(timeoutMs));
      } catch (error) {
        throw fromGrpcError(error, peer);
      }
    };
    return {
      info,
      pushMsg: (request) => call(CometServiceService.pushMsg, request),
      broadcast: (request) => call(CometServiceService.broadcast, request),
      broadcastRoom: (request) => call(CometServiceService.broadcastRoom, request),
      rooms: (request) => call(CometServiceService.rooms, request),
      async close() {
        if (closed) return;
        closed = true;
        client.close();
      },
    };
  };
}
