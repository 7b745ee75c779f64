import { redisScript } from "../redis-call.ts";

// The Lua side of RedisPresence; the key layout is documented in redis-presence.ts. Every script gets
// KEYS[1] = `{ns}conns` (routing only) and ARGV[1] = the namespace `{ns}` = `{prefix}presence:`; the other key
// names are built here from the namespace. Time is the Redis server's (TIME), read once per script.

/** Shared by every script: the clock, key names and reading one connection's hash. */
const PRELUDE = `
local P = ARGV[1]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function ms(n) return string.format('%.0f', n) end
-- Lower bound of a live score (exclusive): an entry whose expiry has come is gone.
local LIVE = '(' .. ms(now)
local CONNS, MEMBERS, SERVERS, ROOMS = P .. 'conns', P .. 'members', P .. 'servers', P .. 'rooms'
local function connKey(k) return P .. 'conn:' .. k end
local function memberKey(m) return P .. 'member:' .. m end
local function serverKey(s) return P .. 'server:' .. s end
local function roomServerKey(r, s) return P .. 'room:' .. r .. ':server:' .. s end
local function roomServersKey(r) return P .. 'room:' .. r .. ':servers' end
local function roomMembersKey(r) return P .. 'room:' .. r .. ':members' end

local function load(k)
  local fields = redis.call('HGETALL', connKey(k))
  if #fields == 0 then return nil end
  local c = { key = k, rooms = {}, expires = 0 }
  for i = 1, #fields, 2 do
    local f, v = fields[i], fields[i + 1]
    if f == 'member' then c.member = v
    elseif f == 'server' then c.server = v
    elseif f == 'expires' then c.expires = tonumber(v)
    elseif string.sub(f, 1, 5) == 'room:' then c.rooms[#c.rooms + 1] = string.sub(f, 6) end
  end
  return c
end
local function complete(c) return c ~= nil and c.member ~= nil and c.server ~= nil end
local function live(c) return complete(c) and c.expires > now end
local function reply(c) return { c.key, c.member, c.server, c.rooms } end
local function indexOf(list, value)
  for i, v in ipairs(list) do if v == value then return i end end
  return nil
end
`;

/** Index maintenance shared by the writing scripts. */
const INDEXING = `
-- Drops a sorted set's expired entries and keeps the key alive exactly as long as its latest entry; returns that
-- expiry, or nil when nothing live is left (Redis then deletes the empty key).
local function settle(key)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ms(now))
  local top = redis.call('ZRANGE', key, '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, 1, 'WITHSCORES')
  if top[2] == nil then return nil end
  local at = tonumber(top[2])
  redis.call('PEXPIREAT', key, ms(at))
  return at
end
-- Sets the entry's expiry (or removes it when at is nil), then settles the key.
local function score(key, member, at)
  if at then redis.call('ZADD', key, ms(at), member) else redis.call('ZREM', key, member) end
  return settle(key)
end
-- The latest expiry among member m's live connections subscribed to room r.
local function memberRoomExpiry(m, r)
  local best = nil
  local entries = redis.call('ZRANGE', memberKey(m), LIVE, '+inf', 'BYSCORE', 'WITHSCORES')
  for i = 1, #entries, 2 do
    if redis.call('HEXISTS', connKey(entries[i]), 'room:' .. r) == 1 then
      local at = tonumber(entries[i + 1])
      if best == nil or at > best then best = at end
    end
  end
  return best
end
-- Room r's indexes after connection k (member m, comet s) got subscribed until at, or unsubscribed (nil).
-- k's hash and member:m must already be up to date.
local function syncRoom(k, m, s, r, at)
  score(roomServersKey(r), s, score(roomServerKey(r, s), k, at))
  score(ROOMS, r, score(roomMembersKey(r), m, memberRoomExpiry(m, r)))
end
-- Every index of connection k: live until at, or removed (nil).
local function sync(k, m, s, rooms, at)
  score(CONNS, k, at)
  score(MEMBERS, m, score(memberKey(m), k, at))
  score(SERVERS, s, score(serverKey(s), k, at))
  for _, r in ipairs(rooms) do syncRoom(k, m, s, r, at) end
end
-- HSET in chunks: unpack() is limited to a few thousand values.
local function hset(key, fields)
  for i = 1, #fields, 200 do redis.call('HSET', key, unpack(fields, i, math.min(i + 199, #fields))) end
end
`;

const writer = (label: string, body: string) => redisScript(`presence_${label}`, PRELUDE + INDEXING + body, 1);
const reader = (label: string, body: string) => redisScript(`presence_${label}`, PRELUDE + body, 1);

/** ARGV: ns, key, member, server, ttlMs, rooms… */
export const UPSERT = writer(
  "upsert",
  `
local k, m, s = ARGV[2], ARGV[3], ARGV[4]
local at = now + tonumber(ARGV[5])
local old = load(k)
-- An expired leftover is unindexed too: its entries are dead already, this only frees them sooner.
if complete(old) then sync(k, old.member, old.server, old.rooms, nil) end
redis.call('DEL', connKey(k))
local fields, rooms = { 'member', m, 'server', s, 'expires', ms(at) }, {}
for i = 6, #ARGV do
  rooms[#rooms + 1] = ARGV[i]
  fields[#fields + 1] = 'room:' .. ARGV[i]
  fields[#fields + 1] = '1'
end
hset(connKey(k), fields)
redis.call('PEXPIREAT', connKey(k), ms(at))
sync(k, m, s, rooms, at)
return 1
`,
);

