import type { Redis } from "ioredis";
import { redisCall } from "./redis-call.ts";

/** The default key prefix of every Redis implementation. */
export const DEFAULT_REDIS_PREFIX = "chatroom:";

/**
 * Deletes every key that starts with `prefix` (SCAN + UNLINK, never FLUSHDB), e.g. a test's namespace or the
 * presence of a cluster being reset; returns how many were deleted.
 */
export async function unlinkPrefix(redis: Redis, prefix: string): Promise<number> {
  if (prefix === "") throw new RangeError("unlinkPrefix needs a non-empty prefix");
  const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redisCall("unlink prefix", () => redis.scan(cursor, "MATCH", pattern, "COUNT", 500));
    cursor = next;
    if (keys.length > 0) deleted += await redisCall("unlink prefix", () => redis.unlink(...keys));
  } while (cursor !== "0");
  return deleted;
}
