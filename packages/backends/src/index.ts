// `@chatroom/backends`: the backend choices of the standalone services (their mains), read from the environment.
// Each heavy implementation is imported only when chosen, so a process never loads kafkajs (@chatroom/kafka), mysql2
// (@chatroom/mysql) or ioredis (@chatroom/core/redis) it does not use. A package of its own because it is the one
// place that knows every implementation: @chatroom/core holds the interfaces and the in-process implementations,
// and the Kafka and MySQL packages depend on it, not the other way round.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  type CometRegistry,
  ConfigError,
  type ConfigOf,
  type InvalidationBus,
  type Logger,
  loadConfig,
  MemoryCometRegistry,
  MemoryInvalidationBus,
  MemoryPresence,
  MemoryPushBus,
  MemoryRateLimiter,
  openSqliteStores,
  type Presence,
  type PushBus,
  type RateLimiter,
  type Stores,
  setting,
} from "@chatroom/core";
import type { PushBusObserver } from "@chatroom/core/observability";
import type { KafkaSecurity } from "@chatroom/kafka";

/**
 * Defaults are the distributed backends: the standalone processes only work together through them. The memory and
 * SQLite choices exist for single-process runs (tests, a lone logic serving its HTTP API); see assertShared.
 */
export const backendConfigSchema = {
  bus: setting.oneOf("CHATROOM_BUS", ["kafka", "memory"] as const, "kafka", "Push bus between logic and job"),
  kafkaBrokers: setting.list("CHATROOM_KAFKA_BROKERS", ["127.0.0.1:9092"], "Comma-separated Kafka bootstrap brokers"),
  kafkaTopic: setting.string("CHATROOM_KAFKA_TOPIC", "chatroom-push", "Kafka topic of the push bus"),
  kafkaPartitions: setting.int(
    "CHATROOM_KAFKA_PARTITIONS",
    12,
    "Partitions of the push topic when chatroom creates it (an existing topic is grown to this, never shrunk)",
    { min: 1 },
  ),
  kafkaLingerMs: setting.int(
    "CHATROOM_KAFKA_LINGER_MS",
    2,
    "How long logic's first push after an idle moment waits for others to share its Kafka produce request (linger.ms); under load pushes share requests anyway, one request being in flight at a time",
    { min: 0, max: 1000 },
  ),
  kafkaReplicationFactor: setting.int(
    "CHATROOM_KAFKA_REPLICATION_FACTOR",
    1,
    "Replication factor of the push topic when chatroom creates it (3 on a production cluster)",
    { min: 1 },
  ),
  kafkaSaslMechanism: setting.oneOf(
    "CHATROOM_KAFKA_SASL_MECHANISM",
    ["none", "scram-sha-512", "scram-sha-256", "plain"] as const,
    "none",
    "SASL authentication of the Kafka connections (a Strimzi listener with scram-sha-512 authentication needs it)",
  ),
  kafkaUsername: setting.string(
    "CHATROOM_KAFKA_USERNAME",
    "",
    "Kafka SASL user name (with CHATROOM_KAFKA_SASL_MECHANISM)",
  ),
  kafkaPassword: setting.string(
    "CHATROOM_KAFKA_PASSWORD",
    "",
    "Kafka SASL password (with CHATROOM_KAFKA_SASL_MECHANISM)",
  ),
  kafkaTls: setting.bool("CHATROOM_KAFKA_TLS", false, "Connect to the Kafka brokers over TLS"),
  kafkaTlsCaFile: setting.string(
    "CHATROOM_KAFKA_TLS_CA_FILE",
    "",
    "PEM file of the CA that signed the brokers' certificates (with CHATROOM_KAFKA_TLS; default: the system's CAs)",
  ),
  store: setting.oneOf(
    "CHATROOM_STORE",
    ["mysql", "sqlite"] as const,
    "mysql",
    "Where members, rooms and messages live",
  ),
  mysqlUrl: setting.string(
    "CHATROOM_MYSQL_URL",
    "mysql://chatroom:chatroom@127.0.0.1:3306/chatroom",
    "MySQL/MariaDB connection URL (mysql://user:password@host:port/database)",
  ),
  mysqlMigrate: setting.bool(
    "CHATROOM_MYSQL_MIGRATE",
    false,
    "Apply pending schema migrations at start (otherwise an outdated schema is refused; migrate once per release)",
  ),
  dataDir: setting.string("CHATROOM_DATA_DIR", "./data", "Folder of the SQLite database (CHATROOM_STORE=sqlite)"),
  presence: setting.oneOf(
    "CHATROOM_PRESENCE",
    ["redis", "memory"] as const,
    "redis",
    "Presence, rate limits and the comet registry",
  ),
  redisUrl: setting.string("CHATROOM_REDIS_URL", "redis://127.0.0.1:6379", "Redis connection URL"),
  redisPrefix: setting.string("CHATROOM_REDIS_PREFIX", "chatroom:", "Prefix of every Redis key chatroom writes"),
};

export type BackendConfig = ConfigOf<typeof backendConfigSchema>;

export function loadBackendConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<BackendConfig> = {},
): BackendConfig {
  const config = loadConfig(backendConfigSchema, env, overrides);
  if (config.bus === "kafka" && config.kafkaBrokers.length === 0) {
    throw new ConfigError("CHATROOM_KAFKA_BROKERS must list at least one broker when CHATROOM_BUS=kafka");
  }
  if (config.kafkaSaslMechanism !== "none" && (config.kafkaUsername === "" || config.kafkaPassword === "")) {
    throw new ConfigError(
      `CHATROOM_KAFKA_SASL_MECHANISM=${config.kafkaSaslMechanism} needs CHATROOM_KAFKA_USERNAME and CHATROOM_KAFKA_PASSWORD`,
    );
  }
  return config;
}

