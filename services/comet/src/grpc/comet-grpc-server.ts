import type { CometApi } from "@chatroom/core";
import {
  type GrpcErrorReporter,
  type GrpcTransportOptions,
  type RunningGrpcServer,
  startGrpcServer,
  unaryService,
} from "@chatroom/core/grpc";
import { CometServiceService } from "@chatroom/proto/grpc";
import type { UntypedServiceImplementation } from "@grpc/grpc-js";

/** CometService handlers over a comet's CometApi; failures travel as their ChatError. */
export function cometServiceImplementation(api: CometApi, onError?: GrpcErrorReporter): UntypedServiceImplementation {
  return unaryService(
    CometServiceService,
    {
      pushMsg: (request) => api.pushMsg(request),
      broadcast: (request) => api.broadcast(request),
      broadcastRoom: (request) => api.broadcastRoom(request),
      rooms: (request) => api.rooms(request),
    },
    onError,
  );
}

export interface CometGrpcServerOptions {
  api: CometApi;
  host: string;
  /** 0 picks a free port. */
  port: number;
  transport?: Partial<GrpcTransportOptions>;
  onError?: GrpcErrorReporter;
}

/** Serves a comet's CometService to job. */
export function serveCometGrpc(options: CometGrpcServerOptions): Promise<RunningGrpcServer> {
  return startGrpcServer({
    host: options.host,
    port: options.port,
    services: [
      { definition: CometServiceService, implementation: cometServiceImplementation(options.api, options.onError) },
    ],
    ...(options.transport ? { transport: options.transport } : {}),
  });
}
