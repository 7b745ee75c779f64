import {
  allowedOriginsSetting,
  ConfigError,
  type ConfigOf,
  listenAddressSetting,
  loadConfig,
  setting,
} from "@chatroom/core";

/** The comet's settings, read from CHATROOM_COMET_* environment variables. */
export const cometConfigSchema = {
  id: setting.string("CHATROOM_COMET_ID", "comet-1", "Unique id of this comet; logic and job address it by this id"),
  buckets: setting.int("CHATROOM_COMET_BUCKETS", 32, "Shards of the connection and room maps", { min: 1, max: 4096 }),
  maxFrameBytes: setting.int(
    "CHATROOM_COMET_MAX_FRAME_BYTES",
    64 * 1024,
    "Largest client frame (WebSocket message) accepted; larger closes with 1009",
    { min: 1024 },
  ),
  authTimeoutMs: setting.int(
    "CHATROOM_COMET_AUTH_TIMEOUT_MS",
    10_000,
    "A new connection must authenticate within this time (else close 4002)",
    { min: 1 },
  ),
  heartbeatIntervalMs: setting.int(
    "CHATROOM_COMET_HEARTBEAT_INTERVAL_MS",
    30_000,
    "Client heartbeat interval when logic does not name one; the reaper closes (4008) after 2x this plus the grace",
    { min: 1 },
  ),
  heartbeatGraceMs: setting.int(
    "CHATROOM_COMET_HEARTBEAT_GRACE_MS",
    5_000,
    "Added to 2x the heartbeat interval before an idle connection is closed",
    { min: 0 },
  ),
  renewOnlineIntervalMs: setting.int(
    "CHATROOM_COMET_RENEW_ONLINE_INTERVAL_MS",
    10_000,
    "How often the comet reports its room counts to logic and refreshes the cluster-wide online counts",
    { min: 1 },
  ),
  sendQueueMax: setting.int(
    "CHATROOM_COMET_SEND_QUEUE_MAX",
    1024,
    "Frames a connection may have unwritten before it is closed as a slow consumer (4009)",
    { min: 1 },
  ),
  maxBufferedBytes: setting.int(
    "CHATROOM_COMET_MAX_BUFFERED_BYTES",
    4 * 1024 * 1024,
    "Bytes a connection may have unwritten before it is closed as a slow consumer (4009)",
    { min: 1024 },
  ),
  maxPendingRequests: setting.int(
    "CHATROOM_COMET_MAX_PENDING_REQUESTS",
    32,
    "Requests of one connection queued for logic before the comet stops reading from it",
    { min: 1 },
  ),
  maxAccepts: setting.int(
    "CHATROOM_COMET_MAX_ACCEPTS",
    64,
    "Push-API operations one connection may accept (AUTH accepts plus OP_SUB); more is refused with limit_exceeded",
    { min: 1, max: 65_536 },
  ),
  requestRateCapacity: setting.int(
    "CHATROOM_COMET_REQUEST_RATE_CAPACITY",
    60,
    "Burst of frames (requests and heartbeats) one connection may send; beyond it requests get rate_limited",
    { min: 1 },
  ),
  requestRateRefillPerSecond: setting.int(
    "CHATROOM_COMET_REQUEST_RATE_REFILL_PER_SECOND",
    20,
    "Sustained frames per second one connection may send; a client that keeps sending while refused a whole " +
      "burst's worth in a row is closed with 4029",
    { min: 1 },
  ),
  memberRequestRateCapacity: setting.int(
    "CHATROOM_COMET_MEMBER_REQUEST_RATE_CAPACITY",
    200,
    "Burst of frames all of one member's connections on this comet may send together; a new connection costs 5",
    { min: 1 },
  ),
  memberRequestRateRefillPerSecond: setting.int(
    "CHATROOM_COMET_MEMBER_REQUEST_RATE_REFILL_PER_SECOND",
    50,
    "Sustained frames per second all of one member's connections on this comet may send together",
    { min: 1 },
  ),
  allowedOrigins: allowedOriginsSetting,
  drainTimeoutMs: setting.int(
    "CHATROOM_COMET_DRAIN_TIMEOUT_MS",
    5_000,
    "On drain, connections that have not finished the close handshake by then are cut",
    { min: 0 },
  ),
  goimWsListen: listenAddressSetting(
    "CHATROOM_COMET_GOIM_LISTEN",
    "goim compatibility (docs/goim-compat.md): host:port of a separate WebSocket listener serving goim's /sub " +
      "(JSON OP_AUTH, string bodies, goim rooms). Empty: none. Bind it where only the internal network reaches it",
  ),
  goimWsAuth: setting.oneOf(
    "CHATROOM_COMET_GOIM_AUTH",
    ["verify", "trust"] as const,
    "verify",
    "How the goim listener checks goim's OP_AUTH: verify (its key must be a credential logic verifies, see " +
      "CHATROOM_GOIM_VERIFIER) or trust (the client's mid as given: only for a listener that nothing outside the " +
      "internal network reaches; needs CHATROOM_COMET_GOIM_LISTEN)",
  ),
  goimPublicSub: setting.bool(
    "CHATROOM_COMET_GOIM_PUBLIC_SUB",
    false,
    "Also serve goim's /sub on the public WebSocket listener (beside /ws); there goim's key is always verified",
  ),
};

export type CometConfigSchema = typeof cometConfigSchema;
export type CometConfig = ConfigOf<CometConfigSchema>;

export function loadCometConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<CometConfig> = {},
): CometConfig {
  const config = loadConfig(cometConfigSchema, env, overrides);
  if (config.goimWsAuth === "trust" && !config.goimWsListen) {
    // Trusting mid is only safe on a listener of its own; never on the public one.
    throw new ConfigError(
      "CHATROOM_COMET_GOIM_AUTH=trust needs CHATROOM_COMET_GOIM_LISTEN (a separate, internal listener)",
    );
  }
  return config;
}
