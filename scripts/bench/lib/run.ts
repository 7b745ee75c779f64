import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCENARIOS, type ScenarioName } from "../scenarios/index.ts";
import type { BenchContext } from "./context.ts";
import { loadAverage, machine, ROOT } from "./machine.ts";
import { appendEntry, describeError, type Entry, formatResult, type ScenarioResult } from "./report.ts";
import { sleep } from "./timing.ts";

export interface RunOptions extends Omit<BenchContext, "workDir" | "log"> {
  scenarios: ScenarioName[];
  /** Append the entry to docs/benchmarks.md (the smoke test turns this off). */
  record: boolean;
  /** The command line to show in the entry. */
  command: string;
  /** Where the entry goes (default docs/benchmarks.md). */
  docsFile?: string;
  /** Keep the scratch dir (logs, profiles); default: removed unless a scenario failed. */
  keepWorkDir?: boolean;
  /** Before each scenario, wait (up to 10 min) for the 1-minute load average to drop below this; 0: don't wait. */
  quietLoad?: number;
  log?: (line: string) => void;
}

export interface RunOutcome {
  results: ScenarioResult[];
  failures: string[];
  entry: Entry;
  workDir: string;
}

/** Other work on the machine skews every figure: wait until the 1-minute load average is below `threshold`. */
async function waitForQuiet(threshold: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  let told = false;
  while (Number(loadAverage().split(" ")[0]) >= threshold && Date.now() < deadline) {
    if (!told) log(`waiting for the load average to drop below ${threshold} (now ${loadAverage()})`);
    told = true;
    await sleep(5000);
  }
}

/** Runs scenarios one after another, prints each result, and records one dated entry for the run. */
export async function runBenchmarks(options: RunOptions): Promise<RunOutcome> {
  const log = options.log ?? ((line: string) => console.log(line));
  const base = join(ROOT, ".data", "bench");
  mkdirSync(base, { recursive: true });
  const workDir = mkdtempSync(join(options.record ? base : tmpdir(), "run-"));
  const ctx: BenchContext = { ...options, workDir, log };
  const startedAt = new Date();
  const loadStart = loadAverage();
  const results: ScenarioResult[] = [];
  const failures: string[] = [];
  for (const name of options.scenarios) {
    if (options.quietLoad) await waitForQuiet(options.quietLoad, log);
    const before = loadAverage();
    log(`== ${name} (${options.target}) — load average ${before}`);
    try {
      ctx.scenario = name;
      const result = await SCENARIOS[name](ctx);
      result.notes.push(`Load average (1/5/15 min) ${before} before this scenario, ${loadAverage()} after.`);
      results.push(result);
      for (const failure of result.failures ?? []) failures.push(`${name}: ${failure}`);
      log(formatResult(result));
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push(`${name}: ${describeError(error)}`);
      log(`${name} failed: ${message}`);
    }
  }
  const entry: Entry = {
    startedAt,
    command: options.command,
    machine: machine(),
    loadStart,
    loadEnd: loadAverage(),
    target: options.target,
    results,
    failures,
  };
  if (options.record) {
    const file = options.docsFile ?? join(ROOT, "docs", "benchmarks.md");
    appendEntry(file, entry);
    log(`recorded in ${file}`);
  }
  if (!options.keepWorkDir && failures.length === 0) rmSync(workDir, { recursive: true, force: true });
  else log(`logs and profiles kept in ${workDir}`);
  return { results, failures, entry, workDir };
}
