import type { PushBusObserver, ReadinessCheck } from "@chatroom/core/observability";
import type { JobMetrics } from "./job-metrics.ts";

/**
 * Follows job's bus consumer through the bus's observer hooks (Kafka): records the partition lag, and answers the
 * "bus" readiness check — ready while the consumer is in its group; not ready from a crash until it rejoins, and
 * for good once kafkajs gave up on it. A bus without hooks (in-process) reports nothing and is always ready.
 */
export class ConsumerHealth implements PushBusObserver {
  readonly #metrics: JobMetrics | undefined;
  #problem: string | null = null;

  constructor(metrics?: JobMetrics) {
    this.#metrics = metrics;
  }

  onAssignment(_group: string, partitions: readonly number[]): void {
    if (!this.#problem?.startsWith("stopped")) this.#problem = null;
    this.#metrics?.assigned(partitions);
  }

  onConsumerCrash(group: string, restart: boolean, error: unknown): void {
    const detail = error instanceof Error ? error.message : String(error);
    this.#problem = restart
      ? `consumer of ${group} crashed and is rejoining: ${detail}`
      : `stopped: the consumer of ${group} gave up: ${detail}`;
  }

  onPartitionLag(_group: string, partition: number, lag: number): void {
    this.#metrics?.lag(partition, lag);
  }

  readonly check: ReadinessCheck = {
    name: "bus",
    check: () => {
      if (this.#problem) throw new Error(this.#problem);
    },
  };
}
