import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type CometApi, type Logger, type LogicApi, originAllowed } from "@chatroom/core";
import { Registry } from "prom-client";
import { type WebSocket, WebSocketServer } from "ws";
import { BroadcastPacer } from "./broadcast-pacer.ts";
import { Buckets } from "./buckets.ts";
import { CloseCode } from "./close-codes.ts";
import { createCometApi, type PushCounts } from "./comet-api-impl.ts";
import type { CometConfig } from "./config.ts";
import { type ConnectionDialect, chatroomDialect } from "./dialect.ts";
import { goimDialect } from "./goim/goim-dialect.ts";
import { defaultCometLogger } from "./logger.ts";
import { MemberRates } from "./member-rates.ts";
import { CometMetrics } from "./metrics/comet-metrics.ts";
import { OnlineCounts } from "./online-counts.ts";
import { TimerWheel } from "./timer-wheel.ts";
import { type ConnectionContext, WsConnection } from "./ws-connection.ts";

/** The granularity of the auth, heartbeat and session deadlines: each fires at most this much late. */
const DEADLINE_TICK_MS = 1000;

export interface Comet {
  readonly id: string;
  /** The push API job calls (in-process, or served over gRPC by the distributed build). */
  readonly api: CometApi;
  /**
   * Takes over an HTTP upgrade request whatever its path; the caller routes (see attach). `dialect`: how the
   * connection speaks (default chatroom's protocol).
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, dialect?: ConnectionDialect): void;
  /**
   * Serves WebSocket upgrades to the given paths on the server — a path alone speaks chatroom's protocol; default:
   * the public paths, "/ws" and, with CHATROOM_COMET_GOIM_PUBLIC_SUB, goim's "/sub" — and answers upgrades to any other
   * path with 404. Use it only when the comet is the server's one 'upgrade' listener; otherwise use handleUpgrade.
   */
  attach(server: Server, paths?: string | Readonly<Record<string, ConnectionDialect>>): void;
  /** Stops accepting connections and closes every connection with 1012 "server restart"; resolves once all closed. */
  drain(reason?: string): Promise<void>;
  /** True from the first drain() (or close()) on: the comet takes no new connection (readiness is false). */
  isDraining(): boolean;
  /** Drains, stops the timers and waits for the logic calls in flight (disconnects). Idempotent. */
  close(): Promise<void>;
  /** Authenticated connections and rooms with at least one of them. */
  stats(): { connections: number; rooms: number; pushes: PushCounts };
}

export interface CometOptions {
  config: CometConfig;
  logic: LogicApi;
  logger?: Logger;
  /** Where the comet records its metrics (default: a registry of its own that nobody scrapes). */
  metrics?: CometMetrics;
}

