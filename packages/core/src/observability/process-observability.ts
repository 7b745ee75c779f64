import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { ConfigOf } from "../config/config.ts";
import { type AdminServer, startAdminServer } from "./admin-server.ts";
import { createLogger, type LogLevel } from "./logger.ts";
import { createMetricsRegistry } from "./metrics-registry.ts";
import { adminPortChosen, type observabilityConfigSchema } from "./observability-config.ts";
import { Readiness } from "./readiness.ts";

export type ObservabilityConfig = ConfigOf<ReturnType<typeof observabilityConfigSchema>>;

export interface ProcessObservabilityOptions {
  service: string;
  config: ObservabilityConfig;
  /** The environment the config came from (to tell a chosen admin port from the default). */
  env: Record<string, string | undefined>;
  /** The service's listen host: the admin server's host unless CHATROOM_ADMIN_HOST is set. */
  listenHost: string;
  /** More fields on every log line (the comet id). */
  logBase?: Record<string, unknown>;
  /** Overrides config.logLevel (tests). */
  logLevel?: LogLevel;
}

export interface ProcessObservability {
  logger: Logger;
  registry: Registry;
  /** Not ready until markStarted(); the caller adds its dependency checks. */
  readiness: Readiness;
  admin: AdminServer;
}

/**
 * The observability of one process, started first (so that liveness answers during a slow start, and readiness
 * says "starting"): JSON logger, metrics registry with the process metrics, readiness, admin server. Close `admin`
 * last, so that probes see 503 while the service drains rather than a refused connection.
 */
export async function startProcessObservability(options: ProcessObservabilityOptions): Promise<ProcessObservability> {
  const { config } = options;
  const logger = createLogger({
    service: options.service,
    level: options.logLevel ?? config.logLevel,
    ...(options.logBase ? { base: options.logBase } : {}),
  });
  const registry = createMetricsRegistry();
  const readiness = new Readiness();
  const admin = await startAdminServer({
    host: config.adminHost || options.listenHost,
    port: config.adminPort,
    registry,
    readiness,
    fallbackWhenTaken: !adminPortChosen(options.env),
    onFallback: (port, error) =>
      logger.warn(
        { err: error, defaultPort: config.adminPort, port },
        "default admin port taken (another service on this host?); using a free port",
      ),
  });
  return { logger, registry, readiness, admin };
}
