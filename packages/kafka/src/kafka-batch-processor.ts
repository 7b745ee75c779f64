import type { PushBatch, PushBatchHandler } from "@chatroom/core";
import { type PushMsg, PushMsg as PushMsgCodec } from "@chatroom/proto/grpc";
import type { EachBatchPayload, KafkaMessage } from "kafkajs";
import { KeepAlive, sleep } from "./kafka-keep-alive.ts";

const MAX_RETRY_BACKOFF_MS = 30_000;

export interface BatchProcessorOptions {
  readonly handler: PushBatchHandler;
  readonly maxBatchSize: number;
  readonly maxAttempts: number;
  readonly retryBackoffMs: number;
  readonly onPoison: ((msg: PushMsg, error: unknown) => void) | undefined;
  readonly heartbeatIntervalMs: number;
  /** Aborted when the subscription closes: in-flight work is abandoned uncommitted. */
  readonly closing: AbortSignal;
  /** Counts a skipped message (bus-wide statistic). */
  readonly poisoned: () => void;
  /** Messages of the partition not processed yet, when a batch is fetched and after each commit. */
  readonly onLag?: ((partition: number, lag: number) => void) | undefined;
}

interface Entry {
  readonly offset: string;
  readonly msg: PushMsg;
}

type Outcome = { kind: "acked" } | { kind: "abandoned" } | { kind: "failed"; error: unknown };

/** One fetched kafkajs batch being processed: its payload, keep-alive and stop conditions. */
interface Run {
  readonly payload: EachBatchPayload;
  readonly keepAlive: KeepAlive;
}

/**
 * The kafkajs `eachBatch` of one subscription (autoCommit and eachBatchAutoResolve off): cuts the fetched batch
 * into PushBatches of at most maxBatchSize consecutive messages and hands them to the handler one at a time. An
 * acknowledged PushBatch is committed (the offset after its last message) before the next one is cut; a failing one
 * is retried with doubling backoff, then split into single messages, and a message failing maxAttempts times — or a
 * record that is not a PushMsg — is poison: reported, counted, committed past.
 *
 * Processing stops without committing when the subscription closes or when a heartbeat reports that the group is
 * rebalancing (the keep-alive heartbeats only after heartbeatIntervalMs, so only a handler slower than that is cut
 * short): the handler is abandoned — it may still be running when the PushBatch is redelivered — so that one slow
 * member never holds up the whole group's rebalance. kafkajs then fetches the uncommitted messages again, here or
 * at the partition's next owner.
 */
export class KafkaBatchProcessor {
  readonly #options: BatchProcessorOptions;

  constructor(options: BatchProcessorOptions) {
    this.#options = options;
  }