export function createComet(options: CometOptions): Comet {
  const { config, logic } = options;
  const logger = options.logger ?? defaultCometLogger(config.id);
  const metrics = options.metrics ?? new CometMetrics(new Registry());
  const buckets = new Buckets(config.buckets);
  const online = new OnlineCounts({
    server: config.id,
    intervalMs: config.renewOnlineIntervalMs,
    logic,
    buckets,
    logger,
  });
  const pacer = new BroadcastPacer();
  const memberRates = new MemberRates(config.memberRequestRateCapacity, config.memberRequestRateRefillPerSecond);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxFrameBytes,
    perMessageDeflate: false,
    // Text frames close the connection (binary only) and close reasons are not read: no UTF-8 to validate.
    skipUTF8Validation: true,
    // The comet keeps its own set of connections.
    clientTracking: false,
  });
  const connections = new Set<WsConnection>();
  const deadlines = new TimerWheel({ tickMs: DEADLINE_TICK_MS });
  const pushCounts: PushCounts = { pushMsg: 0, broadcast: 0, broadcastRoom: 0 };
  const inFlight = new Set<Promise<unknown>>();
  const attached: Array<{
    server: Server;
    listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  }> = [];
  let accepting = true;
  let draining: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const context: ConnectionContext = {
    config,
    logic,
    buckets,
    online,
    memberRates,
    logger,
    metrics,
    track(promise) {
      inFlight.add(promise);
      void promise.finally(() => inFlight.delete(promise));
    },
    deadlines,
    channelLimits: { sendQueueMax: config.sendQueueMax, maxBufferedBytes: config.maxBufferedBytes },
    onSlowConsumer: () => metrics.slowConsumerClosed(),
    forget: (connection) => connections.delete(connection),
  };

  function handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    dialect: ConnectionDialect = chatroomDialect,
  ): void {
    if (!accepting) {
      rejectUpgrade(socket, 503, "Service Unavailable");
      return;
    }
    const { origin, host } = request.headers;
    if (!originAllowed(origin, host, config.allowedOrigins)) {
      // Cross-site WebSocket hijacking: a foreign page would otherwise ride on the visitor's session cookie.
      metrics.requestRefused("origin");
      logger.info({ origin, host }, "WebSocket upgrade refused: foreign Origin");
      rejectUpgrade(socket, 403, "Forbidden");
      return;
    }
    // Only the Cookie header outlives the handshake (until AUTH): the callback must not capture `request`, or every
    // closure made for the connection would keep the request, its headers and the handshake buffers alive.
    const cookie = request.headers.cookie ?? "";
    wss.handleUpgrade(request, socket, head, (ws) => adopt(ws, cookie, dialect));
  }

  function adopt(ws: WebSocket, cookie: string, dialect: ConnectionDialect): void {
    if (!accepting) {
      ws.close(CloseCode.SERVICE_RESTART, "server restart");
      return;
    }
    connections.add(new WsConnection(ws, cookie, context, dialect));
  }

  async function drainAll(reason: string): Promise<void> {
    accepting = false;
    for (const connection of connections) connection.close(CloseCode.SERVICE_RESTART, reason);
    const allClosed = Promise.all([...connections].map((c) => c.whenClosed()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, config.drainTimeoutMs);
    });
    await Promise.race([allClosed, timedOut]);
    clearTimeout(timer);
    for (const connection of connections) connection.terminate();
    await allClosed;
  }

  function drain(reason = "server restart"): Promise<void> {
    draining ??= drainAll(reason);
    return draining;
  }

  metrics.observeState(() => ({ connections: buckets.connectionCount, rooms: buckets.roomCount }));
  online.start();

  return {
    id: config.id,
    api: createCometApi({ buckets, online, pacer, counts: pushCounts, metrics }),
    handleUpgrade,
    attach(server, paths = publicPaths(config)) {
      const routes = new Map(Object.entries(typeof paths === "string" ? { [paths]: chatroomDialect } : paths));
      const listener = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
        const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
        const dialect = routes.get(pathname);
        if (dialect) handleUpgrade(request, socket, head, dialect);
        else rejectUpgrade(socket, 404, "Not Found");
      };
      server.on("upgrade", listener);
      attached.push({ server, listener });
    },
    drain,
    isDraining: () => draining !== undefined,
    close() {
      closing ??= (async () => {
        await drain();
        pacer.stop();
        memberRates.stop();
        deadlines.stop();
        for (const { server, listener } of attached) server.off("upgrade", listener);
        await online.stop();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await Promise.allSettled([...inFlight]);
      })();
      return closing;
    },
    stats() {
      return { connections: buckets.connectionCount, rooms: buckets.roomCount, pushes: { ...pushCounts } };
    },
  };
}

/**
 * The paths of the public WebSocket listener: chatroom's /ws, and goim's /sub when CHATROOM_COMET_GOIM_PUBLIC_SUB is on —
 * there goim's key is always verified as a credential, whatever CHATROOM_COMET_GOIM_AUTH says about the internal one.
 */
function publicPaths(config: CometConfig): Record<string, ConnectionDialect> {
  return config.goimPublicSub ? { "/ws": chatroomDialect, "/sub": goimDialect(false) } : { "/ws": chatroomDialect };
}

/** Answers an upgrade request with a plain HTTP error and closes the socket (what ws does for bad handshakes). */
function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.on("error", () => socket.destroy());
  socket.once("finish", () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
