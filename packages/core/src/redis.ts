// @chatroom/core/redis: the Redis implementations of the seams (kept out of the main entry so that importing
// @chatroom/core never loads ioredis).
export { RedisCometRegistry, type RedisCometRegistryOptions } from "./comet-registry/redis-comet-registry.ts";
export {
  RedisInvalidationBus,
  type RedisInvalidationBusOptions,
} from "./invalidation/redis-invalidation-bus.ts";
export { RedisPresence, type RedisPresenceOptions } from "./presence/redis-presence.ts";
export { RedisRateLimiter, type RedisRateLimiterOptions } from "./rate-limit/redis-rate-limiter.ts";
export { redisFailure } from "./redis-call.ts";
export { connectRedis, type RedisConnectOptions } from "./redis-connect.ts";
export { DEFAULT_REDIS_PREFIX, unlinkPrefix } from "./redis-keyspace.ts";
