import { ChatError, type Logger, partitionKey } from "@chatroom/core";
import { type PushMsg, PushMsg as PushMsgCodec } from "@chatroom/proto/grpc";
import { type Kafka, type Message, Partitioners, type Producer, type RetryOptions } from "kafkajs";

/** Most messages, and most encoded bytes, in one produce request (far below the broker's 1 MiB batch limit). */
const MAX_SEND_MESSAGES = 500;
const MAX_SEND_BYTES = 256 * 1024;
/**
 * How long the partition leader may wait for the in-sync replicas (acks = -1): below the request timeout, so that
 * slow replicas come back as a retriable error rather than as a timeout.
 */
const PRODUCE_ACK_TIMEOUT_MS = 1500;

interface Pending {
  readonly message: Message;
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Publishes PushMsgs with an idempotent producer (acks from all in-sync replicas, one request in flight) keyed by
 * `partitionKey(msg)`, so kafkajs's default (Java-compatible murmur2) partitioner keeps one key on one partition.
 *
 * Batching (Kafka's linger.ms): the first publish after an idle period waits `lingerMs` for others to share its
 * produce request (less when MAX_SEND_MESSAGES are queued first); publishes that arrive while a request is in flight
 * are sent together in the next one, with no added delay. Each publish still resolves only once the broker has
 * acknowledged the request holding it (acks = all). A failed request rejects its messages and every message queued
 * meanwhile with ChatError("unavailable"), and the producer is replaced: its successor gets a new producer id, so a
 * request that failed ambiguously (written but not acknowledged) can never make the broker take a later message for
 * a duplicate of it.
 */
export class KafkaPublisher {
  readonly #kafka: Kafka;
  readonly #topic: string;
  readonly #retry: RetryOptions;
  readonly #logger: Logger;
  readonly #lingerMs: number;
  #queue: Pending[] = [];
  #draining = false;
  /** The linger timer of the first publish after an idle period. */
  #lingering: NodeJS.Timeout | null = null;
  #producer: Promise<Producer> | null = null;
  #closed = false;

  constructor(kafka: Kafka, topic: string, retry: RetryOptions, logger: Logger, lingerMs = 0) {
    if (!(Number.isFinite(lingerMs) && lingerMs >= 0)) throw new RangeError("lingerMs must be ≥ 0");
    this.#lingerMs = lingerMs;
    this.#kafka = kafka;
    this.#retry = retry;
    this.#topic = topic;
    this.#logger = logger;
  }

  /** Connects the producer ahead of the first publish; rejects with ChatError("unavailable"). */
  async warmUp(): Promise<void> {
    try {
      await this.#connectedProducer();
    } catch (error) {
      throw unavailable("cannot connect the Kafka producer", error);
    }
  }

  publish(msg: PushMsg): Promise<void> {
    if (this.#closed) return Promise.reject(new ChatError("unavailable", "push bus is closed"));
    const encoded = PushMsgCodec.encode(msg).finish();
    const value = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    const key = partitionKey(msg);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ message: { key, value }, bytes: value.byteLength + key.length, resolve, reject });
      if (this.#draining) return;
      if (this.#lingering) {
        if (this.#queue.length >= MAX_SEND_MESSAGES) this.#startDrain();
        return;
      }
      if (this.#lingerMs > 0) this.#lingering = setTimeout(() => this.#startDrain(), this.#lingerMs);
      // Without a linger still a microtask later, so that publishes issued together (Promise.all) share a request.
      else queueMicrotask(() => this.#startDrain());
    });
  }

  #startDrain(): void {
    if (this.#lingering) clearTimeout(this.#lingering);
    this.#lingering = null;
    if (this.#draining) return;
    this.#draining = true;
    void this.#drain();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#lingering) clearTimeout(this.#lingering);
    this.#lingering = null;
    const queued = this.#queue;
    this.#queue = [];
    for (const pending of queued) pending.reject(new ChatError("unavailable", "push bus is closed"));
    await this.#discardProducer();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed) {
      const batch = this.#takeBatch();
      try {
        const producer = await this.#connectedProducer();
        await producer.send({
          topic: this.#topic,
          acks: -1,
          timeout: PRODUCE_ACK_TIMEOUT_MS,
          messages: batch.map((pending) => pending.message),
        });
        for (const pending of batch) pending.resolve();
      } catch (error) {
        const failed = [...batch, ...this.#queue];
        this.#queue = [];
        this.#logger.warn({ topic: this.#topic, messages: failed.length, error: String(error) }, "publish failed");
        await this.#discardProducer();
        const rejection = unavailable("Kafka did not acknowledge the push", error);
        for (const pending of failed) pending.reject(rejection);
      }
    }
    this.#draining = false;
  }

  #takeBatch(): Pending[] {
    let bytes = 0;
    let count = 0;
    for (const pending of this.#queue) {
      if (count > 0 && (count >= MAX_SEND_MESSAGES || bytes + pending.bytes > MAX_SEND_BYTES)) break;
      bytes += pending.bytes;
      count++;
    }
    return this.#queue.splice(0, count);
  }

  /** The current producer, connected; concurrent callers share one connection attempt. */
  #connectedProducer(): Promise<Producer> {
    if (this.#closed) return Promise.reject(new ChatError("unavailable", "push bus is closed"));
    if (!this.#producer) {
      const producer = this.#kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: this.#retry,
      });
      const connecting = producer.connect().then(
        () => producer,
        async (error: unknown) => {
          if (this.#producer === connecting) this.#producer = null;
          await producer.disconnect().catch(() => {});
          throw error;
        },
      );
      this.#producer = connecting;
    }
    return this.#producer;
  }

  async #discardProducer(): Promise<void> {
    const connecting = this.#producer;
    this.#producer = null;
    const producer = await connecting?.catch(() => null);
    await producer?.disconnect().catch(() => {});
  }
}

function unavailable(message: string, cause: unknown): ChatError {
  if (cause instanceof ChatError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ChatError("unavailable", `${message}: ${detail}`, { cause });
}
