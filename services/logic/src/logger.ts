/**
 * The slice of a pino logger logic uses; pino's Logger satisfies it (the processes pass the one of
 * @chatroom/core/observability's createLogger). Fields by convention: requestId, messageId, err.
 */
export interface LogicLogger {
  /** Per-request and per-message detail (access log, accepted messages); optional for hand-written loggers. */
  debug?(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const silentLogger: LogicLogger = {
  info() {},
  warn() {},
  error() {},
};
