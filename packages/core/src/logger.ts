/**
 * Contract: the one logger type of chatroom's code. Each entry is structured fields plus a short message; fields by
 * convention `requestId` (HTTP requests), `messageId` (a chat message or push id), `err` (an Error, serialized with
 * its stack). The processes pass pino loggers (createLogger in @chatroom/core/observability, which satisfy this) and
 * components take children of them; libraries and tests may pass any object with these four methods.
 */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** Logs nothing: the default where a component is given no logger (and what tests pass). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
