// job as its own process: consumes the push bus and calls the comets that hold the connections, over gRPC at the
// addresses they registered. Needs the shared bus and presence (CHATROOM_BUS=kafka, CHATROOM_PRESENCE=redis).
// Prints `job ready comets=<n>`; SIGTERM leaves the consumer group (its partitions move to the other jobs) and exits.
import { type Closable, loadConfig } from "@chatroom/core";
import { assertShared, loadBackendConfig, openBus, openCometRegistry, openPresence } from "@chatroom/core/backends";
import { closeAll, grpcTransportOf, runService } from "@chatroom/core/grpc";
import { pino } from "pino";
import { jobConfigSchema } from "./config.ts";
import { grpcCometConnector } from "./grpc/grpc-comet-connector.ts";
import { jobProcessConfigSchema } from "./grpc/job-process-config.ts";
import { startJob } from "./job.ts";

runService("job", async () => {
  const config = loadConfig(jobProcessConfigSchema);
  const jobConfig = loadConfig(jobConfigSchema);
  const backends = loadBackendConfig();
  // On in-process backends a separate job would never see a push nor a comet.
  assertShared(backends, ["bus", "presence"], "job");
  const logger = pino({ name: "job" });

  const closers: Closable[] = [];
  try {
    const presence = await openPresence(backends);
    closers.push(presence);
    const registry = await openCometRegistry(backends, {
      onError: (error) => logger.warn({ err: error }, "comet registry watch failed"),
    });
    closers.push(registry);
    const bus = await openBus(backends, { clientId: "chatroom-job", logger: logger.child({ component: "kafka" }) });
    closers.push(bus);
    const job = await startJob({
      bus,
      presence,
      registry,
      connect: grpcCometConnector({ timeoutMs: config.cometTimeoutMs, transport: grpcTransportOf(config) }),
      config: jobConfig,
      onPoison: (push, error) =>
        logger.error({ err: error, type: push.type, room: push.room, seq: push.seq }, "push skipped as poison"),
    });
    closers.push(job);
    return {
      readyLine: `job ready comets=${job.comets().length}`,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      close: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers).catch(() => {});
    throw error;
  }
});
