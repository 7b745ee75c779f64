import {
  allowedOriginsSetting,
  ConfigError,
  type ConfigOf,
  listenAddressSetting,
  loadConfig,
  type Setting,
  setting,
} from "@chatroom/core";
import { DEFAULT_MAX_FRAME_BYTES, HEADER_LENGTH } from "@chatroom/proto/protocol";

/** Shortest accepted token secret: 32 characters keep HMAC-SHA256 tokens out of brute-force reach. */
export const MIN_TOKEN_SECRET_LENGTH = 32;

function secret(env: string, description: string): Setting<string> {
  return {
    env,
    description,
    default: "",
    parse(raw, name) {
      if (raw.length < MIN_TOKEN_SECRET_LENGTH) {
        throw new ConfigError(`${name} must be at least ${MIN_TOKEN_SECRET_LENGTH} characters long`);
      }
      return raw;
    },
  };
}

function positiveNumber(env: string, defaultValue: number, description: string): Setting<number> {
  return {
    env,
    description,
    default: defaultValue,
    parse(raw, name) {
      const value = Number(raw);
      if (!/^\d+(\.\d+)?$/.test(raw) || !(value > 0)) {
        throw new ConfigError(`${name} must be a positive number, got "${raw}"`);
      }
      return value;
    },
  };
}

const HEARTBEAT_INTERVAL_MS = 30_000;

