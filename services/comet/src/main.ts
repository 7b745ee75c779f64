// A comet as its own process: the WebSocket gateway (/ws, and /healthz) and the CometService gRPC for job, talking
// to logic over gRPC and registered in the comet registry (see backendConfigSchema: CHATROOM_PRESENCE), with its
// admin server (/metrics, /healthz, /readyz). Prints `comet <id> ready ws=<host:port> grpc=<host:port>
// admin=<host:port>`; SIGTERM turns readiness false, drains (clients get 1012 and reconnect elsewhere), deregisters,
// then exits.
import { createServer } from "node:http";
import { hostname } from "node:os";
import { loadBackendConfig, localBackends, openCometRegistry } from "@chatroom/backends";
import { type Closable, keepRegistered, loadConfig } from "@chatroom/core";
import { closableHttpServer, closeAll, grpcTransportOf, listenHttp, runService } from "@chatroom/core/grpc";
import {
  pingCheck,
  registerDependencyGauge,
  registryCheck,
  startProcessObservability,
} from "@chatroom/core/observability";
import { createComet } from "./comet.ts";
import { loadCometConfig } from "./config.ts";
import { startGoimListener } from "./goim/goim-listener.ts";
import { serveCometGrpc } from "./grpc/comet-grpc-server.ts";
import { type CometProcessConfig, cometProcessConfigSchema } from "./grpc/comet-process-config.ts";
import { GrpcLogicClient } from "./grpc/grpc-logic-client.ts";
import { CometMetrics } from "./metrics/comet-metrics.ts";

runService("comet", async () => {
  const env = process.env;
  const config = loadConfig(cometProcessConfigSchema, env);
  const backends = loadBackendConfig(env);
  const cometConfig = loadCometConfig(env, { id: env.CHATROOM_COMET_ID || env.POD_NAME || hostname() });
  const {
    logger,
    registry: metricsRegistry,
    readiness,
    admin,
  } = await startProcessObservability({
    service: "comet",
    config,
    env,
    listenHost: config.host,
    logBase: { comet: cometConfig.id },
  });
  // A memory registry is allowed (a comet tried on its own), but no job in another process can find this comet.
  for (const choice of localBackends(backends).filter((c) => c.startsWith("CHATROOM_PRESENCE="))) {
    logger.warn({ choice }, "in-process comet registry: job cannot reach this comet");
  }

  // The admin server closes last: probes see 503 (draining) rather than a refused connection while the comet drains.
  const closers: Closable[] = [admin];
  try {
    const logic = new GrpcLogicClient({
      addresses: config.logicAddresses,
      timeoutMs: config.logicTimeoutMs,
      heartbeatTimeoutMs: config.logicHeartbeatTimeoutMs,
      transport: grpcTransportOf(config),
    });
    closers.push(logic);
    const registry = await openCometRegistry(backends, {
      onError: (error) => logger.warn({ err: error }, "comet registry watch failed"),
    });
    closers.push(registry);
    const comet = createComet({ config: cometConfig, logic, logger, metrics: new CometMetrics(metricsRegistry) });

    const http = createServer((request, response) => {
      if (new URL(request.url ?? "/", "http://localhost").pathname === "/healthz") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ status: "ok", comet: comet.id, ...comet.stats() }));
      } else {
        response.writeHead(404).end();
      }
    });
    comet.attach(http);
    // comet.close() drains and waits for the Disconnect calls in flight: before the logic client closes.
    closers.push(closableHttpServer(http), comet);
    const ws = await listenHttp(http, config.wsPort, config.host);
    // goim compatibility (off unless CHATROOM_COMET_GOIM_LISTEN is set): its own listener, drained with the comet.
    const goim = await startGoimListener(comet, cometConfig, logger);
    if (goim) closers.splice(closers.indexOf(comet), 0, goim);

    const grpc = await serveCometGrpc({
      api: comet.api,
      host: config.host,
      port: config.grpcPort,
      transport: grpcTransportOf(config),
      onError: (error, method) => logger.error({ err: error, method }, "CometService call failed"),
    });
    closers.push(grpc);

    const advertised = advertisedHost(config.host, env);
    const info = {
      id: comet.id,
      grpcAddress: config.grpcAdvertise || `${advertised}:${grpc.port}`,
      wsUrl: config.wsUrl || `ws://${advertised}:${ws.port}/ws`,
      startedAtMs: Date.now(),
    };
    const registration = await keepRegistered(registry, info, config.registryTtlMs, (error) =>
      logger.warn({ err: error }, "renewing the comet registration failed"),
    );

    // Readiness is this comet's own state only: a slow logic or Redis would otherwise turn every comet not ready at
    // once and job would stop pushing to all clients. Those dependencies are metrics (and alerts) instead.
    readiness.add({
      name: "draining",
      check() {
        if (comet.isDraining()) throw new Error("draining: clients are being sent elsewhere");
      },
    });
    registerDependencyGauge(metricsRegistry, [pingCheck("logic", logic), registryCheck(registry, comet.id)]);
    readiness.markStarted();

    return {
      readyLine:
        `comet ${comet.id} ready ws=${ws.address} grpc=${grpc.address} admin=${admin.address}` +
        (goim ? ` goim=${goim.address}` : ""),
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      async close() {
        // Clients first (1012: reconnect elsewhere), then leave the registry so job stops pushing here, then the rest.
        readiness.markDraining();
        await comet.drain();
        await registration.close().catch((error: unknown) => logger.warn({ err: error }, "deregistering failed"));
        await closeAll(closers);
      },
    };
  } catch (error) {
    await closeAll(closers).catch(() => {});
    throw error;
  }
});

/** The host job and clients reach this comet on: the listen host, or the pod IP or host name when it is a wildcard. */
function advertisedHost(host: CometProcessConfig["host"], env: Record<string, string | undefined>): string {
  const wildcard = host === "0.0.0.0" || host === "::" || host === "";
  const chosen = wildcard ? env.POD_IP || hostname() : host;
  return chosen.includes(":") ? `[${chosen}]` : chosen;
}