/** ARGV: ns, key, ttlMs → 1 renewed, 0 unknown. */
export const RENEW = writer(
  "renew",
  `
local c = load(ARGV[2])
if not live(c) then return 0 end
local at = now + tonumber(ARGV[3])
redis.call('HSET', connKey(c.key), 'expires', ms(at))
redis.call('PEXPIREAT', connKey(c.key), ms(at))
sync(c.key, c.member, c.server, c.rooms, at)
return 1
`,
);

/** ARGV: ns, key → 1 removed, 0 unknown. */
export const REMOVE = writer(
  "remove",
  `
local c = load(ARGV[2])
if c == nil then return 0 end
if complete(c) then sync(c.key, c.member, c.server, c.rooms, nil) end
redis.call('DEL', connKey(c.key))
if live(c) then return 1 end
return 0
`,
);

/** ARGV: ns, key, replace (1|0), joinCount, joins…, leaves… → 1 changed, 0 unknown. Leaves apply first. */
export const UPDATE_ROOMS = writer(
  "update_rooms",
  `
local c = load(ARGV[2])
if not live(c) then return 0 end
local joinCount = tonumber(ARGV[4])
local joins, target, subscribed, leaves = {}, {}, {}, {}
for i = 5, 4 + joinCount do
  joins[#joins + 1] = ARGV[i]
  target[ARGV[i]] = true
end
for _, r in ipairs(c.rooms) do subscribed[r] = true end
if ARGV[3] == '1' then
  for _, r in ipairs(c.rooms) do if not target[r] then leaves[#leaves + 1] = r end end
else
  for i = 5 + joinCount, #ARGV do leaves[#leaves + 1] = ARGV[i] end
end
for _, r in ipairs(leaves) do
  if subscribed[r] then
    subscribed[r] = nil
    redis.call('HDEL', connKey(c.key), 'room:' .. r)
    syncRoom(c.key, c.member, c.server, r, nil)
  end
end
for _, r in ipairs(joins) do
  if not subscribed[r] then
    subscribed[r] = true
    redis.call('HSET', connKey(c.key), 'room:' .. r, '1')
    syncRoom(c.key, c.member, c.server, r, c.expires)
  end
end
return 1
`,
);

/** ARGV: ns, member, room, join (1|0) → the connections changed, as [key, member, server, rooms]. */
export const MEMBER_ROOM = writer(
  "member_room",
  `
local m, r, join = ARGV[2], ARGV[3], ARGV[4] == '1'
local changed = {}
for _, k in ipairs(redis.call('ZRANGE', memberKey(m), LIVE, '+inf', 'BYSCORE')) do
  local c = load(k)
  if live(c) and c.member == m then
    local at = indexOf(c.rooms, r)
    if join and at == nil then
      redis.call('HSET', connKey(k), 'room:' .. r, '1')
      syncRoom(k, m, c.server, r, c.expires)
      c.rooms[#c.rooms + 1] = r
      changed[#changed + 1] = reply(c)
    elseif not join and at ~= nil then
      redis.call('HDEL', connKey(k), 'room:' .. r)
      syncRoom(k, m, c.server, r, nil)
      table.remove(c.rooms, at)
      changed[#changed + 1] = reply(c)
    end
  end
end
return changed
`,
);

/** ARGV: ns, key → [key, member, server, rooms] or nil. */
export const GET = reader(
  "get",
  `
local c = load(ARGV[2])
if live(c) then return reply(c) end
return false
`,
);

/** ARGV: ns, member → the member's live connections. */
export const LOCATE_MEMBER = reader(
  "locate_member",
  `
local found = {}
for _, k in ipairs(redis.call('ZRANGE', memberKey(ARGV[2]), LIVE, '+inf', 'BYSCORE')) do
  local c = load(k)
  if live(c) and c.member == ARGV[2] then found[#found + 1] = reply(c) end
end
return found
`,
);

/** ARGV: ns, room → comet ids. */
export const SERVERS_OF_ROOM = reader(
  "servers_of_room",
  "return redis.call('ZRANGE', roomServersKey(ARGV[2]), LIVE, '+inf', 'BYSCORE')",
);

/** ARGV: ns, room → distinct online members. */
export const ONLINE_COUNT = reader(
  "online_count",
  "return redis.call('ZCOUNT', roomMembersKey(ARGV[2]), LIVE, '+inf')",
);

/** ARGV: ns, room, limit → member ids ascending. */
export const ONLINE_MEMBERS = reader(
  "online_members",
  `
local ids = redis.call('ZRANGE', roomMembersKey(ARGV[2]), LIVE, '+inf', 'BYSCORE')
for i, id in ipairs(ids) do ids[i] = tonumber(id) end
table.sort(ids)
local out = {}
for i = 1, math.min(#ids, tonumber(ARGV[3])) do out[i] = ids[i] end
return out
`,
);

/** ARGV: ns → room ids with at least one online member. */
export const LIVE_ROOMS = reader("live_rooms", "return redis.call('ZRANGE', ROOMS, LIVE, '+inf', 'BYSCORE')");

/** ARGV: ns → [connections, members, servers]. */
export const TOTALS = reader(
  "totals",
  `
return {
  redis.call('ZCOUNT', CONNS, LIVE, '+inf'),
  redis.call('ZCOUNT', MEMBERS, LIVE, '+inf'),
  redis.call('ZCOUNT', SERVERS, LIVE, '+inf'),
}
`,
);

export const PRESENCE_SCRIPTS = [
  UPSERT,
  RENEW,
  REMOVE,
  UPDATE_ROOMS,
  MEMBER_ROOM,
  GET,
  LOCATE_MEMBER,
  SERVERS_OF_ROOM,
  ONLINE_COUNT,
  ONLINE_MEMBERS,
  LIVE_ROOMS,
  TOTALS,
];
