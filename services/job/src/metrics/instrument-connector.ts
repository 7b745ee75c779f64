import type { CometClient, CometConnector } from "@chatroom/core";
import { secondsSince } from "@chatroom/core/observability";
import type { JobMetrics } from "./job-metrics.ts";

const METHODS = ["push_msg", "broadcast", "broadcast_room"] as const;

/**
 * The same connector, its clients' push calls timed into chatroom_job_comet_push_duration_seconds (and failures
 * counted) per comet; closing a client (the comet left the registry) removes that comet's series.
 */
export function instrumentConnector(connect: CometConnector, metrics: JobMetrics): CometConnector {
  return (info) => {
    const client = connect(info);
    const timed =
      <Req, Res>(method: (typeof METHODS)[number], call: (request: Req) => Promise<Res>) =>
      async (request: Req): Promise<Res> => {
        const start = process.hrtime.bigint();
        try {
          const response = await call(request);
          metrics.cometCall(info.id, method, secondsSince(start));
          return response;
        } catch (error) {
          metrics.cometCall(info.id, method, secondsSince(start), error);
          throw error;
        }
      };
    const instrumented: CometClient = {
      info: client.info,
      pushMsg: timed("push_msg", (request) => client.pushMsg(request)),
      broadcast: timed("broadcast", (request) => client.broadcast(request)),
      broadcastRoom: timed("broadcast_room", (request) => client.broadcastRoom(request)),
      rooms: (request) => client.rooms(request),
      async close() {
        metrics.forgetComet(info.id, METHODS);
        await client.close();
      },
    };
    return instrumented;
  };
}
