import { Redis } from "ioredis";

export interface RedisConnectOptions {
  /** Shown by CLIENT LIST, to tell processes apart. */
  connectionName?: string;
  /**
   * Longest wait for any reply, queued time included (default 5000 ms): a call never hangs on a Redis that is down
   * or unreachable. A timed-out write may still be applied later; every write here is safe to repeat.
   */
  commandTimeoutMs?: number;
  /** Longest wait for the TCP connection and handshake (default 5000 ms). */
  connectTimeoutMs?: number;
  /**
   * Reconnection attempts a queued command survives before it is rejected (default 1): with Redis refusing
   * connections, a call fails after the second refused attempt instead of waiting for commandTimeoutMs.
   */
  maxRetriesPerRequest?: number;
  /** Cap of the exponential reconnect backoff (default 2000 ms); reconnection never stops. */
  maxReconnectDelayMs?: number;
  /** Told about connection errors (default: ignored; calls reject on their own). */
  onError?: (error: Error) => void;
}

/**
 * Opens an ioredis client with options that fail fast: connects at once, queues commands while (re)connecting so
 * a call issued during a short reconnect succeeds, but bounds every call by maxRetriesPerRequest and
 * commandTimeoutMs. The caller owns the client (quit() or disconnect() it).
 */
export function connectRedis(url: string, options: RedisConnectOptions = {}): Redis {
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: true,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 1,
    commandTimeout: options.commandTimeoutMs ?? 5000,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    retryStrategy: (times) => Math.min(maxDelay, 50 * 2 ** Math.min(times - 1, 16)) + Math.floor(Math.random() * 50),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  });
  // Without a listener ioredis prints every connection error to the console.
  const onError = options.onError ?? (() => {});
  redis.on("error", onError);
  return redis;
}