/** The logic service's settings; each names its CHATROOM_… environment variable. */
export const logicConfigSchema = {
  tokenSecret: secret(
    "CHATROOM_TOKEN_SECRET",
    `HMAC secret that signs session tokens (at least ${MIN_TOKEN_SECRET_LENGTH} characters). Required when logic ` +
      "runs on its own; the all-in-one generates one and keeps it in its data directory when unset",
  ),
  sessionTtlMs: setting.int("CHATROOM_SESSION_TTL_MS", 7 * 24 * 3600 * 1000, "How long a login session lasts", {
    min: 60_000,
  }),
  heartbeatIntervalMs: setting.int(
    "CHATROOM_HEARTBEAT_INTERVAL_MS",
    HEARTBEAT_INTERVAL_MS,
    "How often clients must send OP_HEARTBEAT (sent to them in AuthReply)",
    { min: 1000 },
  ),
  presenceTtlMs: setting.int(
    "CHATROOM_PRESENCE_TTL_MS",
    HEARTBEAT_INTERVAL_MS * 3,
    "How long a connection stays online in presence without a heartbeat (keep it ≥ 2× the heartbeat interval)",
    { min: 1000 },
  ),
  maxTextBytes: setting.int("CHATROOM_MAX_TEXT_BYTES", 4096, "Longest chat message, in UTF-8 bytes", {
    min: 1,
    max: 32 * 1024,
  }),
  maxFrameBytes: setting.int(
    "CHATROOM_MAX_FRAME_BYTES",
    DEFAULT_MAX_FRAME_BYTES,
    "Largest frame logic produces (resume batches are split to fit); also bounds goim push bodies",
    { min: 8 * 1024 },
  ),
  httpBodyLimitBytes: setting.int("CHATROOM_HTTP_BODY_LIMIT_BYTES", 64 * 1024, "Largest JSON request body", {
    min: 1024,
  }),
  historyPageDefault: setting.int("CHATROOM_HISTORY_PAGE_DEFAULT", 50, "History page size when none is given", {
    min: 1,
  }),
  historyPageMax: setting.int("CHATROOM_HISTORY_PAGE_MAX", 200, "Largest history page", { min: 1 }),
  resumePageSize: setting.int("CHATROOM_RESUME_PAGE_SIZE", 500, "Messages replayed per room on OP_RESUME", {
    min: 1,
  }),
  sendRateCapacity: setting.int("CHATROOM_SEND_RATE_CAPACITY", 20, "Burst of messages a member may send", {
    min: 1,
  }),
  sendRateRefillPerSecond: positiveNumber(
    "CHATROOM_SEND_RATE_REFILL_PER_SECOND",
    10,
    "Sustained messages per second per member",
  ),
  loginRateCapacity: setting.int("CHATROOM_LOGIN_RATE_CAPACITY", 10, "Burst of login attempts per client IP", {
    min: 1,
  }),
  loginRateRefillPerSecond: positiveNumber(
    "CHATROOM_LOGIN_RATE_REFILL_PER_SECOND",
    0.2,
    "Sustained login attempts per second per client IP",
  ),
  registerRateCapacity: setting.int(
    "CHATROOM_REGISTER_RATE_CAPACITY",
    5,
    "Burst of account registrations per client IP",
    { min: 1 },
  ),
  registerRateRefillPerSecond: positiveNumber(
    "CHATROOM_REGISTER_RATE_REFILL_PER_SECOND",
    5 / 3600,
    "Sustained account registrations per second per client IP (default 5 an hour)",
  ),
  loginAccountRateCapacity: setting.int(
    "CHATROOM_LOGIN_ACCOUNT_RATE_CAPACITY",
    10,
    "Failed login attempts an account absorbs before further logins to it are refused (429) from every IP",
    { min: 1 },
  ),
  loginAccountRateRefillPerSecond: positiveNumber(
    "CHATROOM_LOGIN_ACCOUNT_RATE_REFILL_PER_SECOND",
    1 / 60,
    "Failed login attempts per second an account regains (default 1 a minute)",
  ),
  roomCreateRateCapacity: setting.int(
    "CHATROOM_ROOM_CREATE_RATE_CAPACITY",
    10,
    "Burst of rooms a member may create (public rooms and new direct conversations)",
    { min: 1 },
  ),
  roomCreateRateRefillPerSecond: positiveNumber(
    "CHATROOM_ROOM_CREATE_RATE_REFILL_PER_SECOND",
    10 / 3600,
    "Sustained rooms created per second per member (default 10 an hour)",
  ),
  maxRoomsPerMember: setting.int(
    "CHATROOM_MAX_ROOMS_PER_MEMBER",
    500,
    "Public rooms one member may belong to (direct conversations are limited by the room creation rate)",
    { min: 1 },
  ),
  moderationRateCapacity: setting.int(
    "CHATROOM_MODERATION_RATE_CAPACITY",
    30,
    "Burst of moderation actions (role changes, kicks, bans, mutes, their reversal) one member may take",
    { min: 1 },
  ),
  moderationRateRefillPerSecond: positiveNumber(
    "CHATROOM_MODERATION_RATE_REFILL_PER_SECOND",
    1,
    "Sustained moderation actions per second per member",
  ),
  inviteRateCapacity: setting.int(
    "CHATROOM_INVITE_RATE_CAPACITY",
    20,
    "Burst of invitations to private rooms one member may send (each reaches the invitee at once)",
    { min: 1 },
  ),
  inviteRateRefillPerSecond: positiveNumber(
    "CHATROOM_INVITE_RATE_REFILL_PER_SECOND",
    20 / 3600,
    "Sustained invitations per second per member (default 20 an hour)",
  ),
  lobbyOwners: setting.list(
    "CHATROOM_LOBBY_OWNERS",
    [],
    "Usernames (comma-separated, any case) that own the lobby, the room everyone joins and nobody created: they " +
      "appoint its moderators and may kick, ban and mute there. Applied at start and when they join. Empty: " +
      "nobody moderates the lobby",
  ),
  maxConnectionsPerMember: setting.int(
    "CHATROOM_MAX_CONNECTIONS_PER_MEMBER",
    20,
    "Live WebSocket connections one member may hold across the cluster; one more is refused (close 4029)",
    { min: 1 },
  ),
  onlinePushIntervalMs: setting.int(
    "CHATROOM_ONLINE_PUSH_INTERVAL_MS",
    1000,
    "A room's online count is pushed to its connections when it changes, at most once per this interval",
    { min: 100 },
  ),
  typingIntervalMs: setting.int(
    "CHATROOM_TYPING_INTERVAL_MS",
    3000,
    "A member's typing indicator is published to a room at most once per this interval (more OP_TYPING is ignored)",
    { min: 100 },
  ),
  messageEditWindowMs: setting.int(
    "CHATROOM_MESSAGE_EDIT_WINDOW_MS",
    15 * 60 * 1000,
    "How long after sending a message its author may edit or delete it (owners and moderators may delete any " +
      "message at any time); 0: no limit",
    { min: 0 },
  ),
  readReceiptIntervalMs: setting.int(
    "CHATROOM_READ_RECEIPT_INTERVAL_MS",
    1000,
    "A member's read cursor is published to the room after it moved, at most once per member and room per interval",
    { min: 100 },
  ),
  cacheTtlMs: setting.int(
    "CHATROOM_CACHE_TTL_MS",
    5000,
    "How long logic keeps sessions, members and memberships in memory (revocations and ended memberships are " +
      "invalidated at once across logics; this bounds a lost invalidation); 0 turns the caches off",
    { min: 0 },
  ),
  allowedOrigins: allowedOriginsSetting,
  apiKeys: setting.list(
    "CHATROOM_API_KEYS",
    [],
    "Comma-separated API keys for the goim push API (/goim/*); empty: that API answers 401 to everyone",
  ),
  cookieName: setting.string("CHATROOM_COOKIE_NAME", "chatroom_session", "Name of the session cookie"),
  trustProxy: setting.string(
    "CHATROOM_TRUST_PROXY",
    "false",
    "Proxies whose X-Forwarded-For and X-Forwarded-Proto logic believes (Express 'trust proxy': loopback, " +
      "uniquelocal, CIDRs, a hop count, or false); the client IP keys the per-IP login and registration throttles " +
      "and the scheme decides the Secure cookie, so behind a proxy set it to the proxy's addresses",
  ),
  cookieSecure: setting.oneOf(
    "CHATROOM_COOKIE_SECURE",
    ["auto", "true", "false"],
    "auto",
    "Mark the session cookie Secure: auto does when the request came over TLS (directly, or X-Forwarded-Proto " +
      "https from a trusted proxy)",
  ),
  goimHttpListen: listenAddressSetting(
    "CHATROOM_GOIM_HTTP_LISTEN",
    "goim compatibility (docs/goim-compat.md): host:port of a separate HTTP listener serving goim's push and " +
      "online API (/goim/*) in goim's response mode and without an API key. Empty: none. Only the internal network " +
      "may reach it",
  ),
  goimVerifier: setting.oneOf(
    "CHATROOM_GOIM_VERIFIER",
    ["session", "hmac"] as const,
    "session",
    "How a goim connection's key is verified where mid is not trusted: session (a chatroom session token) or hmac " +
      "(a credential the backend signed with CHATROOM_GOIM_HMAC_SECRET)",
  ),
  goimHmacSecret: secret(
    "CHATROOM_GOIM_HMAC_SECRET",
    `Secret of the hmac goim verifier (at least ${MIN_TOKEN_SECRET_LENGTH} characters), shared with the backend ` +
      "that issues credentials",
  ),
};

