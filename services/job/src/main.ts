// job as its own process: consumes the push bus and calls the comets that hold the connections, over gRPC at the
// addresses they registered. Needs the shared bus and presence (CHATROOM_BUS=kafka, CHATROOM_PRESENCE=redis).
// Serves its admin server (/metrics, /healthz, /readyz; on 127.0.0.1 unless CHATROOM_ADMIN_HOST says otherwise: job
// listens on nothing else). Prints `job ready comets=<n> admin=<host:port>`; SIGTERM leaves the consumer group (its
// partitions move to the other jobs) and exits.
import { assertShared, loadBackendConfig, openBus, openCometRegistry, openPresence } from "@chatroom/backends";
import { type Closable, loadConfig } from "@chatroom/core";
import { closeAll, grpcTransportOf, runService } from "@chatroom/core/grpc";
import { presenceCheck, registryCheck, startProcessObservability } from "@chatroom/core/observability";
import { jobConfigSchema } from "./config.ts";
import { grpcCometConnector } from "./grpc/grpc-comet-connector.ts";
import { jobProcessConfigSchema } from "./grpc/job-process-config.ts";
import { startJob } from "./job.ts";
import { kubernetesAwareRegistry } from "./k8s/index.ts";
import { ConsumerHealth } from "./metrics/consumer-health.ts";
import { JobMetrics } from "./metrics/job-metrics.ts";

runService("job", async () => {
  const env = process.env;
  const config = loadConfig(jobProcessConfigSchema, env);
  const jobConfig = loadConfig(jobConfigSchema, env);
  const backends = loadBackendConfig(env);
  // On in-process backends a separate job would never see a push nor a comet.
  assertShared(backends, ["bus", "presence"], "job");
  const {
    logger,
    registry: metricsRegistry,
    readiness,
    admin,
  } = await startProcessObservability({
    service: "job",
    config,
    env,
    listenHost: "127.0.0.1",
  });
  const metrics = new JobMetrics(metricsRegistry);
  const consumer = new ConsumerHealth(metrics);

  // The admin server closes last: probes see 503 rather than a refused connection while job stops.
  const closers: Closable[] = [admin];
  try {
    const presence = await openPresence(backends);
    closers.push(presence);
    // In a pod, a comet Kubernetes reports not ready or gone leaves routing at once (services/job/src/k8s).
    const registry = await kubernetesAwareRegistry(
      await openCometRegistry(backends, {
        onError: (error) => logger.warn({ err: error }, "comet registry watch failed"),
      }),
      {
        env,
        onStart: (description) => logger.info(`Kubernetes-aware comet discovery: ${description}`),
        onError: (error) =>
          logger.warn({ err: error }, "watching the comets' EndpointSlices failed; routing on the registry alone"),
      },
    );
    closers.push(registry);
    const bus = await openBus(backends, {
      clientId: "chatroom-job",
      logger: logger.child({ component: "kafka" }),
      observer: consumer,
    });
    closers.push(bus);
    const job = await startJob({
      bus,
      presence,
      registry,
      connect: grpcCometConnector({ timeoutMs: config.cometTimeoutMs, transport: grpcTransportOf(config) }),
      config: jobConfig,
      metrics,
      logger,
      onPoison: (push, error) =>
        logger.error(
          { err: error, messageId: push.id, type: push.type, room: push.room, seq: push.seq },
          "push skipped as poison",
        ),
    });
    closers.push(job);
    // Comets known is not a condition: a job without comets is healthy, it has no one to push to (an alert says so).
    readiness.add(consumer.check, registryCheck(registry), presenceCheck(presence));
    readiness.markStarted();
    return {
      readyLine: `job ready comets=${job.comets().length} admin=${admin.address}`,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      close: () => {
        readiness.markDraining();
        return closeAll(closers);
      },
    };
  } catch (error) {
    await closeAll(closers).catch(() => {});
    throw error;
  }
});
