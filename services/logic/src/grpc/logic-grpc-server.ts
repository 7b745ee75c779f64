import type { LogicApi } from "@chatroom/core";
import {
  type GrpcErrorReporter,
  type GrpcTransportOptions,
  type RunningGrpcServer,
  startGrpcServer,
  unaryService,
} from "@chatroom/core/grpc";
import { LogicServiceService } from "@chatroom/proto/grpc";
import type { UntypedServiceImplementation } from "@grpc/grpc-js";

/** LogicService handlers over a LogicApi; failures travel as their ChatError (see @chatroom/core/grpc). */
export function logicServiceImplementation(api: LogicApi, onError?: GrpcErrorReporter): UntypedServiceImplementation {
  return unaryService(
    LogicServiceService,
    {
      connect: (request) => api.connect(request),
      disconnect: (request) => api.disconnect(request),
      heartbeat: (request) => api.heartbeat(request),
      renewOnline: (request) => api.renewOnline(request),
      receive: (request) => api.receive(request),
    },
    onError,
  );
}

export interface LogicGrpcServerOptions {
  api: LogicApi;
  host: string;
  /** 0 picks a free port. */
  port: number;
  transport?: Partial<GrpcTransportOptions>;
  onError?: GrpcErrorReporter;
}

/** Serves logic's LogicService to comets. */
export function serveLogicGrpc(options: LogicGrpcServerOptions): Promise<RunningGrpcServer> {
  return startGrpcServer({
    host: options.host,
    port: options.port,
    services: [
      { definition: LogicServiceService, implementation: logicServiceImplementation(options.api, options.onError) },
    ],
    ...(options.transport ? { transport: options.transport } : {}),
  });
}
