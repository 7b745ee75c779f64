import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { type Comet, CometMetrics, createComet, loadCometConfig, startGoimListener } from "@chatroom/comet";
import {
  type Closable,
  keepRegistered,
  loadConfig,
  MemoryCometRegistry,
  MemoryPresence,
  MemoryPushBus,
  MemoryRateLimiter,
  openSqliteStores,
} from "@chatroom/core";
import {
  adminPortChosen,
  createLogger,
  createMetricsRegistry,
  type LogLevel,
  Readiness,
  startAdminServer,
  storeCheck,
} from "@chatroom/core/observability";
import { JobMetrics, jobConfigSchema, startJob } from "@chatroom/job";
import {
  createLogic,
  type GoimVerifier,
  LogicMetrics,
  loadLogicConfig,
  startGoimHttpListener,
  trustProxySetting,
} from "@chatroom/logic";
import express from "express";
import { type AllInOneConfig, allInOneConfigSchema } from "./config.ts";
import { restrict, secureDatabaseFile, secureDataDir } from "./data-dir.ts";
import { INPROC_ADDRESS, InprocComets } from "./inproc-comets.ts";
import { loadOrCreateTokenSecret, TOKEN_SECRET_FILE } from "./token-secret.ts";
import { serveWebClient } from "./web-client.ts";

export interface StartOptions {
  /** Environment the settings are read from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Overrides of the all-in-one settings (tests pass port 0 and a temporary data dir). */
  port?: number;
  host?: string;
  dataDir?: string;
  /**
   * Port of the admin server (/metrics, /healthz, /readyz). Default: CHATROOM_ADMIN_PORT when set; else 0 (a free
   * port) when the server's port is 0, so that servers started on ephemeral ports (tests) never collide; else 9400.
   */
  adminPort?: number;
  /** Checks goim's `key` on goim connections that are not trusted, instead of CHATROOM_GOIM_VERIFIER's choice. */
  goimVerifier?: GoimVerifier;
}

export interface Chatroom {
  /** http://host:port — the web client; the API is under /api, the WebSocket at /ws. */
  url: string;
  port: number;
  /** http://host:port of the admin server: /metrics, /healthz, /readyz. */
  adminUrl: string;
  comet: Comet;
  /** goim compatibility listeners, when configured: ws://host:port/sub (comet) and http://host:port (/goim/*). */
  goim: { wsUrl?: string; httpUrl?: string };
  /** Graceful: drains the comet (clients are told to reconnect), stops job, closes the stores. */
  close(): Promise<void>;
}

