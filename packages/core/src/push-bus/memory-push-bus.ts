import type { PushMsg } from "@chatroom/proto/grpc";
import { ChatError } from "../errors.ts";
import { PartitionLog } from "./partition-log.ts";
import { partitionOf } from "./partition-of.ts";
import {
  type PushBatchHandler,
  type PushBus,
  type PushSubscription,
  partitionKey,
  type SubscribeOptions,
} from "./push-bus.ts";

export interface MemoryPushBusOptions {
  /** Number of partitions (default 8): the unit of ordering and of work split within a group. */
  partitions?: number;
}

const DEFAULT_MAX_BATCH_SIZE = 500;
const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_RETRY_BACKOFF_MS = 50;
const MAX_RETRY_BACKOFF_MS = 30_000;

interface Consumer {
  readonly handler: PushBatchHandler;
  readonly maxBatchSize: number;
  readonly maxAttempts: number;
  readonly retryBackoffMs: number;
  readonly onPoison: ((msg: PushMsg, error: unknown) => void) | undefined;
  closed: boolean;
}

/** One group's position in one partition. */
interface Cursor {
  readonly partition: number;
  /** The committed offset: the next message this group processes. */
  next: number;
  owner: Consumer | null;
  /** The running delivery loop (null when idle); aborting it abandons its in-flight message uncommitted. */
  loop: AbortController | null;
  /** Whom the loop is handing the current message to. */
  current: Consumer | null;
  /** A kick is scheduled for the end of this event-loop turn. */
  kickScheduled: boolean;
}

interface Group {
  readonly consumers: Consumer[];
  readonly cursors: Cursor[];
}

type Outcome = { kind: "acked" } | { kind: "abandoned" } | { kind: "failed"; error: unknown };

/**
 * The embedded PushBus: a partitioned in-memory log with consumer groups, Kafka's semantics in one process.
 * Each group owns a committed offset per partition; partitions are assigned round-robin to the group's live
 * consumers and reassigned when one joins or leaves. Entries every group has committed are dropped. An idle
 * partition's next batch is cut at the end of the event-loop turn of its first publish (setImmediate), so the pushes
 * of every request read in that turn travel together.
 */
export class MemoryPushBus implements PushBus {
  readonly #logs: PartitionLog<PushMsg>[];
  readonly #groups = new Map<string, Group>();
  #closed = false;
  #poisoned = 0;

  constructor(options: MemoryPushBusOptions = {}) {
    const partitions = options.partitions ?? 8;
    if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError("partitions must be a positive integer");
    this.#logs = Array.from({ length: partitions }, () => new PartitionLog<PushMsg>());
  }

  get partitions(): number {
    return this.#logs.length;
  }

  /** Messages skipped as poison since the bus was created, over all groups. */
  get poisoned(): number {
    return this.#poisoned;
  }

