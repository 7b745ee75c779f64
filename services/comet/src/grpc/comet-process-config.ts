import { type ConfigOf, setting } from "@chatroom/core";
import { grpcConfigSchema } from "@chatroom/core/grpc";
import { DEFAULT_ADMIN_PORTS, observabilityConfigSchema } from "@chatroom/core/observability";

/**
 * Settings of a comet running as its own process (services/comet/src/main.ts); the comet settings
 * (cometConfigSchema), the backend choices (backendConfigSchema, for the comet registry) and the gRPC settings
 * apply too. The comet id is CHATROOM_COMET_ID, else POD_NAME, else the host name.
 */
export const cometProcessConfigSchema = {
  host: setting.string("CHATROOM_COMET_HOST", "127.0.0.1", "Address the comet's WebSocket and gRPC servers listen on"),
  wsPort: setting.int("CHATROOM_COMET_WS_PORT", 3102, "Port of the WebSocket server (path /ws, and /healthz)", {
    min: 0,
    max: 65535,
  }),
  grpcPort: setting.int("CHATROOM_COMET_GRPC_PORT", 3109, "Port of the CometService gRPC service job calls", {
    min: 0,
    max: 65535,
  }),
  grpcAdvertise: setting.string(
    "CHATROOM_COMET_GRPC_ADVERTISE",
    "",
    "host:port job uses to reach this comet, published in the comet registry (default: the listen host, or POD_IP " +
      "or the host name when listening on all interfaces, and the gRPC port)",
  ),
  wsUrl: setting.string(
    "CHATROOM_COMET_WS_URL",
    "",
    "Public WebSocket URL of this comet, published in the comet registry (default ws://<advertised host>:<port>/ws)",
  ),
  registryTtlMs: setting.int(
    "CHATROOM_COMET_REGISTRY_TTL_MS",
    10000,
    "The comet's registry entry expires this long after its last renewal (renewed every third of it)",
    { min: 300 },
  ),
  logicAddresses: setting.list(
    "CHATROOM_LOGIC_GRPC_ADDRS",
    ["127.0.0.1:3119"],
    "Comma-separated host:port (or gRPC target) of the logics; calls go to them in turn and a name resolving to " +
      "several addresses (a headless Service) is balanced round-robin",
  ),
  logicTimeoutMs: setting.int(
    "CHATROOM_LOGIC_GRPC_TIMEOUT_MS",
    5000,
    "Deadline of the comet's Connect, Disconnect and Receive calls to logic",
    { min: 1 },
  ),
  logicHeartbeatTimeoutMs: setting.int(
    "CHATROOM_LOGIC_GRPC_HEARTBEAT_TIMEOUT_MS",
    3000,
    "Deadline of the comet's Heartbeat and RenewOnline calls to logic",
    { min: 1 },
  ),
  shutdownTimeoutMs: setting.int("CHATROOM_SHUTDOWN_TIMEOUT_MS", 10000, "Hard deadline of a graceful shutdown", {
    min: 0,
  }),
  ...grpcConfigSchema,
  ...observabilityConfigSchema(DEFAULT_ADMIN_PORTS.comet),
};

export type CometProcessConfig = ConfigOf<typeof cometProcessConfigSchema>;