  readonly eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const run: Run = { payload, keepAlive: new KeepAlive(payload.heartbeat, this.#options.heartbeatIntervalMs) };
    try {
      await this.#process(run);
    } finally {
      run.keepAlive.stop();
    }
    // The group moved on (or the coordinator is gone): kafkajs must see it to rejoin.
    if (run.keepAlive.failed && !this.#options.closing.aborted) throw run.keepAlive.error;
  };

  async #process(run: Run): Promise<void> {
    const { batch } = run.payload;
    const first = batch.messages[0];
    if (first) this.#reportLag(run, first.offset);
    let chunk: Entry[] = [];
    for (const message of batch.messages) {
      if (this.#stopped(run)) return;
      const decoded = decode(message);
      if ("error" in decoded) {
        if (chunk.length > 0 && !(await this.#deliver(run, chunk))) return;
        chunk = [];
        const placeholder = { ...PushMsgCodec.decode(new Uint8Array(0)), id: recordId(batch, message) };
        await this.#poison(run, { offset: message.offset, msg: placeholder }, decoded.error);
        continue;
      }
      chunk.push({ offset: message.offset, msg: decoded.msg });
      if (chunk.length >= this.#options.maxBatchSize) {
        if (!(await this.#deliver(run, chunk))) return;
        chunk = [];
      }
    }
    if (chunk.length > 0) await this.#deliver(run, chunk);
  }

  /** Delivers one PushBatch to completion (acked or poison-skipped); false when processing must stop. */
  async #deliver(run: Run, chunk: Entry[]): Promise<boolean> {
    const outcome = await this.#attempt(run, chunk);
    if (outcome.kind === "abandoned") return false;
    if (outcome.kind === "acked") {
      await this.#commit(run, chunk[chunk.length - 1]!);
      return true;
    }
    if (chunk.length === 1) {
      await this.#poison(run, chunk[0]!, outcome.error);
      return true;
    }
    // The batch keeps failing: find the culprits by retrying its messages one by one.
    for (const entry of chunk) {
      const single = await this.#attempt(run, [entry]);
      if (single.kind === "abandoned") return false;
      if (single.kind === "acked") await this.#commit(run, entry);
      else await this.#poison(run, entry, single.error);
    }
    return true;
  }

  /** Up to maxAttempts deliveries of one PushBatch, with doubling backoff between them. */
  async #attempt(run: Run, chunk: readonly Entry[]): Promise<Outcome> {
    const { handler, maxAttempts, retryBackoffMs, closing } = this.#options;
    const partition = run.payload.batch.partition;
    for (let attempt = 1; ; attempt++) {
      if (this.#stopped(run)) return { kind: "abandoned" };
      const batch = { partition, messages: chunk.map((entry) => entry.msg) };
      const result = await settle(handler, batch, [closing, run.keepAlive.signal]);
      if (result.kind === "aborted") return { kind: "abandoned" };
      if (result.kind === "resolved") return { kind: "acked" };
      if (this.#stopped(run)) return { kind: "abandoned" };
      if (attempt >= maxAttempts) return { kind: "failed", error: result.error };
      const backoff = Math.min(retryBackoffMs * 2 ** (attempt - 1), MAX_RETRY_BACKOFF_MS);
      await sleep(backoff, [closing, run.keepAlive.signal]);
    }
  }

  async #poison(run: Run, entry: Entry, error: unknown): Promise<void> {
    this.#options.poisoned();
    try {
      this.#options.onPoison?.(entry.msg, error);
    } catch {
      // A failing poison reporter must not block the partition.
    }
    await this.#commit(run, entry);
  }

  /**
   * Commits the offset after `entry`, then marks it resolved so that this member's next fetch starts there. A
   * failed commit (the group rebalanced) throws to kafkajs, which rejoins and fetches from the last commit.
   */
  async #commit(run: Run, entry: Entry): Promise<void> {
    const { batch, commitOffsetsIfNecessary, resolveOffset } = run.payload;
    const next = (BigInt(entry.offset) + 1n).toString();
    await commitOffsetsIfNecessary({
      topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
    });
    resolveOffset(entry.offset);
    this.#reportLag(run, next);
  }

  /** Lag = the partition's high watermark (as of this fetch) minus the next offset to process. */
  #reportLag(run: Run, nextOffset: string): void {
    const { onLag } = this.#options;
    if (!onLag) return;
    const { partition, highWatermark } = run.payload.batch;
    onLag(partition, Math.max(0, Number(BigInt(highWatermark) - BigInt(nextOffset))));
  }

  /** The subscription is closing, the consumer stopping, the partition revoked or the group rebalancing. */
  #stopped(run: Run): boolean {
    return this.#options.closing.aborted || run.keepAlive.failed || !run.payload.isRunning() || run.payload.isStale();
  }
}

function decode(message: KafkaMessage): { msg: PushMsg } | { error: unknown } {
  if (!message.value) return { error: new Error("record without a value") };
  try {
    const msg = PushMsgCodec.decode(message.value);
    // A copy: the decoded bytes are a view of the whole fetch response, which must not stay referenced.
    msg.msg = new Uint8Array(msg.msg);
    return { msg };
  } catch (error) {
    return { error };
  }
}

function recordId(batch: { topic: string; partition: number }, message: KafkaMessage): string {
  return `${batch.topic}/${batch.partition}@${message.offset}`;
}

type Settled = { kind: "resolved" } | { kind: "rejected"; error: unknown } | { kind: "aborted" };

/** Runs the handler; stops waiting for it (it keeps running, its outcome ignored) once a signal aborts. */
function settle(handler: PushBatchHandler, batch: PushBatch, signals: readonly AbortSignal[]): Promise<Settled> {
  if (signals.some((signal) => signal.aborted)) return Promise.resolve({ kind: "aborted" });
  return new Promise((resolve) => {
    const onAbort = () => done({ kind: "aborted" });
    for (const signal of signals) signal.addEventListener("abort", onAbort, { once: true });
    const done = (settled: Settled) => {
      for (const signal of signals) signal.removeEventListener("abort", onAbort);
      resolve(settled);
    };
    Promise.resolve()
      .then(() => handler(batch))
      .then(
        () => done({ kind: "resolved" }),
        (error: unknown) => done({ kind: "rejected", error }),
      );
  });
}
