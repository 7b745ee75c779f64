import { type ConfigOf, setting } from "@chatroom/core";
import { grpcConfigSchema } from "@chatroom/core/grpc";
import { DEFAULT_ADMIN_PORTS, observabilityConfigSchema } from "@chatroom/core/observability";

/**
 * Settings of logic running as its own process (services/logic/src/main.ts); the logic settings
 * (logicConfigSchema), the backend choices (backendConfigSchema) and the gRPC settings apply too. The host defaults
 * to loopback so that a development run is not reachable from the network; containers set 0.0.0.0.
 */
export const logicProcessConfigSchema = {
  host: setting.string("CHATROOM_LOGIC_HOST", "127.0.0.1", "Address logic's HTTP API and gRPC service listen on"),
  httpPort: setting.int("CHATROOM_LOGIC_HTTP_PORT", 8090, "Port of logic's HTTP API (/api, /goim, /healthz)", {
    min: 0,
    max: 65535,
  }),
  grpcPort: setting.int("CHATROOM_LOGIC_GRPC_PORT", 3119, "Port of the LogicService gRPC service comets call", {
    min: 0,
    max: 65535,
  }),
  shutdownTimeoutMs: setting.int("CHATROOM_SHUTDOWN_TIMEOUT_MS", 10000, "Hard deadline of a graceful shutdown", {
    min: 0,
  }),
  ...grpcConfigSchema,
  ...observabilityConfigSchema(DEFAULT_ADMIN_PORTS.logic),
};

export type LogicProcessConfig = ConfigOf<typeof logicProcessConfigSchema>;
