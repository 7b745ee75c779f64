// logic as its own process: the HTTP API for clients and backends, and the LogicService gRPC for comets, over the
// backends chosen in the environment (see backendConfigSchema), with its admin server (/metrics, /healthz, /readyz).
// Prints `logic ready http=<host:port> grpc=<host:port> admin=<host:port>` once they listen; SIGTERM turns readiness
// false and stops gracefully.
import { createServer } from "node:http";
import {
  loadBackendConfig,
  localBackends,
  openBus,
  openInvalidationBus,
  openPresence,
  openRateLimiter,
  openStores,
} from "@chatroom/backends";
import { type Closable, loadConfig } from "@chatroom/core";
import { closableHttpServer, closeAll, grpcTransportOf, listenHttp, runService } from "@chatroom/core/grpc";
import { busCheck, presenceCheck, startProcessObservability, storeCheck } from "@chatroom/core/observability";
import express from "express";
import { serveLogicGrpc } from "./grpc/logic-grpc-server.ts";
import { logicProcessConfigSchema } from "./grpc/logic-process-config.ts";
import { createLogic, LogicMetrics, loadLogicConfig, startGoimHttpListener, trustProxySetting } from "./index.ts";

runService("logic", async () => {
  const env = process.env;
  const config = loadConfig(logicProcessConfigSchema, env);
  const backends = loadBackendConfig(env);
  const logicConfig = loadLogicConfig(env);
  const { logger, registry, readiness, admin } = await startProcessObservability({
    service: "logic",
    config,
    env,
    listenHost: config.host,
  });
  // Allowed for a single-process run (one logic on SQLite; a lone logic serving its HTTP API on a memory bus and
  // presence), but nothing outside this process sees those backends.
  for (const choice of localBackends(backends)) {
    logger.warn({ choice }, "in-process backend: only this logic process sees it");
  }

  // The admin server closes last: probes see 503 rather than a refused connection while logic stops.
  const closers: Closable[] = [admin];
  try {
    const stores = await openStores(backends);
    closers.push(stores);
    const presence = await openPresence(backends);
    closers.push(presence);
    const rateLimiter = await openRateLimiter(backends);
    closers.push(rateLimiter);
    const invalidation = await openInvalidationBus(backends);
    closers.push(invalidation);
    const bus = await openBus(backends, { clientId: "chatroom-logic", logger: logger.child({ component: "kafka" }) });
    closers.push(bus);
    readiness.add(storeCheck(stores), busCheck(bus), presenceCheck(presence));
    const metrics = new LogicMetrics(registry);
    const logic = await createLogic({
      stores,
      presence,
      bus,
      rateLimiter,
      invalidation,
      config: logicConfig,
      logger,
      metrics,
    });
    closers.push(logic);

    const app = express();
    app.disable("x-powered-by");
    app.set("trust proxy", trustProxySetting(logicConfig.trustProxy));
    app.get("/healthz", (_request, response) => {
      response.json({ status: "ok" });
    });
    app.use(logic.http);
    const http = createServer(app);
    const { address: httpAddress } = await listenHttp(http, config.httpPort, config.host);
    closers.push(closableHttpServer(http));
    // goim compatibility (off unless CHATROOM_GOIM_HTTP_LISTEN is set): goim's API without a key, on its own port.
    const goim = await startGoimHttpListener(logic.goimHttp, logicConfig.goimHttpListen, logger);
    if (goim) closers.push(goim);

    const grpc = await serveLogicGrpc({
      api: logic.api,
      host: config.host,
      port: config.grpcPort,
      transport: grpcTransportOf(config),
      onError: (error, method) => logger.error({ err: error, method }, "LogicService call failed"),
    });
    closers.push(grpc);

    readiness.markStarted();
    return {
      readyLine:
        `logic ready http=${httpAddress} grpc=${grpc.address} admin=${admin.address}` +
        (goim ? ` goim-http=${goim.address}` : ""),
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      // Not ready first, then listeners (the gRPC calls and HTTP requests in flight finish), logic, the backends.
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
