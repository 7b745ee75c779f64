import { rmSync } from "node:fs";
import { join } from "node:path";
import { type BenchContext, measureWindow, params, sourceAddresses } from "../lib/context.ts";
import { heapGrowthPerConnection } from "../lib/heap-summary.ts";
import { procSample } from "../lib/proc-stats.ts";
import type { ScenarioResult } from "../lib/report.ts";
import { BASELINE_NAMES, onEachSystem, systemsToRun } from "../lib/systems.ts";
import { fmt, ratio, type Table } from "../lib/table.ts";
import type { Target } from "../lib/target.ts";
import { sleep } from "../lib/timing.ts";
import { split, startWorkers, stopWorkers } from "../lib/worker-pool.ts";
import type { ClientSpec } from "../worker/protocol.ts";

/** Connections one worker process holds at most (its descriptors are limited like the server's). */
const PER_WORKER = 15_000;
/** Members whose connections make up N (each member has N / members connections, like tabs and devices). */
const MEMBERS = 100;

interface Step {
  system: string;
  n: number;
  opened: number;
  failed: number;
  connectMs: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  /** Growth of the committed V8 heap (heapTotal), which is what the RSS pays for the heap. */
  heapTotalDelta: number;
  cpu: string;
  profiles: string[];
  errors: string[];
  /** With ctx.heap: heap growth per connection by constructor. */
  heapGrowth: string[];
}

async function step(ctx: BenchContext, target: Target, n: number, settleMs: number): Promise<Step> {
  const holder = target.connectionHolder();
  const members = await target.members(Math.min(n, MEMBERS), `conn${n}x`);
  const url = target.wsUrls[0] as string;
  const clients: ClientSpec[] = Array.from({ length: n }, (_, i) => ({
    token: members[i % members.length]?.token as string,
    url,
    group: "idle",
    rooms: ["idle"],
  }));
  const workers = await startWorkers(Math.max(ctx.workers, Math.ceil(n / PER_WORKER)));
  // Heap snapshots are V8's: not for a Go baseline.
  const heap = ctx.heap === true && target.profiled !== false;
  try {
    await sleep(1000);
    const snapshot = (label: string) =>
      target.probe(holder.pid).heapSnapshot(join(ctx.workDir, `${target.name}-${n}-${label}.heapsnapshot`));
    const before = await target.probe(holder.pid).memory();
    const rssBefore = procSample(holder.pid)?.rssBytes ?? before.rss;
    // A snapshot inflates the RSS: heap runs report the heap breakdown, not the RSS.
    const beforeSnapshot = heap ? await snapshot("before") : "";
    ctx.log(`  ${target.name}: opening ${n} connections from ${workers.length} workers`);
    const { result: opens, window } = await measureWindow(ctx, target, workers, `connect-${n}`, () =>
      Promise.all(
        split(clients, workers.length).map((part, i) =>
          workers[i]?.open(
            {
              system: target.system,
              clients: part,
              localAddresses: sourceAddresses(n),
              concurrency: 100,
              track: "none",
              timeoutMs: 60_000,
            },
            30 * 60_000,
          ),
        ),
      ),
    );
    const opened = opens.reduce((s, o) => s + (o?.opened ?? 0), 0);
    const failed = opens.reduce((s, o) => s + (o?.failed ?? 0), 0);
    const startedAt = Math.min(...opens.map((o) => o?.startedAt ?? Number.POSITIVE_INFINITY));
    const finishedAt = Math.max(...opens.map((o) => o?.finishedAt ?? 0));
    ctx.log(`  ${target.name}: ${opened} open, ${failed} failed; idling ${settleMs} ms`);
    await sleep(settleMs);
    const after = await target.probe(holder.pid).memory();
    const rssAfter = heap ? Number.NaN : (procSample(holder.pid)?.rssBytes ?? after.rss);
    const stats = await Promise.all(workers.map((w) => w.stats()));
    const stillOpen = stats.reduce((s, x) => s + x.open, 0);
    let heapGrowth: string[] = [];
    if (heap) {
      const afterSnapshot = await snapshot("after");
      try {
        heapGrowth = heapGrowthPerConnection(beforeSnapshot, afterSnapshot, stillOpen);
      } catch (error) {
        heapGrowth = [`(heap snapshot not summarized: ${error instanceof Error ? error.message : String(error)})`];
      }
      rmSync(beforeSnapshot, { force: true });
      rmSync(afterSnapshot, { force: true });
    }
    return {
      system: target.name,
      n,
      opened: stillOpen,
      failed: failed + (opened - stillOpen),
      connectMs: finishedAt - startedAt,
      rssBefore: heap ? Number.NaN : rssBefore,
      rssAfter,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      heapTotalDelta: after.heapTotal - before.heapTotal,
      cpu: window.cpu,
      profiles: window.profiles,
      errors: opens.flatMap((o) => o?.errors ?? []).slice(0, 3),
      heapGrowth,
    };
  } finally {
    await stopWorkers(workers);
  }
}

const perConnKb = (delta: number, n: number) => (n > 0 ? delta / n / 1024 : 0);

/**
 * RSS per connection between this N and the previous one of the same system: the fixed costs that grow with load
 * (young generation, buffers, JIT code) cancel out, which is closer to the per-connection cost at 100k.
 */
function marginal(steps: readonly Step[], i: number): string {
  const s = steps[i] as Step;
  const previous = steps[i - 1];
  if (!previous || previous.system !== s.system || s.opened <= previous.opened) return "–";
  return fmt(perConnKb(s.rssAfter - previous.rssAfter, s.opened - previous.opened), 2);
}

