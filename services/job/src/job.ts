import type {
  Closable,
  CometConnector,
  CometRegistry,
  Logger,
  Presence,
  PushBatch,
  PushBus,
  PushSubscription,
} from "@chatroom/core";
import type { PushMsg } from "@chatroom/proto/grpc";
import { withBatchWindow } from "./batch-window.ts";
import { CometPool } from "./comet-pool.ts";
import type { JobConfig } from "./config.ts";
import { instrumentConnector } from "./metrics/instrument-connector.ts";
import type { JobMetrics } from "./metrics/job-metrics.ts";
import { PushRouter, type RouterStats } from "./push-router.ts";

export interface JobDeps {
  bus: PushBus;
  presence: Presence;
  registry: CometRegistry;
  connect: CometConnector;
  config: JobConfig;
  stats?: RouterStats;
  onPoison?: (push: PushMsg, error: unknown) => void;
  /** Where job records its metrics (none when absent). */
  metrics?: JobMetrics;
  /** Told about comets skipped as unreachable. */
  logger?: Logger;
}

export interface Job extends Closable {
  /** Ids of the comets job currently pushes to. */
  comets(): string[];
}

/** Starts a job: joins the consumer group and routes every push to the comets that need it. */
export async function startJob(deps: JobDeps): Promise<Job> {
  const { metrics, logger } = deps;
  const pool = new CometPool(deps.registry, metrics ? instrumentConnector(deps.connect, metrics) : deps.connect);
  metrics?.observeComets(() => pool.all().length);
  await pool.start();
  const router = new PushRouter({
    presence: deps.presence,
    comets: pool,
    roomBatchMaxMessages: deps.config.roomBatchMaxMessages,
    roomBatchMaxBytes: deps.config.roomBatchMaxBytes,
    stats: observedStats(deps.stats, metrics, logger),
  });
  const onPoison = (push: PushMsg, error: unknown) => {
    metrics?.poison();
    deps.onPoison?.(push, error);
  };
  let subscription: PushSubscription;
  const closing = new AbortController();
  try {
    const route = (batch: PushBatch) => {
      metrics?.batch(batch);
      return router.route(batch);
    };
    const handle = withBatchWindow(route, {
      windowMs: deps.config.batchWindowMs,
      maxBatchSize: deps.config.maxBatchSize,
      signal: closing.signal,
    });
    subscription = await deps.bus.subscribe(deps.config.group, handle, {
      maxBatchSize: deps.config.maxBatchSize,
      maxAttempts: deps.config.maxAttempts,
      retryBackoffMs: deps.config.retryBackoffMs,
      onPoison,
    });
  } catch (error) {
    await pool.close();
    throw error;
  }
  let closed = false;
  return {
    comets: () => pool.all().map((c) => c.info.id),
    async close() {
      if (closed) return;
      closed = true;
      closing.abort();
      await subscription.close();
      await pool.close();
    },
  };
}

/** The caller's stats (tests) plus the metrics and a log line for every comet skipped as unreachable. */
function observedStats(
  stats: RouterStats | undefined,
  metrics: JobMetrics | undefined,
  logger: JobDeps["logger"],
): RouterStats {
  return {
    onPushed: (kind, comets) => stats?.onPushed(kind, comets),
    onMiss(kind, push) {
      metrics?.miss(kind);
      stats?.onMiss(kind, push);
    },
    onCometUnreachable(cometId, error) {
      logger?.warn({ err: error, comet: cometId }, "comet unreachable; skipped for this push");
      stats?.onCometUnreachable?.(cometId, error);
    },
  };
}