/** Which backends a process needs to share with the other processes. */
export type SharedBackend = "bus" | "presence" | "store";

const SHARED_REASON: Record<SharedBackend, { env: string; isLocal: (c: BackendConfig) => boolean; why: string }> = {
  bus: { env: "CHATROOM_BUS", isLocal: (c) => c.bus === "memory", why: "logic and job must share the push bus" },
  presence: {
    env: "CHATROOM_PRESENCE",
    isLocal: (c) => c.presence === "memory",
    why: "logic, comets and job must share presence and the comet registry",
  },
  store: { env: "CHATROOM_STORE", isLocal: (c) => c.store === "sqlite", why: "every logic must share the store" },
};

/**
 * Refuses, naming the variable, an in-process backend where this process cannot work without sharing it with the
 * others (e.g. job on a memory bus would never receive a push).
 */
export function assertShared(config: BackendConfig, needed: readonly SharedBackend[], service: string): void {
  for (const backend of needed) {
    const { env, isLocal, why } = SHARED_REASON[backend];
    if (isLocal(config)) {
      throw new ConfigError(`${env}=${config[backend]} cannot be used by a standalone ${service}: ${why}`);
    }
  }
}

/** In-process backends this config chooses, for a start-up warning of a process that can still run on them. */
export function localBackends(config: BackendConfig): string[] {
  return (Object.keys(SHARED_REASON) as SharedBackend[])
    .filter((backend) => SHARED_REASON[backend].isLocal(config))
    .map((backend) => `${SHARED_REASON[backend].env}=${config[backend]}`);
}

export interface OpenBusOptions {
  /** Kafka client id, shown in broker logs (e.g. the service name). */
  clientId?: string;
  logger?: Logger;
  /** Kafka only: told about the consumers' assignments, crashes and lag (see PushBusObserver). */
  observer?: PushBusObserver;
}

/** Kafka: creates or grows the topic and connects the producer; rejects with `unavailable` when unreachable. */
export async function openBus(config: BackendConfig, options: OpenBusOptions = {}): Promise<PushBus> {
  if (config.bus === "memory") return new MemoryPushBus();
  const { KafkaPushBus } = await import("@chatroom/kafka");
  return KafkaPushBus.connect({
    brokers: config.kafkaBrokers,
    topic: config.kafkaTopic,
    partitions: config.kafkaPartitions,
    replicationFactor: config.kafkaReplicationFactor,
    lingerMs: config.kafkaLingerMs,
    security: kafkaSecurityOf(config),
    ...(options.clientId ? { clientId: options.clientId } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
  });
}

/** The TLS and SASL options of kafkajs for this configuration (none by default: a plaintext listener). */
export function kafkaSecurityOf(config: BackendConfig): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (config.kafkaTls)
    security.ssl = config.kafkaTlsCaFile ? { ca: [readFileSync(config.kafkaTlsCaFile, "utf8")] } : true;
  if (config.kafkaSaslMechanism !== "none") {
    security.sasl = {
      mechanism: config.kafkaSaslMechanism,
      username: config.kafkaUsername,
      password: config.kafkaPassword,
    } as KafkaSecurity["sasl"];
  }
  return security;
}

/** MySQL: one pool, schema migrated or checked; SQLite: `<dataDir>/chatroom.sqlite`. */
export async function openStores(config: BackendConfig): Promise<Stores> {
  if (config.store === "sqlite") return openSqliteStores({ path: join(resolve(config.dataDir), "chatroom.sqlite") });
  const { openMysqlStores } = await import("@chatroom/mysql");
  return openMysqlStores({ url: config.mysqlUrl, migrate: config.mysqlMigrate });
}

/** Each Redis-backed object opens (and on close quits) its own connection. */
export async function openPresence(config: BackendConfig): Promise<Presence> {
  if (config.presence === "memory") return new MemoryPresence();
  const { RedisPresence } = await import("@chatroom/core/redis");
  return new RedisPresence({ redis: config.redisUrl, prefix: config.redisPrefix });
}

export async function openRateLimiter(config: BackendConfig): Promise<RateLimiter> {
  if (config.presence === "memory") return new MemoryRateLimiter();
  const { RedisRateLimiter } = await import("@chatroom/core/redis");
  return new RedisRateLimiter({ redis: config.redisUrl, prefix: config.redisPrefix });
}

export async function openCometRegistry(
  config: BackendConfig,
  options: { onError?: (error: unknown) => void } = {},
): Promise<CometRegistry> {
  if (config.presence === "memory") return new MemoryCometRegistry();
  const { RedisCometRegistry } = await import("@chatroom/core/redis");
  return new RedisCometRegistry({
    redis: config.redisUrl,
    prefix: config.redisPrefix,
    ...(options.onError ? { onError: options.onError } : {}),
  });
}

/** The logics' shared cache invalidation: Redis pub/sub beside presence, or this process only. */
export async function openInvalidationBus(config: BackendConfig): Promise<InvalidationBus> {
  if (config.presence === "memory") return new MemoryInvalidationBus();
  const { RedisInvalidationBus } = await import("@chatroom/core/redis");
  return new RedisInvalidationBus({ redis: config.redisUrl, prefix: config.redisPrefix });
}
