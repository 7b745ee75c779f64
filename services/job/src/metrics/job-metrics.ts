import { isChatError, type PushBatch } from "@chatroom/core";
import { COUNT_BUCKETS, LATENCY_BUCKETS } from "@chatroom/core/observability";
import { PushMsg_Type } from "@chatroom/proto/grpc";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

const TYPE_LABEL: Record<number, string> = {
  [PushMsg_Type.TYPE_PUSH]: "push",
  [PushMsg_Type.TYPE_ROOM]: "room",
  [PushMsg_Type.TYPE_BROADCAST]: "broadcast",
};

/** Buckets of the bus wait: from milliseconds (a live consumer) to minutes (a backlog). */
const WAIT_BUCKETS = [...LATENCY_BUCKETS, 30, 60, 300];

/** job's metrics (chatroom_job_*; catalogue in docs/observability.md). */
export class JobMetrics {
  readonly #consumed: Counter<"type">;
  readonly #lag: Gauge<"partition">;
  readonly #batchSize: Histogram;
  readonly #batchWait: Histogram;
  readonly #push: Histogram<"comet" | "method">;
  readonly #pushErrors: Counter<"comet" | "method" | "code">;
  readonly #misses: Counter<"type">;
  readonly #poison: Counter;
  /** Error codes seen per comet, so that a departed comet's series can all be removed. */
  readonly #errorCodes = new Map<string, Set<string>>();
  #lagPartitions = new Set<string>();
  #comets: () => number = () => 0;

  constructor(registry: Registry) {
    const registers = [registry];
    const comets = () => this.#comets();
    this.#consumed = new Counter({
      name: "chatroom_job_messages_consumed_total",
      help: "Pushes taken from the bus by type (room, push, broadcast); a redelivered batch counts again",
      labelNames: ["type"],
      registers,
    });
    this.#lag = new Gauge({
      name: "chatroom_job_consumer_lag",
      help: "Messages of a partition owned by this job not processed yet (high watermark at the last fetch minus the next offset; Kafka only)",
      labelNames: ["partition"],
      registers,
    });
    this.#batchSize = new Histogram({
      name: "chatroom_job_batch_size",
      help: "Pushes per batch handed to job by the bus",
      buckets: [...COUNT_BUCKETS],
      registers,
    });
    this.#batchWait = new Histogram({
      name: "chatroom_job_batch_wait_seconds",
      help: "How long each push waited between logic publishing it (published_at_ms) and job starting to route its batch",
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.#push = new Histogram({
      name: "chatroom_job_comet_push_duration_seconds",
      help: "Calls to a comet's push API by comet and method (push_msg, broadcast, broadcast_room), failed ones included",
      labelNames: ["comet", "method"],
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    this.#pushErrors = new Counter({
      name: "chatroom_job_comet_push_errors_total",
      help: "Failed calls to a comet's push API by comet, method and code (the ChatError code: unavailable, …)",
      labelNames: ["comet", "method", "code"],
      registers,
    });
    this.#misses = new Counter({
      name: "chatroom_job_routing_misses_total",
      help: "Pushes with no live connection anywhere (member offline, room without connections), by type",
      labelNames: ["type"],
      registers,
    });
    this.#poison = new Counter({
      name: "chatroom_job_poison_messages_total",
      help: "Pushes skipped after failing every delivery attempt",
      registers,
    });
    new Gauge({
      name: "chatroom_job_comets",
      help: "Comets job knows from the registry (and pushes to)",
      registers,
      collect() {
        this.set(comets());
      },
    });
  }

  /** Where the comets gauge reads from, at scrape time. */
  observeComets(count: () => number): void {
    this.#comets = count;
  }

  /** A batch from the bus, about to be routed. */
  batch(batch: PushBatch): void {
    this.#batchSize.observe(batch.messages.length);
    const now = Date.now();
    for (const push of batch.messages) {
      this.#consumed.inc({ type: TYPE_LABEL[push.type] ?? "unknown" });
      if (push.publishedAtMs > 0) this.#batchWait.observe(Math.max(0, now - push.publishedAtMs) / 1000);
    }
  }

  cometCall(comet: string, method: string, seconds: number, error?: unknown): void {
    this.#push.observe({ comet, method }, seconds);
    if (error === undefined) return;
    const code = isChatError(error) ? error.code : "internal";
    this.#pushErrors.inc({ comet, method, code });
    let codes = this.#errorCodes.get(comet);
    if (!codes) {
      codes = new Set();
      this.#errorCodes.set(comet, codes);
    }
    codes.add(`${method}\u0000${code}`);
  }

  /** Drops a departed comet's series (comet ids are pod names: they come and go). */
  forgetComet(comet: string, methods: readonly string[]): void {
    for (const method of methods) this.#push.remove({ comet, method });
    for (const entry of this.#errorCodes.get(comet) ?? []) {
      const [method = "", code = ""] = entry.split("\u0000");
      this.#pushErrors.remove({ comet, method, code });
    }
    this.#errorCodes.delete(comet);
  }

  miss(type: "push" | "room"): void {
    this.#misses.inc({ type });
  }

  poison(): void {
    this.#poison.inc();
  }

  /** This job now owns exactly these partitions: the others' lag series go. */
  assigned(partitions: readonly number[]): void {
    const owned = new Set(partitions.map(String));
    for (const partition of this.#lagPartitions) if (!owned.has(partition)) this.#lag.remove({ partition });
    this.#lagPartitions = owned;
  }

  lag(partition: number, lag: number): void {
    const label = String(partition);
    this.#lagPartitions.add(label);
    this.#lag.set({ partition: label }, lag);
  }
}
