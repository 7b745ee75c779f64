import type { Redis } from "ioredis";
import { ChatError } from "../errors.ts";
import { redisCall } from "../redis-call.ts";
import { connectRedis } from "../redis-connect.ts";
import { DEFAULT_REDIS_PREFIX } from "../redis-keyspace.ts";
import type { InvalidationBus, InvalidationHandler } from "./invalidation-bus.ts";

export interface RedisInvalidationBusOptions {
  /** A shared client (left open by close()), or a URL to connect to (that client is closed by close()). */
  redis: Redis | string;
  /** Key prefix (default "chatroom:"); channels are `{prefix}invalidate:{topic}`. */
  prefix?: string;
  /** CLIENT LIST name of the connections (default "chatroom-invalidation"; the subscriber's gets "-sub"). */
  connectionName?: string;
}

/**
 * InvalidationBus over Redis pub/sub: PUBLISH on the client, one dedicated subscriber connection (a duplicate) for
 * every topic of this process. Redis pub/sub is at most once; when the subscriber (re)connects after a gap, every
 * handler is told null (anything may be stale), as the contract asks.
 */
export class RedisInvalidationBus implements InvalidationBus {
  readonly #redis: Redis;
  readonly #owned: boolean;
  readonly #prefix: string;
  readonly #name: string;
  readonly #handlers = new Map<string, Set<InvalidationHandler>>();
  #subscriber: Redis | null = null;
  #everReady = false;
  #closed = false;

  constructor(options: RedisInvalidationBusOptions) {
    this.#owned = typeof options.redis === "string";
    this.#name = options.connectionName ?? "chatroom-invalidation";
    this.#redis =
      typeof options.redis === "string" ? connectRedis(options.redis, { connectionName: this.#name }) : options.redis;
    this.#prefix = `${options.prefix ?? DEFAULT_REDIS_PREFIX}invalidate:`;
  }

  async publish(topic: string, key: string): Promise<void> {
    if (this.#closed) throw new ChatError("unavailable", "the invalidation bus is closed");
    await redisCall("publish invalidation", () => this.#redis.publish(this.#prefix + topic, key));
  }

  subscribe(topic: string, handler: InvalidationHandler): () => void {
    let set = this.#handlers.get(topic);
    if (!set) {
      set = new Set();
      this.#handlers.set(topic, set);
      // ioredis resubscribes by itself after a reconnect; a failure here is retried on that reconnect too.
      this.#connection()
        .subscribe(this.#prefix + topic)
        .catch(() => {});
    }
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscriber?.disconnect();
    this.#subscriber = null;
    if (this.#owned) await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  #connection(): Redis {
    if (this.#subscriber) return this.#subscriber;
    const subscriber = this.#redis.duplicate({ connectionName: `${this.#name}-sub` });
    subscriber.on("error", () => {});
    subscriber.on("message", (channel: string, key: string) => {
      this.#deliver(channel.slice(this.#prefix.length), key);
    });
    subscriber.on("ready", () => {
      // The first connection misses nothing; a later one follows a gap in which messages may have been lost.
      if (this.#everReady) for (const topic of this.#handlers.keys()) this.#deliver(topic, null);
      this.#everReady = true;
    });
    this.#subscriber = subscriber;
    return subscriber;
  }

  #deliver(topic: string, key: string | null): void {
    for (const handler of this.#handlers.get(topic) ?? []) {
      queueMicrotask(() => {
        try {
          handler(key);
        } catch {
          // A throwing handler must not stop the others (contract).
        }
      });
    }
  }
}
