import type { Redis } from "ioredis";
import { ChatError } from "../errors.ts";
import { defineScripts, execPipeline, queueScript, type RedisScript, redisCall, runScript } from "../redis-call.ts";
import { connectRedis } from "../redis-connect.ts";
import { DEFAULT_REDIS_PREFIX } from "../redis-keyspace.ts";
import type { Connection, Presence, RoomChange } from "./presence.ts";
import {
  GET,
  LIVE_ROOMS,
  LOCATE_MEMBER,
  MEMBER_ROOM,
  ONLINE_COUNT,
  ONLINE_MEMBERS,
  PRESENCE_SCRIPTS,
  REMOVE,
  RENEW,
  SERVERS_OF_ROOM,
  TOTALS,
  UPDATE_ROOMS,
  UPSERT,
} from "./redis-presence-scripts.ts";

export interface RedisPresenceOptions {
  /** A shared client (left open by close()), or a URL to connect to (that client is closed by close()). */
  redis: Redis | string;
  /** Key prefix (default "chatroom:"); keys live under `{prefix}presence:`. */
  prefix?: string;
}

/** Rooms counted per pipeline by topRooms. */
const TOP_ROOMS_CHUNK = 500;

/**
 * Presence in Redis, shared by every logic and job process.
 *
 * Key layout under ns = `{prefix}presence:` (every sorted-set score is an expiry, in ms of the Redis server clock):
 * - `{ns}conn:{key}` hash: member, server, expires, and a field `room:{id}` per subscribed room; PEXPIREAT expires.
 * - `{ns}member:{memberId}` zset: connection key → expiry.
 * - `{ns}server:{comet}` zset: connection key → expiry.
 * - `{ns}room:{room}:server:{comet}` zset: key of a connection of that comet subscribed to the room → expiry.
 * - `{ns}room:{room}:servers` zset: comet → latest expiry among its connections in the room (serversOfRoom).
 * - `{ns}room:{room}:members` zset: member → latest expiry among its connections in the room (online counts).
 * - `{ns}conns`, `{ns}members`, `{ns}servers` zsets: connection / member / comet → latest expiry (totals).
 * - `{ns}rooms` zset: room → latest expiry in `room:{room}:members` (topRooms).
 * - `{ns}window:{key}` string with a PX expiry: a push window is claimed (claimPushWindow).
 *
 * An entry is live while its score is above the server's current time; every read filters on that, so a connection
 * disappears from every lookup the moment its TTL ends, although no event removes it. Each write runs in one Lua
 * script (atomic, server clock via TIME, so processes with skewed clocks agree) that keeps every aggregate score
 * equal to the maximum of the entries below it, trims the expired entries of each sorted set it touches and sets
 * the set's key to expire with its latest entry: dead entries never outlive a TTL in memory. Room ids are assumed
 * to be core room ids (no ':' except in `dm:<a>:<b>`), which keeps `room:{room}:…` names unambiguous.
 * After Redis loses its data, lookups are empty until the comets' heartbeats upsert their connections again.
 */
export class RedisPresence implements Presence {
  readonly #redis: Redis;
  readonly #owned: boolean;
  readonly #ns: string;
  #closed = false;

