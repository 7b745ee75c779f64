/**
 * Optional hooks into a push bus's consumers (KafkaPushBusOptions.observer), for metrics and readiness; the PushBus
 * interface itself does not change. Hooks run on the consumer's path: they must be cheap and must not throw.
 */
export interface PushBusObserver {
  /** A consumer of `group` joined the group (again) and now owns these partitions (possibly none). */
  onAssignment?(group: string, partitions: readonly number[]): void;
  /** A consumer of `group` crashed; restart: kafkajs rejoins by itself, false: it stopped for good. */
  onConsumerCrash?(group: string, restart: boolean, error: unknown): void;
  /**
   * Messages of `partition` not yet processed by `group`: the partition's high watermark (as of the last fetch) minus
   * the next offset to process. Reported when a batch is fetched and after each commit.
   */
  onPartitionLag?(group: string, partition: number, lag: number): void;
}
