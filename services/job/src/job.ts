import type { Closable, CometConnector, CometRegistry, Presence, PushBus, PushSubscription } from "@chatroom/core";
import type { PushMsg } from "@chatroom/proto/grpc";
import { CometPool } from "./comet-pool.ts";
import type { JobConfig } from "./config.ts";
import { PushRouter, type RouterStats } from "./push-router.ts";

export interface JobDeps {
  bus: PushBus;
  presence: Presence;
  registry: CometRegistry;
  connect: CometConnector;
  config: JobConfig;
  stats?: RouterStats;
  onPoison?: (push: PushMsg, error: unknown) => void;
}

export interface Job extends Closable {
  /** Ids of the comets job currently pushes to. */
  comets(): string[];
}

/** Starts a job: joins the consumer group and routes every push to the comets that need it. */
export async function startJob(deps: JobDeps): Promise<Job> {
  const pool = new CometPool(deps.registry, deps.connect);
  await pool.start();
  const router = new PushRouter({
    presence: deps.presence,
    comets: pool,
    roomBatchMaxMessages: deps.config.roomBatchMaxMessages,
    roomBatchMaxBytes: deps.config.roomBatchMaxBytes,
    ...(deps.stats ? { stats: deps.stats } : {}),
  });
  let subscription: PushSubscription;
  try {
    subscription = await deps.bus.subscribe(deps.config.group, (batch) => router.route(batch), {
      maxBatchSize: deps.config.maxBatchSize,
      maxAttempts: deps.config.maxAttempts,
      retryBackoffMs: deps.config.retryBackoffMs,
      ...(deps.onPoison ? { onPoison: deps.onPoison } : {}),
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
      await subscription.close();
      await pool.close();
    },
  };
}