  constructor(options: RedisPresenceOptions) {
    this.#owned = typeof options.redis === "string";
    this.#redis =
      typeof options.redis === "string"
        ? connectRedis(options.redis, { connectionName: "chatroom-presence" })
        : options.redis;
    this.#ns = `${options.prefix ?? DEFAULT_REDIS_PREFIX}presence:`;
    defineScripts(this.#redis, PRESENCE_SCRIPTS);
  }

  async upsert(connection: Connection, ttlMs: number): Promise<void> {
    const rooms = [...new Set(connection.rooms)];
    await this.#run("upsert", UPSERT, [
      connection.key,
      memberArg(connection.memberId),
      connection.server,
      ttlArg(ttlMs),
      ...rooms,
    ]);
  }

  async renew(key: string, ttlMs: number): Promise<boolean> {
    return (await this.#run("renew", RENEW, [key, ttlArg(ttlMs)])) === 1;
  }

  async remove(key: string): Promise<boolean> {
    return (await this.#run("remove", REMOVE, [key])) === 1;
  }

  async get(key: string): Promise<Connection | null> {
    const reply = await this.#run("get", GET, [key]);
    return reply === null ? null : toConnection(reply);
  }

  async updateRooms(key: string, change: RoomChange): Promise<boolean> {
    const join = [...new Set(change.join ?? [])];
    const leave = change.replace ? [] : [...new Set(change.leave ?? [])];
    const reply = await this.#run("update rooms", UPDATE_ROOMS, [
      key,
      change.replace ? 1 : 0,
      join.length,
      ...join,
      ...leave,
    ]);
    return reply === 1;
  }

  async joinRoom(memberId: number, roomId: string): Promise<Connection[]> {
    return toConnections(await this.#run("join room", MEMBER_ROOM, [memberArg(memberId), roomId, 1]));
  }

  async leaveRoom(memberId: number, roomId: string): Promise<Connection[]> {
    return toConnections(await this.#run("leave room", MEMBER_ROOM, [memberArg(memberId), roomId, 0]));
  }

  async locateKeys(keys: readonly string[]): Promise<Connection[]> {
    const replies = await this.#runEach(
      "locate keys",
      GET,
      [...new Set(keys)].map((key) => [key]),
    );
    return replies.filter((reply) => reply !== null).map(toConnection);
  }

  async locateMembers(memberIds: readonly number[]): Promise<Connection[]> {
    const replies = await this.#runEach(
      "locate members",
      LOCATE_MEMBER,
      [...new Set(memberIds)].map((id) => [memberArg(id)]),
    );
    return replies.flatMap(toConnections);
  }

  async serversOfRoom(roomId: string): Promise<string[]> {
    return toStrings(await this.#run("servers of room", SERVERS_OF_ROOM, [roomId]));
  }

  async onlineCounts(roomIds: readonly string[]): Promise<Map<string, number>> {
    const unique = [...new Set(roomIds)];
    const counts = await this.#runEach(
      "online counts",
      ONLINE_COUNT,
      unique.map((room) => [room]),
    );
    const byRoom = new Map(unique.map((room, i) => [room, Number(counts[i])]));
    return new Map(roomIds.map((room) => [room, byRoom.get(room) ?? 0]));
  }

  async onlineMembers(roomId: string, limit: number): Promise<number[]> {
    const reply = await this.#run("online members", ONLINE_MEMBERS, [roomId, Math.max(0, Math.floor(limit))]);
    return toStrings(reply).map(Number);
  }

  /** Counts every room with an online member, in pipelined chunks so Redis is never blocked for long. */
  async topRooms(limit: number): Promise<Array<{ roomId: string; count: number }>> {
    const rooms = toStrings(await this.#run("top rooms", LIVE_ROOMS, []));
    if (limit <= 0) return [];
    const ranked: Array<{ roomId: string; count: number }> = [];
    for (let i = 0; i < rooms.length; i += TOP_ROOMS_CHUNK) {
      const chunk = rooms.slice(i, i + TOP_ROOMS_CHUNK);
      const counts = await this.#runEach(
        "top rooms",
        ONLINE_COUNT,
        chunk.map((room) => [room]),
      );
      chunk.forEach((roomId, j) => {
        const count = Number(counts[j]);
        if (count > 0) ranked.push({ roomId, count });
      });
    }
    ranked.sort((a, b) => b.count - a.count || (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0));
    return ranked.slice(0, limit);
  }

  async totals(): Promise<{ connections: number; members: number; servers: number }> {
    const [connections, members, servers] = toStrings(await this.#run("totals", TOTALS, [])).map(Number);
    return { connections: connections ?? 0, members: members ?? 0, servers: servers ?? 0 };
  }

  /** `SET {ns}window:{key} 1 NX PX windowMs` per key, pipelined: the first caller in a window wins. */
  async claimPushWindow(keys: readonly string[], windowMs: number): Promise<string[]> {
    this.#open();
    const unique = [...new Set(keys)];
    if (unique.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const key of unique) pipeline.set(`${this.#ns}window:${key}`, "1", "PX", ttlArg(windowMs), "NX");
    const replies = await execPipeline(pipeline, "presence claim push window");
    return unique.filter((_, i) => replies[i] === "OK");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  #run(what: string, script: RedisScript, args: ReadonlyArray<string | number>): Promise<unknown> {
    this.#open();
    return redisCall(`presence ${what}`, () => runScript(this.#redis, script, [`${this.#ns}conns`, this.#ns, ...args]));
  }

  /** One script call per argument list, in one pipeline (one round trip). */
  async #runEach(
    what: string,
    script: RedisScript,
    argLists: ReadonlyArray<ReadonlyArray<string | number>>,
  ): Promise<unknown[]> {
    this.#open();
    if (argLists.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const args of argLists) queueScript(pipeline, script, [`${this.#ns}conns`, this.#ns, ...args]);
    return execPipeline(pipeline, `presence ${what}`);
  }

  #open(): void {
    if (this.#closed) throw new ChatError("unavailable", "presence is closed");
  }
}

function memberArg(memberId: number): string {
  if (!Number.isSafeInteger(memberId)) throw new ChatError("bad_request", `member id ${memberId} is not an integer`);
  return String(memberId);
}

function ttlArg(ttlMs: number): number {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new ChatError("bad_request", `ttl ${ttlMs} is not positive`);
  return Math.ceil(ttlMs);
}

function toStrings(reply: unknown): string[] {
  if (!Array.isArray(reply)) throw new ChatError("internal", "unexpected presence reply from Redis");
  return reply.map(String);
}

function toConnections(reply: unknown): Connection[] {
  if (!Array.isArray(reply)) throw new ChatError("internal", "unexpected presence reply from Redis");
  return reply.map(toConnection);
}

function toConnection(reply: unknown): Connection {
  if (!Array.isArray(reply) || reply.length !== 4 || !Array.isArray(reply[3])) {
    throw new ChatError("internal", "unexpected connection reply from Redis");
  }
  const [key, memberId, server, rooms] = reply as [unknown, unknown, unknown, unknown[]];
  return { key: String(key), memberId: Number(memberId), server: String(server), rooms: rooms.map(String).sort() };
}
