import type { Redis } from "ioredis";
import { ChatError } from "../errors.ts";
import type { Closable } from "../lifecycle.ts";
import { defineScripts, redisCall, runScript } from "../redis-call.ts";
import { connectRedis } from "../redis-connect.ts";
import { DEFAULT_REDIS_PREFIX } from "../redis-keyspace.ts";
import type { CometInfo, CometRegistry } from "./comet-registry.ts";
import { COMET_REGISTRY_SCRIPTS, DEREGISTER, LIST, REGISTER } from "./redis-comet-registry-scripts.ts";

export interface RedisCometRegistryOptions {
  /** A shared client (left open by close()), or a URL to connect to (that client is closed by close()). */
  redis: Redis | string;
  /** Key prefix (default "chatroom:"). */
  prefix?: string;
  /**
   * Longest time between two re-lists while watched (default 1000 ms). Re-lists also run when the earliest
   * registration expires, on every change notification and after the subscriber reconnects.
   */
  pollIntervalMs?: number;
  /** Told about failed background re-lists (the watchers keep their last set meanwhile). */
  onError?: (error: unknown) => void;
}

type Listener = (comets: CometInfo[]) => void;

interface Watcher {
  listener: Listener;
  /** The set last delivered, serialized; undefined until the first delivery. */
  last: string | undefined;
}

/**
 * Which comets are alive, in Redis.
 *
 * - `{prefix}comets` hash: comet id → CometInfo JSON.
 * - `{prefix}comets:expiry` zset: comet id → expiry (ms, Redis server clock). A comet is live while its score is
 *   above the server's time; both keys expire with the latest registration.
 * - channel `{prefix}comets:changed`: register/deregister publish the comet id (from inside their Lua script, so
 *   the notification is atomic with the write) whenever the live set changed.
 *
 * watch() listens on a dedicated subscriber connection (duplicate() of the client) and re-lists on every
 * notification, on a timer armed for the earliest expiry (expiries publish nothing) and at least every
 * pollIntervalMs; a listener is called with the full live set once at start and then only when the set changed.
 * After a Redis restart, the subscriber resubscribes by itself, comets re-register on their next renewal
 * (keepRegistered) and the re-lists bring the watchers back to the live set.
 */
export class RedisCometRegistry implements CometRegistry {
  readonly #redis: Redis;
  readonly #owned: boolean;
  readonly #keys: [string, string];
  readonly #channel: string;
  readonly #pollIntervalMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #watchers = new Set<Watcher>();
  #subscriber: Promise<Redis> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #refreshing: Promise<void> | null = null;
  #dirty = false;
  #nextDelayMs: number;
  #closed = false;

