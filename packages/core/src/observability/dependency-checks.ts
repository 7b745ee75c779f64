import { Gauge, type Registry } from "prom-client";
import type { CometRegistry } from "../comet-registry/comet-registry.ts";
import type { Presence } from "../presence/presence.ts";
import type { Stores } from "../store/stores.ts";
import { type ReadinessCheck, runCheck } from "./readiness.ts";

/**
 * Readiness checks of the shared backends, through their interfaces only (one cheap real call each), so that they
 * work on every implementation: in-process ones always pass, a database or Redis that is down fails.
 */

/** The store answers a primary-key read (one indexed query on MySQL/SQLite). */
export function storeCheck(stores: Stores, name = "store"): ReadinessCheck {
  return { name, check: async () => void (await stores.rooms.get("lobby")) };
}

/** Presence answers a lookup (one Redis round trip with Redis presence). */
export function presenceCheck(presence: Presence, name = "presence"): ReadinessCheck {
  return { name, check: async () => void (await presence.locateKeys(["readyz-probe"])) };
}

/**
 * The comet registry answers a listing; with `ownId`, the listing must also hold that comet (a comet whose
 * registration lapsed is unreachable for job, hence not ready).
 */
export function registryCheck(registry: CometRegistry, ownId?: string, name = "registry"): ReadinessCheck {
  return {
    name,
    async check() {
      const comets = await registry.list();
      if (ownId !== undefined && !comets.some((c) => c.id === ownId)) {
        throw new Error(`comet ${ownId} is not registered`);
      }
    },
  };
}

/** Something that can tell whether its remote end answers (KafkaPushBus.ping, GrpcLogicClient.ping). */
export interface Pingable {
  ping(): Promise<void>;
}

export function isPingable(value: unknown): value is Pingable {
  return typeof value === "object" && value !== null && typeof (value as { ping?: unknown }).ping === "function";
}

/** `target` answers its ping when it has one (a remote client); an in-process implementation always passes. */
export function pingCheck(name: string, target: unknown): ReadinessCheck {
  return { name, check: async () => (isPingable(target) ? target.ping() : undefined) };
}

/** The push bus reaches its brokers (Kafka: topic metadata); an in-process bus always passes. */
export function busCheck(bus: unknown, name = "bus"): ReadinessCheck {
  return pingCheck(name, bus);
}

/**
 * The dependencies a process calls but whose failure must not make it unready (a comet's logic and Redis: a slow
 * dependency would otherwise mark every comet not ready at once, and job would stop pushing to all clients). Exported
 * as chatroom_dependency_up{dependency} (1 answers, 0 does not), evaluated on each scrape with the checks' timeout,
 * for dashboards and alerts (ChatroomDependencyDown) instead of readiness.
 */
export function registerDependencyGauge(registry: Registry, checks: ReadinessCheck[], timeoutMs = 2000): void {
  new Gauge({
    name: "chatroom_dependency_up",
    help: "1 when the dependency answered its check at the last scrape, 0 when it failed or timed out",
    labelNames: ["dependency"],
    registers: [registry],
    async collect() {
      const results = await Promise.all(checks.map((check) => runCheck(check, timeoutMs)));
      checks.forEach((check, index) => {
        this.set({ dependency: check.name }, results[index] === "ok" ? 1 : 0);
      });
    },
  });
}
