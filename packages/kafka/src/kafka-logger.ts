import type { Logger } from "@chatroom/core";
import { type LogEntry, type logCreator, logLevel } from "kafkajs";

/**
 * kafkajs logs these at warn/error level although it recovers from them by itself (a fresh broker creating its
 * offsets topic, a group rebalancing, a leader moving, the deliberately bounded producer retries): they are demoted
 * to debug so that a healthy system logs nothing.
 */
const TRANSIENT = [
  /coordinator is not available/i,
  /coordinator is loading/i,
  /not the correct coordinator/i,
  /group is rebalancing/i,
  /There is no leader for this topic-partition/i,
  /not the leader for that topic-partition/i,
  /This server does not host this topic-partition/i,
  /Limiting retries for the idempotent producer/i,
];

function isTransient(message: string, error: unknown): boolean {
  const text = typeof error === "string" ? `${message} ${error}` : message;
  return TRANSIENT.some((pattern) => pattern.test(text));
}

/** Writes warnings and errors to stderr, one line each: the default when no logger is given. */
export const stderrLogger: Logger = {
  debug() {},
  info() {},
  warn: (details, message) => console.warn(`[kafka-push-bus] warn: ${message} ${JSON.stringify(details)}`),
  error: (details, message) => console.error(`[kafka-push-bus] error: ${message} ${JSON.stringify(details)}`),
};

/**
 * A kafkajs logCreator that forwards to `logger` (info and up; kafkajs's debug output is a protocol trace) or,
 * without one, prints only warnings and errors. Transient coordinator/rebalance noise goes to debug.
 */
export function kafkaLogCreator(logger: Logger | undefined): { logLevel: logLevel; logCreator: logCreator } {
  const sink = logger ?? stderrLogger;
  return {
    logLevel: logger ? logLevel.INFO : logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        // kafkajs's stack traces are of its own internals; the error message says what went wrong.
        const { message, timestamp: _timestamp, logger: _name, stack: _stack, ...extra } = log;
        const details = { kafka: namespace, ...extra };
        const text = `kafkajs: ${message}`;
        if (level <= logLevel.WARN && isTransient(message, extra.error)) sink.debug(details, text);
        else if (level === logLevel.ERROR) sink.error(details, text);
        else if (level === logLevel.WARN) sink.warn(details, text);
        else if (level === logLevel.INFO) sink.info(details, text);
        else sink.debug(details, text);
      },
  };
}