/** Starts comet + logic + job in this process on the in-process backends (the embedded default). */
export async function startChatroom(options: StartOptions = {}): Promise<Chatroom> {
  const env = options.env ?? process.env;
  const config: AllInOneConfig = loadConfig(allInOneConfigSchema, env, {
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
  });
  const dataDir = resolve(config.dataDir);
  const logger = createLogger({ service: "all-in-one", level: logLevelOf(config, env) });
  secureDataDir(dataDir, logger);
  const logicConfig = loadLogicConfig(env, {
    tokenSecret: loadOrCreateTokenSecret(dataDir, env.CHATROOM_TOKEN_SECRET),
  });
  restrict(join(dataDir, TOKEN_SECRET_FILE), 0o600, logger);
  const cometConfig = loadCometConfig(env);
  const jobConfig = loadConfig(jobConfigSchema, env);
  const metricsRegistry = createMetricsRegistry();
  const readiness = new Readiness();
  const adminChosen = options.adminPort !== undefined || adminPortChosen(env);
  const admin = await startAdminServer({
    host: config.adminHost || config.host,
    port: options.adminPort ?? (!adminChosen && config.port === 0 ? 0 : config.adminPort),
    registry: metricsRegistry,
    readiness,
    fallbackWhenTaken: !adminChosen,
    onFallback: (port, error) =>
      logger.warn({ err: error, defaultPort: config.adminPort, port }, "default admin port taken; using a free port"),
  });

  // The admin server closes last: probes see 503 (draining) rather than a refused connection while it stops.
  const closers: Closable[] = [admin];
  const closeAll = async () => {
    readiness.markDraining();
    for (const closer of closers.reverse()) await closer.close().catch(() => {});
  };
  try {
    const databasePath = join(dataDir, "chatroom.sqlite");
    secureDatabaseFile(databasePath, logger);
    const stores = openSqliteStores({ path: databasePath });
    closers.push(stores);
    const presence = new MemoryPresence();
    const bus = new MemoryPushBus();
    const rateLimiter = new MemoryRateLimiter();
    const registry = new MemoryCometRegistry();
    closers.push(presence, rateLimiter, registry, bus);

    const logic = await createLogic({
      stores,
      presence,
      bus,
      rateLimiter,
      config: logicConfig,
      logger: logger.child({ component: "logic" }),
      metrics: new LogicMetrics(metricsRegistry),
      ...(options.goimVerifier ? { goimVerifier: options.goimVerifier } : {}),
    });
    closers.push(logic);

    const inproc = new InprocComets();
    const comet = createComet({
      config: cometConfig,
      logic: logic.api,
      logger: logger.child({ component: "comet", comet: cometConfig.id }),
      metrics: new CometMetrics(metricsRegistry),
    });
    inproc.add(comet.id, comet.api);
    const registration = await keepRegistered(
      registry,
      { id: comet.id, grpcAddress: INPROC_ADDRESS, wsUrl: "", startedAtMs: Date.now() },
      30_000,
    );
    const job = await startJob({
      bus,
      presence,
      registry,
      connect: inproc.connect,
      config: jobConfig,
      metrics: new JobMetrics(metricsRegistry),
      logger: logger.child({ component: "job" }),
    });
    closers.push(job, registration);

    const app = express();
    app.disable("x-powered-by");
    app.set("trust proxy", trustProxySetting(logicConfig.trustProxy));
    app.get("/healthz", (_request, response) => {
      response.json({ status: "ok" });
    });
    app.use(logic.http);
    serveWebClient(app);
    const server = createServer(app);
    comet.attach(server);
    // goim compatibility (docs/goim-compat.md), each listener only when configured, never on the public port.
    const goimWs = await startGoimListener(comet, cometConfig, logger.child({ component: "comet" }));
    const goimHttp = await startGoimHttpListener(logic.goimHttp, logicConfig.goimHttpListen, logger);
    // Reverse order on close: the comet drains its WebSockets before the HTTP servers wait for their connections.
    for (const listener of [goimWs, goimHttp]) if (listener) closers.push(listener);
    closers.push(closableServer(server), comet);

    await new Promise<void>((resolveListen, rejectListen) => {
      server.once("error", rejectListen);
      server.listen(config.port, config.host, () => {
        server.off("error", rejectListen);
        resolveListen();
      });
    });
    const port = (server.address() as AddressInfo).port;
    readiness.add(storeCheck(stores), {
      name: "draining",
      check() {
        if (comet.isDraining()) throw new Error("draining: clients are told to reconnect");
      },
    });
    readiness.markStarted();
    const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
    let closed: Promise<void> | null = null;
    return {
      url: `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}`,
      port,
      adminUrl: admin.url,
      comet,
      goim: {
        ...(goimWs ? { wsUrl: goimWs.url } : {}),
        ...(goimHttp ? { httpUrl: goimHttp.url } : {}),
      },
      close: () => {
        closed ??= closeAll();
        return closed;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function closableServer(server: Server): Closable {
  return {
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

/**
 * CHATROOM_LOG_LEVEL when set; else silent inside `node --test` (the e2e suites start many servers), else the
 * configured default.
 */
function logLevelOf(config: AllInOneConfig, env: Record<string, string | undefined>): LogLevel {
  if (env.CHATROOM_LOG_LEVEL) return config.logLevel;
  return process.env.NODE_TEST_CONTEXT ? "silent" : config.logLevel;
}
