import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { type Comet, createComet, loadCometConfig } from "@chatroom/comet";
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
import { jobConfigSchema, startJob } from "@chatroom/job";
import { createLogic, loadLogicConfig } from "@chatroom/logic";
import express from "express";
import { type AllInOneConfig, allInOneConfigSchema } from "./config.ts";
import { INPROC_ADDRESS, InprocComets } from "./inproc-comets.ts";
import { loadOrCreateTokenSecret } from "./token-secret.ts";
import { serveWebClient } from "./web-client.ts";

export interface StartOptions {
  /** Environment the settings are read from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Overrides of the all-in-one settings (tests pass port 0 and a temporary data dir). */
  port?: number;
  host?: string;
  dataDir?: string;
}

export interface Chatroom {
  /** http://host:port — the web client; the API is under /api, the WebSocket at /ws. */
  url: string;
  port: number;
  comet: Comet;
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
  const logicConfig = loadLogicConfig(env, {
    tokenSecret: loadOrCreateTokenSecret(dataDir, env.CHATROOM_TOKEN_SECRET),
  });
  const cometConfig = loadCometConfig(env);
  const jobConfig = loadConfig(jobConfigSchema, env);

  const closers: Closable[] = [];
  const closeAll = async () => {
    for (const closer of closers.reverse()) await closer.close().catch(() => {});
  };
  try {
    const stores = openSqliteStores({ path: join(dataDir, "chatroom.sqlite") });
    closers.push(stores);
    const presence = new MemoryPresence();
    const bus = new MemoryPushBus();
    const rateLimiter = new MemoryRateLimiter();
    const registry = new MemoryCometRegistry();
    closers.push(presence, rateLimiter, registry, bus);

    const logic = await createLogic({ stores, presence, bus, rateLimiter, config: logicConfig });
    closers.push(logic);

    const inproc = new InprocComets();
    const comet = createComet({ config: cometConfig, logic: logic.api });
    inproc.add(comet.id, comet.api);
    const registration = await keepRegistered(
      registry,
      { id: comet.id, grpcAddress: INPROC_ADDRESS, wsUrl: "", startedAtMs: Date.now() },
      30_000,
    );
    const job = await startJob({ bus, presence, registry, connect: inproc.connect, config: jobConfig });
    closers.push(job, registration);

    const app = express();
    app.disable("x-powered-by");
    app.get("/healthz", (_request, response) => {
      response.json({ status: "ok" });
    });
    app.use(logic.http);
    serveWebClient(app);
    const server = createServer(app);
    comet.attach(server, "/ws");
    // Reverse order on close: the comet drains its WebSockets before the HTTP server waits for its connections.
    closers.push(closableServer(server), comet);

    await new Promise<void>((resolveListen, rejectListen) => {
      server.once("error", rejectListen);
      server.listen(config.port, config.host, () => {
        server.off("error", rejectListen);
        resolveListen();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
    let closed: Promise<void> | null = null;
    return {
      url: `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}`,
      port,
      comet,
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
