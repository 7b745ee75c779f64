import { randomUUID } from "node:crypto";
import { type DestinationStream, type Logger, pino } from "pino";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** The `service` field of every line: "logic", "comet", "job", "all-in-one". */
  service: string;
  level: LogLevel;
  /** More fields on every line (e.g. the comet id). */
  base?: Record<string, unknown>;
  /** Where lines go (default stdout); tests pass a stream to read them. */
  destination?: DestinationStream;
}

/**
 * The JSON logger of a chatroom process: one line per entry with `time` (ISO 8601), `level` (as a word), `service`,
 * `msg`, and the entry's fields — by convention `requestId` (HTTP requests), `messageId` (a chat message or push
 * id), `err` (serialized with its stack). Components take a child: `logger.child({ component: "kafka" })`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: options.level,
    base: { service: options.service, ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/**
 * The request id of an HTTP request: the caller's `x-request-id` when it is a sane token (so that ids flow through
 * proxies and clients), else a new UUID. The id is echoed in the response's x-request-id header.
 */
export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}
