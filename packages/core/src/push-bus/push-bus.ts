import type { PushMsg } from "@chatroom/proto/grpc";
import type { Closable } from "../lifecycle.ts";

/**
 * The bus between logic (publisher) and job (consumer) — goim's Kafka topic.
 *
 * Contract:
 * - publish() resolves only once the message is durable in the bus (in memory: accepted by the process;
 *   Kafka: acknowledged by all in-sync replicas). A rejected publish must not be delivered later.
 * - Partitions: a message goes to the partition of `partitionKey(msg)` (the room for ROOM, the first member or key
 *   for PUSH), so messages with the same key keep publish order.
 * - Batches: per partition, consumers receive batches one at a time, in order: each batch holds the consecutive
 *   messages of one partition that are available when it is cut (at most `maxBatchSize`; the bus never waits to
 *   fill a batch beyond the current event-loop turn). Under load a batch holds many messages — that is what lets job
 *   send one frame per room per comet; a consumer that wants fuller batches acknowledges later (job's batch window).
 * - At-least-once: a batch is acknowledged only after the handler's promise resolves. A handler that throws gets
 *   the same batch again with exponential backoff; after `maxAttempts` the batch is split and its messages are
 *   retried one by one, and a single message that still fails `maxAttempts` times is poison: reported through
 *   onPoison, counted, and skipped so its partition is not blocked forever. Handlers must tolerate redelivery.
 * - Groups: subscriptions that share a group split the partitions (each batch is processed by one member of a
 *   group); every group receives every message. A new group starts from the oldest retained message.
 */
export interface PushBus extends Closable {
  publish(msg: PushMsg): Promise<void>;
  /**
   * Starts consuming as a member of `group`. The returned subscription stops consuming when closed; batches not
   * yet acknowledged are redelivered to another member (or a later subscription).
   */
  subscribe(group: string, handler: PushBatchHandler, options?: SubscribeOptions): Promise<PushSubscription>;
}

export interface PushBatch {
  partition: number;
  messages: PushMsg[];
}

export type PushBatchHandler = (batch: PushBatch) => Promise<void>;

export interface SubscribeOptions {
  /** Most messages in one batch (default 500). */
  maxBatchSize?: number;
  /** Attempts per batch, and then per message, before a message is treated as poison (default 5). */
  maxAttempts?: number;
  /** First retry delay, doubled per attempt (default 50 ms). */
  retryBackoffMs?: number;
  /** Called when a message is skipped after maxAttempts. */
  onPoison?: (msg: PushMsg, error: unknown) => void;
}

export interface PushSubscription extends Closable {}

/** The partition key of a push: room for ROOM, first member (or key) for PUSH, "broadcast" for BROADCAST. */
export function partitionKey(msg: PushMsg): string {
  if (msg.room) return `room:${msg.room}`;
  if (msg.members.length > 0) return `member:${msg.members[0]}`;
  if (msg.keys.length > 0) return `key:${msg.keys[0]}`;
  return "broadcast";
}
