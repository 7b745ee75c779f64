import { BaselineSkipped } from "../centrifugo/install.ts";
import { type BenchContext, withSystem } from "./context.ts";
import { describeError } from "./report.ts";
import type { SystemName, Target } from "./target.ts";

/** The table name of a system's rows (chatroom's rows carry the target: "embedded" or "cluster"). */
export const BASELINE_NAMES = { socketio: "socket.io", centrifugo: "centrifugo" } as const;

export type BaselineName = keyof typeof BASELINE_NAMES;

/** chatroom, then the baselines this run compares it with. */
export function systemsToRun(ctx: BenchContext): SystemName[] {
  if (!ctx.baseline) return ["chatroom"];
  return ["chatroom", ...(ctx.baselines ?? (["socketio", "centrifugo"] as const))];
}

export interface SystemsOutcome<T> {
  results: T[];
  /** Baselines that could not run here, with why (printed and recorded, never a failure). */
  skipped: string[];
  failures: string[];
}

/**
 * Runs `use` on each system in turn (each started fresh and stopped after). A baseline this machine cannot run
 * (Centrifugo without Go) is skipped with its message; any other error is a failure of that system only.
 */
export async function onEachSystem<T>(
  ctx: BenchContext,
  use: (target: Target, system: SystemName) => Promise<T[]>,
  systems: readonly SystemName[] = systemsToRun(ctx),
): Promise<SystemsOutcome<T>> {
  const outcome: SystemsOutcome<T> = { results: [], skipped: [], failures: [] };
  for (const system of systems) {
    try {
      outcome.results.push(...(await withSystem(ctx, system, (target) => use(target, system))));
    } catch (error) {
      if (error instanceof BaselineSkipped) {
        ctx.log(`  ${error.message}`);
        outcome.skipped.push(error.message);
      } else {
        outcome.failures.push(`${system}: ${describeError(error)}`);
      }
    }
  }
  return outcome;
}
