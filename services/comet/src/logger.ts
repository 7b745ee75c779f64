import { createLogger } from "@chatroom/core/observability";

/** The slice of a pino logger the comet uses; pass the service's logger (or a child) to createComet. */
export interface CometLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export function defaultCometLogger(id: string): CometLogger {
  return createLogger({ service: "comet", level: "info", base: { comet: id } });
}
