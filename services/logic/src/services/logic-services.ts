import {
  type InvalidationBus,
  type Logger,
  MemoryInvalidationBus,
  type Presence,
  type PushBus,
  type RateLimiter,
  type Stores,
} from "@chatroom/core";
import { Authenticator } from "../auth/authenticator.ts";
import { SessionTokens } from "../auth/session-token.ts";
import { CACHE_MAX_ENTRIES, cachedStores } from "../cache/cached-stores.ts";
import { MembershipCache } from "../cache/membership-cache.ts";
import type { LogicConfig } from "../config.ts";
import { type GoimVerifier, hmacVerifier, sessionVerifier } from "../goim/goim-verifier.ts";
import { instrumentRateLimiter } from "../metrics/instrument-rate-limiter.ts";
import { instrumentStores } from "../metrics/instrument-stores.ts";
import type { LogicMetrics } from "../metrics/logic-metrics.ts";
import { AccountService } from "./accounts.ts";
import { LobbyOwners } from "./lobby-owners.ts";
import { MessageService } from "./messages.ts";
import { ModerationService } from "./moderation.ts";
import { ModerationLists } from "./moderation-lists.ts";
import { onlineNotifier } from "./online-notifier.ts";
import { Publisher } from "./publisher.ts";
import type { PushCoalescer } from "./push-coalescer.ts";
import { ResumeService } from "./resume.ts";
import { RevisionService } from "./revisions.ts";
import { RoomSignals } from "./room-signals.ts";
import { RoomService } from "./rooms.ts";

export interface LogicDeps {
  stores: Stores;
  /**
   * Shared by every logic process (Redis when distributed) so that a revocation or an ended membership reaches
   * all their caches; default: this process only (right for the embedded default and for a lone logic).
   */
  invalidation?: InvalidationBus;
  presence: Presence;
  bus: PushBus;
  rateLimiter: RateLimiter;
  config: LogicConfig;
  logger?: Logger;
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
  logger: Logger;
  metrics: LogicMetrics | undefined;
  now: () => number;
  tokens: SessionTokens;
  authenticator: Authenticator;
  publisher: Publisher;
  online: PushCoalescer;
  signals: RoomSignals;
  memberships: MembershipCache;
  accounts: AccountService;
  rooms: RoomService;
  moderation: ModerationService;
  moderationLists: ModerationLists;
  messages: MessageService;
  revisions: RevisionService;
  resume: ResumeService;
  goimVerifier: GoimVerifier;
}

export function createLogicServices(deps: LogicDeps, logger: Logger): LogicServices {
  const { config, presence, metrics } = deps;
  const invalidation = deps.invalidation ?? new MemoryInvalidationBus();
  const stores = cachedStores(
    metrics ? instrumentStores(deps.stores, metrics) : deps.stores,
    invalidation,
    config.cacheTtlMs,
  );
  const memberships = new MembershipCache(invalidation, { ttlMs: config.cacheTtlMs, maxEntries: CACHE_MAX_ENTRIES });
  const rateLimiter = metrics ? instrumentRateLimiter(deps.rateLimiter, metrics) : deps.rateLimiter;
  const now = deps.now ?? Date.now;
  const tokens = new SessionTokens(config.tokenSecret);
  const publisher = new Publisher(deps.bus, now, metrics);
  const online = onlineNotifier({ presence, publisher, intervalMs: config.onlinePushIntervalMs, logger });
  const rooms = new RoomService({
    stores,
    presence,
    publisher,
    online,
    memberships,
    rateLimiter,
    createRate: { capacity: config.roomCreateRateCapacity, refillPerSecond: config.roomCreateRateRefillPerSecond },
    maxRoomsPerMember: config.maxRoomsPerMember,
    lobbyOwners: new LobbyOwners(config.lobbyOwners),
    now,
  });
  const moderation = new ModerationService({
    stores,
    presence,
    publisher,
    online,
    memberships,
    rooms,
    rateLimiter,
    moderateRate: { capacity: config.moderationRateCapacity, refillPerSecond: config.moderationRateRefillPerSecond },
    inviteRate: { capacity: config.inviteRateCapacity, refillPerSecond: config.inviteRateRefillPerSecond },
    now,
  });
  const signals = new RoomSignals({
    presence,
    publisher,
    rooms,
    rateLimiter,
    members: stores.members,
    typingIntervalMs: config.typingIntervalMs,
    readReceiptIntervalMs: config.readReceiptIntervalMs,
    logger,
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
    signals,
    memberships,
    rooms,
    moderation,
    moderationLists: new ModerationLists({ stores, moderation, now }),
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
      readMoved: (memberId, roomId) => signals.readMoved(memberId, roomId),
      now,
      logger,
      metrics,
    }),
    revisions: new RevisionService({
      stores,
      rooms,
      publisher,
      rateLimiter,
      sendRate: { capacity: config.sendRateCapacity, refillPerSecond: config.sendRateRefillPerSecond },
      maxTextBytes: config.maxTextBytes,
      editWindowMs: config.messageEditWindowMs,
      now,
      logger,
    }),
    resume: new ResumeService({ stores, rooms, resumePageSize: config.resumePageSize }),
    goimVerifier:
      deps.goimVerifier ??
      (config.goimVerifier === "hmac" ? hmacVerifier(config.goimHmacSecret, now) : sessionVerifier(authenticator)),
  };
}
