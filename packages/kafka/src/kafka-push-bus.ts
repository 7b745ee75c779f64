import type { PushBatchHandler, PushBus, PushSubscription, SubscribeOptions } from "@chatroom/core";
import { ChatError, type Logger } from "@chatroom/core";
import type { PushBusObserver } from "@chatroom/core/observability";
import type { PushMsg } from "@chatroom/proto/grpc";
import { Kafka, type RetryOptions } from "kafkajs";
import { kafkaLogCreator, stderrLogger } from "./kafka-logger.ts";
import { KafkaPing } from "./kafka-ping.ts";
import { KafkaPublisher } from "./kafka-publisher.ts";
import type { KafkaSecurity } from "./kafka-security.ts";
import { KafkaSubscription } from "./kafka-subscription.ts";
import { ensureTopic } from "./kafka-topic.ts";

export interface KafkaPushBusOptions {
  /** Bootstrap brokers, "host:port". */
  brokers: string[];
  topic: string;
  /** Partitions of a topic this bus creates (default 12): the unit of ordering and of work split within a group. */
  partitions?: number;
  /** Replication factor of a topic this bus creates (default 1; 3 on a production cluster). */
  replicationFactor?: number;
  /** kafkajs client id, shown in broker logs and quotas (default "chatroom"). */
  clientId?: string;
  /** Create the topic when missing, grow it when it has fewer partitions (default true). */
  createTopic?: boolean;
  /** Receives kafkajs's logs (info and up); without it only warnings and errors reach stderr. */
  logger?: Logger;
  /** Consumer session: a member silent for this long loses its partitions (default 10 000 ms). */
  sessionTimeoutMs?: number;
  /** Consumer heartbeat period, below the session timeout (about a third of it; default 3000 ms). */
  heartbeatIntervalMs?: number;
  /** Told about the consumers' group assignments, crashes and partition lag (metrics, readiness). */
  observer?: PushBusObserver;
  /**
   * How long the first publish after an idle period waits for others to share its produce request (Kafka's
   * linger.ms; default 2 ms, 0 = none). Under load, publishes share requests anyway: the producer keeps one request
   * in flight and sends everything queued meanwhile in the next.
   */
  lingerMs?: number;
  /** TLS and SASL of every connection (default: plaintext, no authentication). */
  security?: KafkaSecurity;
}

const DEFAULT_PARTITIONS = 12;
const DEFAULT_LINGER_MS = 2;
const DEFAULT_MAX_BATCH_SIZE = 500;
const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_RETRY_BACKOFF_MS = 50;

/**
 * The producer's failure bound: a failed produce (with the reconnect it implies) is retried twice, after 100 and
 * 200 ms (±20 %); an attempt waits at most 1 s for a connection and 2 s for an answer. A publish thus rejects in
 * well under a second when the broker refuses connections (measured ≈ 0.3 s), in about 2 s when it accepts them
 * but never answers, and within about 6.5 s when an established connection hangs (3 × 2 s + backoff). One retry
 * is enough for the NOT_LEADER errors of a rolling restart; a crashed leader is only replaced after the
 * controller's session timeout (≈ 9 s), when publishes fail regardless.
 */
const PRODUCER_RETRY: RetryOptions = {
  retries: 2,
  initialRetryTime: 100,
  maxRetryTime: 1000,
  factor: 0.2,
  multiplier: 2,
};
const PRODUCER_CONNECTION_TIMEOUT_MS = 1000;
const PRODUCER_REQUEST_TIMEOUT_MS = 2000;

/**
 * The distributed PushBus on Kafka (goim's job topic). One topic; a message's key is `partitionKey(msg)`, so
 * kafkajs's default partitioner (murmur2, as Java's) keeps a room on one partition; its value is PushMsg's protobuf
 * encoding. publish() resolves once all in-sync replicas have the message. Each subscribe() is one kafkajs
 * consumer in the group, starting from the oldest retained message when the group is new and committing a
 * PushBatch's offsets only after its handler resolved (at-least-once). See KafkaBatchProcessor for retries and
 * poison messages.
 */
export class KafkaPushBus implements PushBus {
  readonly #kafka: Kafka;
  readonly #options: KafkaPushBusOptions;
  readonly #logger: Logger;
  readonly #publisher: KafkaPublisher;
  readonly #ping: KafkaPing;
  readonly #subscriptions = new Set<KafkaSubscription>();
  readonly #sessionTimeoutMs: number;
  readonly #heartbeatIntervalMs: number;
  /** The topic's partition count as far as known: how many partitions a consumer processes at once. */
  #partitions: number;
  #poisoned = 0;
  #closed = false;

