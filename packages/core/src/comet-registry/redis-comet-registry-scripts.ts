import { redisScript } from "../redis-call.ts";

// The Lua side of RedisCometRegistry (layout in redis-comet-registry.ts). KEYS[1] = the info hash, KEYS[2] = the
// expiry zset; time is the Redis server's (TIME).
const PRELUDE = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function ms(n) return string.format('%.0f', n) end
-- Forgets the comets whose expiry has come; returns how many.
local function purge()
  local expired = redis.call('ZRANGE', KEYS[2], '-inf', ms(now), 'BYSCORE')
  for _, id in ipairs(expired) do redis.call('HDEL', KEYS[1], id) end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ms(now))
  return #expired
end
-- Both keys live exactly as long as the latest registration.
local function settle()
  local top = redis.call('ZRANGE', KEYS[2], '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, 1, 'WITHSCORES')
  if top[2] == nil then
    redis.call('DEL', KEYS[1], KEYS[2])
  else
    redis.call('PEXPIREAT', KEYS[1], top[2])
    redis.call('PEXPIREAT', KEYS[2], top[2])
  end
end
`;

/** ARGV: id, info JSON, ttlMs, channel → 1 when the live set changed (then published on the channel). */
export const REGISTER = redisScript(
  "comets_register",
  `${PRELUDE}
local expired = purge()
local old = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ms(now + tonumber(ARGV[3])), ARGV[1])
settle()
if expired > 0 or old ~= ARGV[2] then
  redis.call('PUBLISH', ARGV[4], ARGV[1])
  return 1
end
return 0
`,
  2,
);

/** ARGV: id, channel → 1 when the live set changed (then published on the channel). */
export const DEREGISTER = redisScript(
  "comets_deregister",
  `${PRELUDE}
local expired = purge()
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
settle()
if expired > 0 or removed > 0 then
  redis.call('PUBLISH', ARGV[2], ARGV[1])
  return 1
end
return 0
`,
  2,
);

/** → { ms until the earliest live registration expires (-1: none), {info JSON…} }. */
export const LIST = redisScript(
  "comets_list",
  `${PRELUDE}
local entries = redis.call('ZRANGE', KEYS[2], '(' .. ms(now), '+inf', 'BYSCORE', 'WITHSCORES')
local infos, next = {}, -1
for i = 1, #entries, 2 do
  local info = redis.call('HGET', KEYS[1], entries[i])
  if info then infos[#infos + 1] = info end
  if next < 0 then next = tonumber(entries[i + 1]) - now end
end
return { next, infos }
`,
  2,
);

export const COMET_REGISTRY_SCRIPTS = [REGISTER, DEREGISTER, LIST];
