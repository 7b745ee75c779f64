import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { after, describe, it } from "node:test";
import { type CometInfo, keepRegistered } from "@chatroom/core";
import { connectRedis, RedisCometRegistry, RedisPresence, RedisRateLimiter, unlinkPrefix } from "@chatroom/core/redis";
import { eventually, uniqueSuffix } from "@chatroom/core/testing";
import { redisService } from "../../../test/support/services.ts";

const { url } = await redisService();
const filePrefix = `test:outage:${uniqueSuffix()}:`;
const redis = connectRedis(url);

after(async () => {
  await unlinkPrefix(redis, filePrefix);
  await redis.quit();
});

/** Nothing listens on port 1 of the loopback: every connection attempt is refused at once. */
const REFUSING_URL = "redis://127.0.0.1:1";
/** Generous: a call that hangs fails the test instead of blocking the run. */
const NO_HANG = { timeout: 30_000 };

const info = (id: string, port = 9000): CometInfo => ({
  id,
  grpcAddress: `127.0.0.1:${port}`,
  wsUrl: `ws://127.0.0.1:${port + 1}/ws`,
  startedAtMs: 1,
});

/**
 * A TCP relay to the test Redis on its own loopback port: stop() cuts every connection and refuses new ones, as a
 * Redis that went down does; start() again on the same port brings it back.
 */
class RedisRelay {
  readonly #target: URL;
  readonly #sockets = new Set<Socket>();
  /** When set, connections are accepted but nothing is relayed: a Redis that stopped answering. */
  readonly #blackHole: boolean;
  #server: Server | null = null;
  port = 0;

  constructor(target: string, blackHole = false) {
    this.#target = new URL(target);
    this.#blackHole = blackHole;
  }

  /** The target URL, pointed at the relay. */
  get url(): string {
    const relayed = new URL(this.#target);
    relayed.host = `127.0.0.1:${this.port}`;
    return relayed.toString();
  }

  async start(): Promise<void> {
    const server = createServer((client) => {
      this.#track(client);
      if (this.#blackHole) return;
      const upstream = connect(Number(this.#target.port || 6379), this.#target.hostname);
      this.#track(upstream);
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    server.listen(this.port, "127.0.0.1");
    await once(server, "listening");
    const address = server.address();
    if (address && typeof address === "object") this.port = address.port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => this.#sockets.delete(socket));
  }
}

describe("Redis implementations when Redis is down", () => {
  it("reject with unavailable when Redis refuses connections", NO_HANG, async () => {
    const presence = new RedisPresence({ redis: REFUSING_URL });
    const limiter = new RedisRateLimiter({ redis: REFUSING_URL });
    const registry = new RedisCometRegistry({ redis: REFUSING_URL });
    await assert.rejects(presence.upsert({ key: "k", memberId: 1, server: "c", rooms: [] }, 1000), {
      code: "unavailable",
    });
    await assert.rejects(presence.locateKeys(["k"]), { code: "unavailable" });
    await assert.rejects(limiter.consume("m", { capacity: 1, refillPerSecond: 1 }), { code: "unavailable" });
    await assert.rejects(registry.register(info("c"), 1000), { code: "unavailable" });
    await assert.rejects(
      registry.watch(() => {}),
      { code: "unavailable" },
    );
    await presence.close();
    await limiter.close();
    await registry.close();
  });

  it("reject with unavailable when Redis accepts connections but never answers", NO_HANG, async () => {
    const relay = new RedisRelay(url, true);
    await relay.start();
    const client = connectRedis(relay.url, { commandTimeoutMs: 300 });
    const presence = new RedisPresence({ redis: client });
    const limiter = new RedisRateLimiter({ redis: client });
    await assert.rejects(presence.get("k"), { code: "unavailable" });
    await assert.rejects(limiter.consume("m", { capacity: 1, refillPerSecond: 1 }), { code: "unavailable" });
    client.disconnect();
    await relay.stop();
  });

  it("work again after a Redis restart that lost the data, and watchers recover", NO_HANG, async () => {
    const prefix = `${filePrefix}${uniqueSuffix()}:`;
    const relay = new RedisRelay(url);
    await relay.start();
    const client = connectRedis(relay.url, { maxReconnectDelayMs: 100 });
    const presence = new RedisPresence({ redis: client, prefix });
    const limiter = new RedisRateLimiter({ redis: client, prefix });
    // job's registry watches with a slow re-list: notifications and reconnects must do the work.
    const jobRegistry = new RedisCometRegistry({ redis: client, prefix, pollIntervalMs: 60_000 });
    const cometRegistry = new RedisCometRegistry({ redis: client, prefix });
    const calls: string[][] = [];
    const watch = await jobRegistry.watch((comets) => calls.push(comets.map((c) => c.id)));
    const kept = await keepRegistered(cometRegistry, info("comet-a"), 300);
    await eventually(() => assert.deepEqual(calls.at(-1), ["comet-a"]));
    await presence.upsert({ key: "k1", memberId: 1, server: "comet-a", rooms: ["lobby"] }, 60_000);

    await relay.stop();
    await unlinkPrefix(redis, prefix);
    await assert.rejects(presence.serversOfRoom("lobby"), { code: "unavailable" });
    await assert.rejects(limiter.consume("m", { capacity: 1, refillPerSecond: 1 }), { code: "unavailable" });
    await relay.start();

    // Presence is empty until the connection is upserted again (logic's heartbeat path does that).
    await eventually(async () => assert.deepEqual(await presence.serversOfRoom("lobby"), []), 10_000, 50);
    assert.equal(await presence.renew("k1", 60_000), false);
    await presence.upsert({ key: "k1", memberId: 1, server: "comet-a", rooms: ["lobby"] }, 60_000);
    assert.deepEqual(await presence.serversOfRoom("lobby"), ["comet-a"]);
    assert.equal((await limiter.consume("m", { capacity: 1, refillPerSecond: 1 })).allowed, true);
    // comet-a is back by its own renewals; a comet registering now reaches the watcher through the resubscribed
    // channel (or the re-list after the reconnect), well before the minute-long re-list interval.
    await eventually(async () => {
      await cometRegistry.register(info("comet-b"), 60_000);
      assert.deepEqual(calls.at(-1), ["comet-a", "comet-b"]);
    }, 10_000);

    await kept.close();
    await watch.close();
    await jobRegistry.close();
    await cometRegistry.close();
    await presence.close();
    await limiter.close();
    client.disconnect();
    await relay.stop();
    await unlinkPrefix(redis, prefix);
  });
});
