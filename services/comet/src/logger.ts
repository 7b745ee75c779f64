import type { Logger } from "@chatroom/core";
import { createLogger } from "@chatroom/core/observability";

export function defaultCometLogger(id: string): Logger {
  return createLogger({ service: "comet", level: "info", base: { comet: id } });
}
