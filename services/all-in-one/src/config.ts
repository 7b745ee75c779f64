import { type ConfigOf, setting } from "@chatroom/core";
import { DEFAULT_ADMIN_PORTS, observabilityConfigSchema } from "@chatroom/core/observability";

/** Settings of the all-in-one process; the comet, logic and job settings apply too (see README). */
export const allInOneConfigSchema = {
  host: setting.string("CHATROOM_HOST", "127.0.0.1", "Address the HTTP/WebSocket server listens on"),
  port: setting.int("CHATROOM_PORT", 8080, "Port of the web client, the API (/api, /goim) and the WebSocket (/ws)", {
    min: 0,
    max: 65535,
  }),
  dataDir: setting.string(
    "CHATROOM_DATA_DIR",
    "./data",
    "Folder of the SQLite database and the generated token secret",
  ),
  bus: setting.oneOf("CHATROOM_BUS", ["memory"] as const, "memory", "Push bus implementation"),
  store: setting.oneOf("CHATROOM_STORE", ["sqlite"] as const, "sqlite", "Store implementation"),
  presence: setting.oneOf(
    "CHATROOM_PRESENCE",
    ["memory"] as const,
    "memory",
    "Presence, rate limits and comet registry",
  ),
  shutdownTimeoutMs: setting.int("CHATROOM_SHUTDOWN_TIMEOUT_MS", 10000, "Hard deadline of a graceful shutdown", {
    min: 0,
  }),
  ...observabilityConfigSchema(DEFAULT_ADMIN_PORTS["all-in-one"]),
};

export type AllInOneConfig = ConfigOf<typeof allInOneConfigSchema>;
