import type { PushMsg } from "@chatroom/proto/grpc";
import type { Closable } from "../lifecycle.ts";

/**
 * The bus between logic (publisher) and job (consumer) — goim's Kafka topic.
 *
 * Contract:
 * - publish() resolves only once the message is durable in the bus (in memory: accepted by the process;
 *   Kafka: acknowledged by all in-sync replicas). A rejected publish must not be delivered later.
 * - Order: messages with the same partition key (`partitionKey(msg)`: the room for ROOM, the first member or
 *   key for PUSH) are handed to consumers in publish order, one at a time.
 * - At-least-once: a message is acknowledged only after the handler's promise resolves. A handler that throws
 *   is retried with backoff (`maxAttempts`, then the message is counted as poison, reported through
 *   onPoison, and skipped so its partition is not blocked forever).
 * - Consumers that share a group split the partitions; each message is processed by one member of a group.
 */
export interface PushBus extends Closable {
  publish(msg: PushMsg): Promise<void>;
  /**
   * Starts consuming as a member of `group`. The returned subscription stops consuming when closed;
   * messages not yet acknowledged are redelivered to another member (or a later subscription).
   */
  subscribe(group: string, handler: PushHandler, options?: SubscribeOptions): Promise<PushSubscription>;
}

export type PushHandler = (msg: PushMsg) => Promise<void>;

export interface SubscribeOptions {
  /** Attempts per message before it is treated as poison (default 5). */
  maxAttempts?: number;
  /** First retry delay, doubled per attempt (default 50 ms). */
  retryBackoffMs?: number;
  /** Called when a message is skipped after maxAttempts. */
  onPoison?: (msg: PushMsg, error: unknown) => void;
}

export interface PushSubscription extends Closable {}

/** The partition key of a push: room for ROOM, first member (or key) for PUSH, "" for BROADCAST. */
export function partitionKey(msg: PushMsg): string {
  if (msg.room) return `room:${msg.room}`;
  if (msg.members.length > 0) return `member:${msg.members[0]}`;
  if (msg.keys.length > 0) return `key:${msg.keys[0]}`;
  return "broadcast";
}