  constructor(options: RedisCometRegistryOptions) {
    this.#owned = typeof options.redis === "string";
    this.#redis =
      typeof options.redis === "string"
        ? connectRedis(options.redis, { connectionName: "chatroom-comet-registry" })
        : options.redis;
    const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.#keys = [`${prefix}comets`, `${prefix}comets:expiry`];
    this.#channel = `${prefix}comets:changed`;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#nextDelayMs = this.#pollIntervalMs;
    this.#onError = options.onError ?? (() => {});
    defineScripts(this.#redis, COMET_REGISTRY_SCRIPTS);
  }

  async register(info: CometInfo, ttlMs: number): Promise<void> {
    this.#open();
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new ChatError("bad_request", `ttl ${ttlMs} is not positive`);
    await redisCall("register comet", () =>
      runScript(this.#redis, REGISTER, [...this.#keys, info.id, serialize(info), Math.ceil(ttlMs), this.#channel]),
    );
  }

  async deregister(id: string): Promise<void> {
    this.#open();
    await redisCall("deregister comet", () => runScript(this.#redis, DEREGISTER, [...this.#keys, id, this.#channel]));
  }

  async list(): Promise<CometInfo[]> {
    this.#open();
    return (await this.#listLive()).comets;
  }

  async watch(listener: Listener): Promise<Closable> {
    this.#open();
    await this.#subscribe();
    const watcher: Watcher = { listener, last: undefined };
    this.#watchers.add(watcher);
    try {
      await this.#refresh();
    } catch (error) {
      this.#watchers.delete(watcher);
      throw error;
    }
    return {
      close: async () => {
        this.#watchers.delete(watcher);
        if (this.#watchers.size === 0 && this.#timer) {
          clearTimeout(this.#timer);
          this.#timer = null;
        }
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watchers.clear();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const subscriber = this.#subscriber;
    this.#subscriber = null;
    if (subscriber) (await subscriber.catch(() => null))?.disconnect();
    if (this.#owned) await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  #open(): void {
    if (this.#closed) throw new ChatError("unavailable", "comet registry is closed");
  }

  async #listLive(): Promise<{ comets: CometInfo[]; nextExpiryMs: number }> {
    const reply = await redisCall("list comets", () => runScript(this.#redis, LIST, [...this.#keys]));
    if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) {
      throw new ChatError("internal", "unexpected comet list reply from Redis");
    }
    const comets = (reply[1] as unknown[]).map(parse).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { comets, nextExpiryMs: Number(reply[0]) };
  }

  /** One subscriber connection per registry, opened by the first watch(). */
  #subscribe(): Promise<Redis> {
    if (!this.#subscriber) {
      const subscriber = this.#redis.duplicate({ connectionName: "chatroom-comet-watch" });
      subscriber.on("error", () => {});
      subscriber.on("message", (channel: string) => {
        if (channel === this.#channel) this.#refreshInBackground();
      });
      // After a reconnect: notifications may have been missed while it was down.
      subscriber.on("ready", () => this.#refreshInBackground());
      const subscribed = redisCall("watch comets", () => subscriber.subscribe(this.#channel)).then(() => subscriber);
      subscribed.catch(() => {
        subscriber.disconnect();
        if (this.#subscriber === subscribed) this.#subscriber = null;
      });
      this.#subscriber = subscribed;
    }
    return this.#subscriber;
  }

  #refreshInBackground(): void {
    if (this.#closed || this.#watchers.size === 0) return;
    this.#refresh().catch(this.#onError);
  }

  /**
   * Re-lists and delivers, one re-list at a time: a request made while one runs is served by one more run, so no
   * change is missed and no older set is ever delivered after a newer one.
   */
  #refresh(): Promise<void> {
    this.#dirty = true;
    if (!this.#refreshing) {
      this.#refreshing = this.#drain().finally(() => {
        this.#refreshing = null;
        this.#arm();
      });
    }
    return this.#refreshing;
  }

  async #drain(): Promise<void> {
    this.#nextDelayMs = this.#pollIntervalMs;
    while (this.#dirty && !this.#closed) {
      this.#dirty = false;
      const { comets, nextExpiryMs } = await this.#listLive();
      this.#nextDelayMs = nextExpiryMs >= 0 ? Math.min(this.#pollIntervalMs, nextExpiryMs + 1) : this.#pollIntervalMs;
      this.#deliver(comets);
    }
  }

  #deliver(comets: CometInfo[]): void {
    const serialized = JSON.stringify(comets);
    for (const watcher of [...this.#watchers]) {
      if (watcher.last === serialized || !this.#watchers.has(watcher)) continue;
      watcher.last = serialized;
      try {
        watcher.listener(comets.map((info) => ({ ...info })));
      } catch {
        // One failing watcher must not starve the others.
      }
    }
  }

  /** Keeps one re-list timer pending while anyone watches. */
  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#closed || this.#watchers.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#refreshInBackground();
    }, this.#nextDelayMs);
    this.#timer.unref();
  }
}

function serialize(info: CometInfo): string {
  return JSON.stringify({
    id: info.id,
    grpcAddress: info.grpcAddress,
    wsUrl: info.wsUrl,
    startedAtMs: info.startedAtMs,
  });
}

function parse(json: unknown): CometInfo {
  let value: unknown;
  try {
    value = JSON.parse(String(json));
  } catch (error) {
    throw new ChatError("internal", "malformed comet info in Redis", { cause: error });
  }
  if (typeof value !== "object" || value === null) throw new ChatError("internal", "malformed comet info in Redis");
  const { id, grpcAddress, wsUrl, startedAtMs } = value as Record<string, unknown>;
  if (typeof id !== "string" || typeof grpcAddress !== "string" || typeof wsUrl !== "string") {
    throw new ChatError("internal", "malformed comet info in Redis");
  }
  return { id, grpcAddress, wsUrl, startedAtMs: Number(startedAtMs) };
}
