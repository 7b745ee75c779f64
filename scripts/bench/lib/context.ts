import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startCentrifugo } from "./centrifugo-target.ts";
import { type ClusterShape, startClusterTarget } from "./cluster-target.ts";
import { summarizeProfile } from "./cpu-profile.ts";
import { startEmbedded } from "./embedded-target.ts";
import { ROOT } from "./machine.ts";
import { CpuMeter, infraPids } from "./proc-stats.ts";
import { startSocketIo } from "./socketio-target.ts";
import type { SystemName, Target } from "./target.ts";
import type { LoadWorker } from "./worker-pool.ts";

/** What every scenario gets: where the chatroom runs, the scenario's parameters, and the harness's switches. */
export interface BenchContext {
  target: "embedded" | "cluster";
  /** Also run the baselines where the scenario has them. */
  baseline: boolean;
  /** Which baselines (default both: Socket.IO and Centrifugo). */
  baselines?: Exclude<SystemName, "chatroom">[];
  /** CPU-profile the servers during each measured window and summarize the top frames. */
  profile: boolean;
  /** connections: heap snapshots before and after, summarized as heap growth per connection by constructor. */
  heap?: boolean;
  /** Load-generator processes holding the receiving clients (at least; more when N needs more descriptors). */
  workers: number;
  cluster: ClusterShape;
  /** Scratch space: data dirs, logs, probe files, profiles. */
  workDir: string;
  /** Scenario parameters from the command line: `--members=1000`, or for one scenario only `--fan-out.rate=100`. */
  params: Record<string, string | undefined>;
  /** The scenario running now (set by the runner), for scenario-prefixed parameters. */
  scenario?: string;
  log(line: string): void;
}

/** A parameter's text: `--<scenario>.<name>` first, then `--<name>`. */
export function rawParam(ctx: BenchContext, name: string): string | undefined {
  return (ctx.scenario ? ctx.params[`${ctx.scenario}.${name}`] : undefined) ?? ctx.params[name];
}

export function param(ctx: BenchContext, name: string, fallback: number): number {
  const raw = rawParam(ctx, name);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, got "${raw}"`);
  return value;
}

export function params(ctx: BenchContext, name: string, fallback: number[]): number[] {
  const raw = rawParam(ctx, name);
  if (raw === undefined || raw === "") return fallback;
  return raw.split(",").map((part) => {
    const value = Number(part.replace(/k$/i, "000"));
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}: "${part}" is not a number`);
    return value;
  });
}

/** Starts the system, runs `use`, always stops it. */
export async function withSystem<T>(
  ctx: BenchContext,
  system: SystemName,
  use: (target: Target) => Promise<T>,
): Promise<T> {
  const label = { socketio: "socket.io", centrifugo: "centrifugo", chatroom: ctx.target }[system];
  const dir = join(ctx.workDir, `${label}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const target =
    system === "socketio"
      ? await startSocketIo(dir)
      : system === "centrifugo"
        ? await startCentrifugo(dir, ctx.log)
        : ctx.target === "cluster"
          ? await startClusterTarget(dir, ctx.cluster)
          : await startEmbedded(dir);
  ctx.log(`  started ${target.name} (logs in ${dir}/logs)`);
  try {
    return await use(target);
  } finally {
    await target.stop();
  }
}

let nextAddress = 0;

/**
 * Source addresses for `n` connections: a 127.0.0.x per 25,000 (a bound address has ~28k ephemeral ports). Each call
 * takes fresh addresses (rotating through 127.0.0.2–254): the ports of the previous step's connections sit in
 * TIME_WAIT for a minute, and a socket bound to an address cannot take them.
 */
export function sourceAddresses(n: number): string[] {
  return Array.from({ length: Math.max(1, Math.ceil(n / 25_000)) }, () => {
    const address = `127.0.0.${2 + (nextAddress % 253)}`;
    nextAddress += 1;
    return address;
  });
}

export interface Window {
  /** CPU of each process over the window, % of one core (200 % = this machine's 2 cores). */
  cpu: string;
  /** Profile summaries of the servers, when profiling. */
  profiles: string[];
}

/**
 * Measures a window of a scenario: CPU of the servers, the load workers and (cluster) Kafka/MariaDB/Redis, and with
 * ctx.profile a CPU profile of each server process.
 */
export async function measureWindow<T>(
  ctx: BenchContext,
  target: Target,
  workers: readonly LoadWorker[],
  label: string,
  run: () => Promise<T>,
): Promise<{ result: T; window: Window }> {
  const pids = new Map(target.processes());
  workers.forEach((w, i) => {
    pids.set(`worker${i + 1}`, w.pid);
  });
  pids.set("harness", process.pid);
  if (ctx.target === "cluster" && target.system === "chatroom") for (const [n, p] of infraPids(ROOT)) pids.set(n, p);
  const servers = target.profiled === false ? [] : [...target.processes()];
  if (ctx.profile)
    await Promise.all(
      servers.map(([, pid]) =>
        target
          .probe(pid)
          .startProfile()
          .catch(() => {}),
      ),
    );
  const meter = new CpuMeter(pids);
  meter.start();
  const result = await run();
  const cpu = [...meter.stop()].map(([name, pct]) => `${name} ${pct}%`).join(", ");
  const profiles: string[] = [];
  if (ctx.profile) {
    for (const [name, pid] of servers) {
      const file = join(ctx.workDir, `${label}-${target.name}-${name}.cpuprofile`.replace(/[^\w.-]+/g, "_"));
      try {
        const summary = summarizeProfile(await target.probe(pid).stopProfile(file), 6);
        // Idle processes say nothing about what bounds the run.
        if (summary.busyShare < 0.15) continue;
        profiles.push(
          `${name} (${label}, busy in ${(summary.busyShare * 100).toFixed(0)}% of samples) — by area: ` +
            `${summary.areas.slice(0, 5).join(", ")}; top frames: ${summary.frames.join("; ")}`,
        );
      } catch (error) {
        profiles.push(`${name}: no profile (${error instanceof Error ? error.message : String(error)})`);
      }
    }
  }
  return { result, window: { cpu, profiles } };
}