export type LogicConfig = ConfigOf<typeof logicConfigSchema>;

/** Largest goim push body: a frame body that still fits in one frame. */
export function maxPushBodyBytes(config: LogicConfig): number {
  return config.maxFrameBytes - HEADER_LENGTH;
}

export function loadLogicConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<LogicConfig> = {},
): LogicConfig {
  const config = loadConfig(logicConfigSchema, env, overrides);
  validateLogicConfig(config);
  return config;
}

/** Cross-setting checks; also run by createLogic since overrides bypass the parsers. */
export function validateLogicConfig(config: LogicConfig): void {
  if (config.tokenSecret.length < MIN_TOKEN_SECRET_LENGTH) {
    throw new ConfigError(
      `CHATROOM_TOKEN_SECRET must be set to at least ${MIN_TOKEN_SECRET_LENGTH} characters` +
        (config.tokenSecret === "" ? " (it is empty)" : ""),
    );
  }
  if (config.historyPageDefault > config.historyPageMax) {
    throw new ConfigError("CHATROOM_HISTORY_PAGE_DEFAULT must not exceed CHATROOM_HISTORY_PAGE_MAX");
  }
  if (config.presenceTtlMs < config.heartbeatIntervalMs) {
    throw new ConfigError("CHATROOM_PRESENCE_TTL_MS must be at least CHATROOM_HEARTBEAT_INTERVAL_MS");
  }
  if (config.goimVerifier === "hmac" && config.goimHmacSecret.length < MIN_TOKEN_SECRET_LENGTH) {
    throw new ConfigError(
      `CHATROOM_GOIM_VERIFIER=hmac needs CHATROOM_GOIM_HMAC_SECRET of at least ${MIN_TOKEN_SECRET_LENGTH} characters`,
    );
  }
}
