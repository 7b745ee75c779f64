import type { LogicApi } from "@chatroom/core";
import { secondsSince } from "@chatroom/core/observability";
import { errorCode, type LogicMetrics } from "./logic-metrics.ts";

/** The same LogicApi, every call timed into chatroom_logic_grpc_request_duration_seconds by method and code. */
export function instrumentLogicApi(api: LogicApi, metrics: LogicMetrics): LogicApi {
  const timed =
    <Req, Res>(method: string, call: (request: Req) => Promise<Res>) =>
    async (request: Req): Promise<Res> => {
      const start = process.hrtime.bigint();
      try {
        const response = await call(request);
        metrics.grpcRequest(method, "ok", secondsSince(start));
        return response;
      } catch (error) {
        metrics.grpcRequest(method, errorCode(error), secondsSince(start));
        throw error;
      }
    };
  return {
    connect: timed("connect", (request) => api.connect(request)),
    disconnect: timed("disconnect", (request) => api.disconnect(request)),
    heartbeat: timed("heartbeat", (request) => api.heartbeat(request)),
    renewOnline: timed("renew_online", (request) => api.renewOnline(request)),
    receive: timed("receive", (request) => api.receive(request)),
  };
}
