import type { PushBatchHandler, PushSubscription } from "@chatroom/core";
import { ChatError, type Logger } from "@chatroom/core";
import type { PushBusObserver } from "@chatroom/core/observability";
import type { PushMsg } from "@chatroom/proto/grpc";
import type { Consumer, Kafka } from "kafkajs";
import { KafkaBatchProcessor } from "./kafka-batch-processor.ts";

/**
 * How long the broker holds a fetch that found nothing new (Java's fetch.max.wait.ms default; kafkajs's 5 s would
 * delay both closing a subscription and noticing a rebalance, since kafkajs heartbeats between fetches).
 */
const FETCH_MAX_WAIT_MS = 500;
/** How long a rebalance waits for every member to rejoin (kafkajs's default). */
const REBALANCE_TIMEOUT_MS = 60_000;

export interface KafkaSubscriptionConfig {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly group: string;
  readonly handler: PushBatchHandler;
  readonly maxBatchSize: number;
  readonly maxAttempts: number;
  readonly retryBackoffMs: number;
  readonly onPoison: ((msg: PushMsg, error: unknown) => void) | undefined;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Partitions of one fetch processed at once (at most one batch per partition at a time in any case). */
  readonly concurrency: number;
  readonly logger: Logger;
  readonly observer: PushBusObserver | undefined;
  readonly poisoned: () => void;
  /** Called once the subscription is closed (the bus forgets it). */
  readonly closed: () => void;
}

/** One consumer-group member: a kafkajs consumer of `topic` in `group` whose batches go to a KafkaBatchProcessor. */
export class KafkaSubscription implements PushSubscription {
  readonly #consumer: Consumer;
  readonly #config: KafkaSubscriptionConfig;
  readonly #closing = new AbortController();
  readonly #removeListeners: Array<() => void> = [];
  #closed: Promise<void> | null = null;

  private constructor(config: KafkaSubscriptionConfig) {
    this.#config = config;
    this.#consumer = config.kafka.consumer({
      groupId: config.group,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: config.heartbeatIntervalMs,
      rebalanceTimeout: REBALANCE_TIMEOUT_MS,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
    });
  }

  /**
   * Joins the group and resolves once this member has its first assignment (possibly empty), so that a second
   * member subscribed right after it already shares the partitions. Rejects with ChatError("unavailable").
   */
  static async start(config: KafkaSubscriptionConfig): Promise<KafkaSubscription> {
    const subscription = new KafkaSubscription(config);
    try {
      await subscription.#start();
    } catch (error) {
      await subscription.close();
      if (error instanceof ChatError) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      throw new ChatError("unavailable", `cannot join consumer group ${config.group}: ${detail}`, { cause: error });
    }
    return subscription;
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #start(): Promise<void> {
    const consumer = this.#consumer;
    const { group, topic, logger, observer } = this.#config;
    const joined = this.#firstJoin();
    joined.catch(() => {});
    this.#removeListeners.push(
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        const details = { group, topic, error: String(payload.error), restart: payload.restart };
        if (payload.restart) logger.warn(details, "Kafka consumer crashed; kafkajs restarts it");
        else logger.error(details, "Kafka consumer stopped for good: the subscription receives nothing more");
        observe(() => observer?.onConsumerCrash?.(group, payload.restart, payload.error));
      }),
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        observe(() => observer?.onAssignment?.(group, payload.memberAssignment[topic] ?? []));
      }),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const processor = new KafkaBatchProcessor({
      handler: this.#config.handler,
      maxBatchSize: this.#config.maxBatchSize,
      maxAttempts: this.#config.maxAttempts,
      retryBackoffMs: this.#config.retryBackoffMs,
      onPoison: this.#config.onPoison,
      heartbeatIntervalMs: this.#config.heartbeatIntervalMs,
      closing: this.#closing.signal,
      poisoned: this.#config.poisoned,
      onLag: observer?.onPartitionLag
        ? (partition, lag) => observe(() => observer.onPartitionLag?.(group, partition, lag))
        : undefined,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.#config.concurrency,
      eachBatch: processor.eachBatch,
    });
    await joined;
  }

  /** Settles on this member's first GROUP_JOIN, a crash kafkajs won't restart from, a timeout or close(). */
  #firstJoin(): Promise<void> {
    const consumer = this.#consumer;
    const timeoutMs = REBALANCE_TIMEOUT_MS + this.#config.sessionTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const removers: Array<() => void> = [];
      const finish = (error?: unknown) => {
        clearTimeout(timer);
        for (const remove of removers) remove();
        this.#closing.signal.removeEventListener("abort", onClose);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onClose = () => finish(new ChatError("unavailable", "subscription closed while joining its group"));
      const timer = setTimeout(() => finish(new Error(`no group assignment within ${timeoutMs} ms`)), timeoutMs);
      removers.push(
        consumer.on(consumer.events.GROUP_JOIN, () => finish()),
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) finish(payload.error);
        }),
      );
      this.#closing.signal.addEventListener("abort", onClose, { once: true });
    });
  }

  async #close(): Promise<void> {
    // First: a batch in progress stops at once, uncommitted, which lets kafkajs's stop() (it waits for it) go on.
    this.#closing.abort();
    try {
      await this.#consumer.disconnect();
    } catch (error) {
      this.#config.logger.warn({ group: this.#config.group, error: String(error) }, "Kafka consumer disconnect failed");
    } finally {
      for (const remove of this.#removeListeners) remove();
      this.#config.closed();
    }
  }
}

/** An observer's failure must never disturb consuming. */
function observe(hook: () => void): void {
  try {
    hook();
  } catch {
    // Metrics are best effort.
  }
}
