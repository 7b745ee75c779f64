import type { Closable } from "../lifecycle.ts";
import type { CometInfo, CometRegistry } from "./comet-registry.ts";

/**
 * Registers a comet and renews the entry every ttl/3 until closed; close() deregisters it. A failed renewal is
 * reported and retried at the next tick (the entry survives up to two missed renewals).
 */
export async function keepRegistered(
  registry: CometRegistry,
  info: CometInfo,
  ttlMs: number,
  onError: (error: unknown) => void = () => {},
): Promise<Closable> {
  await registry.register(info, ttlMs);
  const timer = setInterval(
    () => {
      registry.register(info, ttlMs).catch(onError);
    },
    Math.max(10, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  let closed = false;
  return {
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await registry.deregister(info.id);
    },
  };
}