  /** Messages still held in the log (not yet committed by every group). */
  retained(): number {
    let total = 0;
    for (const log of this.#logs) total += log.size;
    return total;
  }

  async publish(msg: PushMsg): Promise<void> {
    if (this.#closed) throw new ChatError("unavailable", "push bus is closed");
    const partition = partitionOf(partitionKey(msg), this.#logs.length);
    // A copy, so a publisher reusing its object cannot change what consumers see (as with a real broker).
    this.#logs[partition]!.append({ ...msg, keys: [...msg.keys], members: [...msg.members] });
    for (const group of this.#groups.values()) {
      const cursor = group.cursors[partition]!;
      // At the end of this event-loop turn, not in a microtask: the publishes of every request read in this turn
      // (each its own I/O callback) then form one batch instead of each being handed over alone.
      if (!cursor.kickScheduled) {
        cursor.kickScheduled = true;
        setImmediate(() => {
          cursor.kickScheduled = false;
          this.#kick(cursor);
        });
      }
    }
  }

  async subscribe(group: string, handler: PushBatchHandler, options: SubscribeOptions = {}): Promise<PushSubscription> {
    if (this.#closed) throw new ChatError("unavailable", "push bus is closed");
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError("maxAttempts must be at least 1");
    const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new RangeError("maxBatchSize must be at least 1");
    const consumer: Consumer = {
      handler,
      maxBatchSize,
      maxAttempts,
      retryBackoffMs: Math.max(0, options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS),
      onPoison: options.onPoison,
      closed: false,
    };
    const state = this.#groupOf(group);
    state.consumers.push(consumer);
    this.#rebalance(state);
    return {
      close: async () => {
        if (consumer.closed) return;
        consumer.closed = true;
        const index = state.consumers.indexOf(consumer);
        if (index >= 0) state.consumers.splice(index, 1);
        this.#rebalance(state, consumer);
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const group of this.#groups.values()) {
      for (const consumer of group.consumers) consumer.closed = true;
      for (const cursor of group.cursors) {
        cursor.loop?.abort();
        cursor.loop = null;
        cursor.owner = null;
      }
    }
  }

  #groupOf(name: string): Group {
    let group = this.#groups.get(name);
    if (!group) {
      // A new group starts at the earliest retained offset of every partition.
      group = {
        consumers: [],
        cursors: this.#logs.map((log, partition) => ({
          partition,
          next: log.startOffset,
          owner: null,
          loop: null,
          current: null,
          kickScheduled: false,
        })),
      };
      this.#groups.set(name, group);
    }
    return group;
  }

  /** Assigns partition p to consumer p mod n; a message in flight to a consumer that left goes to the new owner. */
  #rebalance(group: Group, left?: Consumer): void {
    const { consumers } = group;
    for (const cursor of group.cursors) {
      cursor.owner = consumers.length === 0 ? null : consumers[cursor.partition % consumers.length]!;
      if (left && cursor.current === left && cursor.loop) {
        cursor.loop.abort();
        cursor.loop = null;
        cursor.current = null;
      }
      queueMicrotask(() => this.#kick(cursor));
    }
  }

  #kick(cursor: Cursor): void {
    if (this.#closed || cursor.loop || !cursor.owner) return;
    const loop = new AbortController();
    cursor.loop = loop;
    void this.#run(cursor, loop.signal);
  }

  /**
   * Hands the cursor's messages to its owner one batch at a time. Every exit path that is not an abort clears
   * `cursor.loop` synchronously with its last check, so a concurrent publish either sees the loop or restarts it.
   */
  async #run(cursor: Cursor, signal: AbortSignal): Promise<void> {
    const log = this.#logs[cursor.partition]!;
    while (!signal.aborted) {
      const owner = cursor.owner;
      if (!owner || log.at(cursor.next) === undefined) {
        cursor.loop = null;
        cursor.current = null;
        return;
      }
      cursor.current = owner;
      const batch = log.slice(cursor.next, owner.maxBatchSize);
      const outcome = await this.#attempt(cursor, owner, batch, signal);
      if (signal.aborted) return;
      if (outcome.kind === "acked") this.#commit(cursor, batch.length);
      else if (outcome.kind === "failed" && batch.length === 1) this.#poison(cursor, owner, batch[0]!, outcome.error);
      else if (outcome.kind === "failed") {
        // The batch keeps failing: find the culprits by retrying its messages one by one.
        for (const msg of batch) {
          const single = await this.#attempt(cursor, owner, [msg], signal);
          if (signal.aborted) return;
          if (single.kind === "abandoned") break;
          if (single.kind === "acked") this.#commit(cursor, 1);
          else this.#poison(cursor, owner, msg, single.error);
        }
      }
      cursor.current = null;
    }
  }

  /** Up to maxAttempts deliveries of one batch, with doubling backoff between them. */
  async #attempt(cursor: Cursor, consumer: Consumer, messages: PushMsg[], signal: AbortSignal): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        await consumer.handler({ partition: cursor.partition, messages: [...messages] });
        return { kind: "acked" };
      } catch (error) {
        if (signal.aborted) return { kind: "abandoned" };
        if (attempt >= consumer.maxAttempts) return { kind: "failed", error };
        const backoff = Math.min(consumer.retryBackoffMs * 2 ** (attempt - 1), MAX_RETRY_BACKOFF_MS);
        await sleep(backoff, signal);
        // The partition moved to another consumer meanwhile: it starts over with fresh attempts.
        if (signal.aborted || cursor.owner !== consumer) return { kind: "abandoned" };
      }
    }
  }

  #poison(cursor: Cursor, consumer: Consumer, msg: PushMsg, error: unknown): void {
    this.#poisoned++;
    try {
      consumer.onPoison?.(msg, error);
    } catch {
      // A failing poison reporter must not block the partition.
    }
    this.#commit(cursor, 1);
  }

  #commit(cursor: Cursor, count: number): void {
    cursor.next += count;
    this.#trim(cursor.partition);
  }

  /** Drops the partition's entries that every group has committed. */
  #trim(partition: number): void {
    let min = Number.POSITIVE_INFINITY;
    for (const group of this.#groups.values()) min = Math.min(min, group.cursors[partition]!.next);
    if (Number.isFinite(min)) this.#logs[partition]!.trimBefore(min);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
