import type { Presence, PushBus, RateLimiter, Stores } from "@chatroom/core";
import { Authenticator } from "../auth/authenticator.ts";
import { SessionTokens } from "../auth/session-token.ts";
import type { LogicConfig } from "../config.ts";
import { type GoimVerifier, hmacVerifier, sessionVerifier } from "../goim/goim-verifier.ts";
import type { LogicLogger } from "../logger.ts";
import { instrumentRateLimiter } from "../metrics/instrument-rate-limiter.ts";
import { instrumentStores } from "../metrics/instrument-stores.ts";
import type { LogicMetrics } from "../metrics/logic-metrics.ts";
import { AccountService } from "./accounts.ts";
import { MessageService } from "./messages.ts";
import { OnlineNotifier } from "./online-notifier.ts";
import { Publisher } from "./publisher.ts";
import { ResumeService } from "./resume.ts";
import { RoomService } from "./rooms.ts";

export interface LogicDeps {
  stores: Stores;
  presence: Presence;
  bus: PushBus;
  rateLimiter: RateLimiter;
  config: LogicConfig;
  logger?: LogicLogger;
  /** Where logic records its metrics (none when absent). */
  metrics?: LogicMetrics;
  /** Milliseconds since the epoch; tests may move time. */
  now?: () => number;
  /** Checks goim's `key` on goim connections that are not trusted (default: CHATROOM_GOIM_VERIFIER's choice). */
  goimVerifier?: GoimVerifier;
}

/** Everything the two edges (LogicApi for comets, the HTTP API) share, wired once. */
export interface LogicServices {
  config: LogicConfig;
  stores: Stores;
  presence: Presence;
  logger: LogicLogger;
  metrics: LogicMetrics | undefined;
  now: () => number;
  tokens: SessionTokens;
  authenticator: Authenticator;
  publisher: Publisher;
  online: OnlineNotifier;
  accounts: AccountService;
  rooms: RoomService;
  messages: MessageService;
  resume: ResumeService;
  goimVerifier: GoimVerifier;
}

export function createLogicServices(deps: LogicDeps, logger: LogicLogger): LogicServices {
  const { config, presence, metrics } = deps;
  const stores = metrics ? instrumentStores(deps.stores, metrics) : deps.stores;
  const rateLimiter = metrics ? instrumentRateLimiter(deps.rateLimiter, metrics) : deps.rateLimiter;
  const now = deps.now ?? Date.now;
  const tokens = new SessionTokens(config.tokenSecret);
  const publisher = new Publisher(deps.bus, now, metrics);
  const online = new OnlineNotifier({ presence, publisher, intervalMs: config.onlinePushIntervalMs, logger });
  const rooms = new RoomService({
    stores,
    presence,
    publisher,
    online,
    rateLimiter,
    createRate: { capacity: config.roomCreateRateCapacity, refillPerSecond: config.roomCreateRateRefillPerSecond },
    maxRoomsPerMember: config.maxRoomsPerMember,
    now,
  });
  const authenticator = new Authenticator(tokens, stores.sessions, now);
  return {
    config,
    stores,
    presence,
    logger,
    metrics,
    now,
    tokens,
    authenticator,
    publisher,
    online,
    rooms,
    accounts: new AccountService({
      stores,
      publisher,
      rooms,
      tokens,
      rateLimiter,
      loginRate: { capacity: config.loginRateCapacity, refillPerSecond: config.loginRateRefillPerSecond },
      loginAccountRate: {
        capacity: config.loginAccountRateCapacity,
        refillPerSecond: config.loginAccountRateRefillPerSecond,
      },
      registerRate: { capacity: config.registerRateCapacity, refillPerSecond: config.registerRateRefillPerSecond },
      sessionTtlMs: config.sessionTtlMs,
      now,
      logger,
    }),
    messages: new MessageService({
      stores,
      rooms,
      publisher,
      rateLimiter,
      sendRate: { capacity: config.sendRateCapacity, refillPerSecond: config.sendRateRefillPerSecond },
      maxTextBytes: config.maxTextBytes,
      historyPageDefault: config.historyPageDefault,
      historyPageMax: config.historyPageMax,
      now,
      logger,
      metrics,
    }),
    resume: new ResumeService({ stores, rooms, resumePageSize: config.resumePageSize }),
    goimVerifier:
      deps.goimVerifier ??
      (config.goimVerifier === "hmac" ? hmacVerifier(config.goimHmacSecret, now) : sessionVerifier(authenticator)),
  };
}