/**
 * N idle authenticated connections to one comet (the all-in-one in embedded mode) and, with the baselines, to one
 * Socket.IO server and one Centrifugo server: connect rate and the server's RSS and heap per connection (each N on a fresh server).
 */
export async function connectionsScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const ns = params(ctx, "n", [1000, 5000, 10_000, 19_500]);
  const settleMs = params(ctx, "settle-ms", [5000])[0] as number;
  const steps: Step[] = [];
  const notes: string[] = [];
  const failures: string[] = [];
  for (const system of systemsToRun(ctx)) {
    for (const n of ns) {
      // A fresh server per N.
      const outcome = await onEachSystem(ctx, async (target) => [await step(ctx, target, n, settleMs)], [system]);
      steps.push(...outcome.results);
      failures.push(...outcome.failures.map((failure) => `${failure} (N=${n})`));
      notes.push(...outcome.skipped);
      if (outcome.skipped.length > 0) break;
    }
  }
  const table: Table = {
    headers: [
      "system",
      "N",
      "open",
      "failed",
      "connect s",
      "connects/s",
      "RSS before MB",
      "RSS after MB",
      "RSS/conn KB",
      "marginal RSS/conn KB",
      "heap/conn KB",
      "heap committed/conn KB",
    ],
    rows: steps.map((s, i) => [
      s.system,
      s.n,
      s.opened,
      s.failed,
      fmt(s.connectMs / 1000, 1),
      Math.round(s.opened / (s.connectMs / 1000)),
      fmt(s.rssBefore / 2 ** 20, 1),
      fmt(s.rssAfter / 2 ** 20, 1),
      fmt(perConnKb(s.rssAfter - s.rssBefore, s.opened), 2),
      marginal(steps, i),
      fmt(perConnKb(s.heapAfter - s.heapBefore, s.opened), 2),
      fmt(perConnKb(s.heapTotalDelta, s.opened), 2),
    ]),
  };
  const tables = [table];
  const baselineNames: string[] = Object.values(BASELINE_NAMES);
  const chat = steps.filter((s) => !baselineNames.includes(s.system));
  for (const [name, title] of [
    [BASELINE_NAMES.socketio, "Socket.IO"],
    [BASELINE_NAMES.centrifugo, "Centrifugo"],
  ] as const) {
    const base = steps.filter((s) => s.system === name);
    if (!base.length) continue;
    tables.push({
      caption: `chatroom ÷ ${title} (RSS: lower is better; connect rate: higher is better)`,
      headers: ["N", "RSS/conn ratio", "heap/conn ratio", "connect rate ratio"],
      rows: chat.flatMap((c) => {
        const s = base.find((x) => x.n === c.n);
        if (!s) return [];
        return [
          [
            c.n,
            ratio(perConnKb(c.rssAfter - c.rssBefore, c.opened), perConnKb(s.rssAfter - s.rssBefore, s.opened)),
            ratio(perConnKb(c.heapAfter - c.heapBefore, c.opened), perConnKb(s.heapAfter - s.heapBefore, s.opened)),
            ratio(c.opened / c.connectMs, s.opened / s.connectMs),
          ],
        ];
      }),
    });
  }
  for (const s of steps) {
    notes.push(`${s.system} N=${s.n}: CPU while connecting (% of one core): ${s.cpu}`);
    for (const p of s.profiles) notes.push(`profile ${p}`);
    if (s.heapGrowth.length) notes.push(`${s.system} N=${s.n} heap growth per connection: ${s.heapGrowth.join("; ")}`);
    if (s.errors.length) notes.push(`${s.system} N=${s.n} connect errors: ${s.errors.join(" | ")}`);
  }
  const largest = chat.at(-1);
  const figures: Record<string, number> = {};
  if (largest) {
    figures.opened = largest.opened;
    figures.failed = largest.failed;
    figures.rssPerConnKb = perConnKb(largest.rssAfter - largest.rssBefore, largest.opened);
    figures.heapPerConnKb = perConnKb(largest.heapAfter - largest.heapBefore, largest.opened);
    figures.connectsPerSecond = largest.opened / (largest.connectMs / 1000);
  }
  const sioLargest = steps.filter((s) => s.system === BASELINE_NAMES.socketio).at(-1);
  if (sioLargest) {
    figures.sioOpened = sioLargest.opened;
    figures.sioRssPerConnKb = perConnKb(sioLargest.rssAfter - sioLargest.rssBefore, sioLargest.opened);
  }
  const cfLargest = steps.filter((s) => s.system === BASELINE_NAMES.centrifugo).at(-1);
  if (cfLargest) {
    figures.cfOpened = cfLargest.opened;
    figures.cfRssPerConnKb = perConnKb(cfLargest.rssAfter - cfLargest.rssBefore, cfLargest.opened);
  }
  if (notes.some((note) => note.startsWith("Centrifugo baseline skipped"))) figures.cfSkipped = 1;
  return {
    scenario: "connections",
    setup:
      `N idle authenticated connections to one ${ctx.target === "cluster" ? "comet process" : "all-in-one process"} ` +
      `(N = ${ns.join(", ")}; ${MEMBERS} members, N/${MEMBERS} connections each; SDK clients in ≥ ${ctx.workers} worker ` +
      `processes, ≤ ${PER_WORKER} each; source addresses 127.0.0.x, one per 25k). Fresh server per N; RSS from ` +
      `/proc before and ${settleMs / 1000} s after the last connect, heap used and committed (heapTotal) after a full GC (probe; ` +
      `Centrifugo: Go's heap_alloc and heap_sys − heap_released from its /metrics, no forced GC); marginal = ` +
      `between consecutive N (fixed costs cancel). Target: ≤ 8 KB RSS per idle connection at 100k.`,
    tables,
    notes,
    figures,
    failures,
  };
}