  private constructor(options: KafkaPushBusOptions) {
    const partitions = options.partitions ?? DEFAULT_PARTITIONS;
    if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError("partitions must be a positive integer");
    const replicationFactor = options.replicationFactor ?? 1;
    if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
      throw new RangeError("replicationFactor must be a positive integer");
    }
    if (options.brokers.length === 0) throw new RangeError("brokers must not be empty");
    this.#sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3000;
    if (!(this.#heartbeatIntervalMs > 0 && this.#heartbeatIntervalMs < this.#sessionTimeoutMs)) {
      throw new RangeError("heartbeatIntervalMs must be positive and below sessionTimeoutMs");
    }
    this.#options = options;
    this.#logger = options.logger ?? stderrLogger;
    this.#partitions = partitions;
    const clientId = options.clientId ?? "chatroom";
    const logging = kafkaLogCreator(options.logger);
    const security = options.security ?? {};
    this.#kafka = new Kafka({ clientId, brokers: options.brokers, ...security, ...logging });
    const producerKafka = new Kafka({
      clientId,
      brokers: options.brokers,
      ...security,
      connectionTimeout: PRODUCER_CONNECTION_TIMEOUT_MS,
      requestTimeout: PRODUCER_REQUEST_TIMEOUT_MS,
      retry: PRODUCER_RETRY,
      ...logging,
    });
    this.#publisher = new KafkaPublisher(
      producerKafka,
      options.topic,
      PRODUCER_RETRY,
      this.#logger,
      options.lingerMs ?? DEFAULT_LINGER_MS,
    );
    this.#ping = new KafkaPing({ brokers: options.brokers, clientId, topic: options.topic, logging, security });
  }

  /**
   * Opens the bus. With createTopic (the default) it creates or grows the topic and connects the producer first,
   * rejecting with ChatError("unavailable") when Kafka cannot be reached; without it, nothing connects before the
   * first publish or subscribe.
   */
  static async connect(options: KafkaPushBusOptions): Promise<KafkaPushBus> {
    const bus = new KafkaPushBus(options);
    if (options.createTopic === false) return bus;
    const spec = {
      topic: options.topic,
      partitions: bus.#partitions,
      replicationFactor: options.replicationFactor ?? 1,
    };
    const admin = bus.#kafka.admin();
    try {
      await admin.connect();
      bus.#partitions = await ensureTopic(admin, spec, bus.#logger);
      await bus.#publisher.warmUp();
    } catch (error) {
      await bus.close();
      throw unavailable(`cannot prepare Kafka topic ${options.topic}`, error);
    } finally {
      await admin.disconnect().catch(() => {});
    }
    return bus;
  }

  get topic(): string {
    return this.#options.topic;
  }

  /** Messages skipped as poison since the bus was opened, over all subscriptions. */
  get poisoned(): number {
    return this.#poisoned;
  }

  /** Readiness: resolves when a broker answers with the topic's metadata; rejects with ChatError("unavailable"). */
  ping(): Promise<void> {
    if (this.#closed) return Promise.reject(new ChatError("unavailable", "push bus is closed"));
    return this.#ping.ping();
  }

  async publish(msg: PushMsg): Promise<void> {
    if (this.#closed) throw new ChatError("unavailable", "push bus is closed");
    await this.#publisher.publish(msg);
  }

  async subscribe(group: string, handler: PushBatchHandler, options: SubscribeOptions = {}): Promise<PushSubscription> {
    if (this.#closed) throw new ChatError("unavailable", "push bus is closed");
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError("maxAttempts must be at least 1");
    const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new RangeError("maxBatchSize must be at least 1");
    let subscription: KafkaSubscription | undefined;
    subscription = await KafkaSubscription.start({
      kafka: this.#kafka,
      topic: this.#options.topic,
      group,
      handler,
      maxBatchSize,
      maxAttempts,
      retryBackoffMs: Math.max(0, options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS),
      onPoison: options.onPoison,
      sessionTimeoutMs: this.#sessionTimeoutMs,
      heartbeatIntervalMs: this.#heartbeatIntervalMs,
      concurrency: this.#partitions,
      logger: this.#logger,
      observer: this.#options.observer,
      poisoned: () => {
        this.#poisoned++;
      },
      closed: () => {
        if (subscription) this.#subscriptions.delete(subscription);
      },
    });
    if (this.#closed) {
      await subscription.close();
      throw new ChatError("unavailable", "push bus is closed");
    }
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([
      this.#publisher.close(),
      this.#ping.close(),
      ...[...this.#subscriptions].map((sub) => sub.close()),
    ]);
  }
}

function unavailable(message: string, cause: unknown): ChatError {
  if (cause instanceof ChatError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ChatError("unavailable", `${message}: ${detail}`, { cause });
}
