import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import type { Machine } from "./machine.ts";
import { formatTable, type Table } from "./table.ts";

/** What a scenario hands back: tables for people, figures for the smoke test, notes on method and bounds. */
export interface ScenarioResult {
  scenario: string;
  /** One line: the parameters as run. */
  setup: string;
  tables: Table[];
  notes: string[];
  figures: Record<string, number>;
  /** Parts that failed (e.g. one system of a comparison): the run is marked failed, the rest still reported. */
  failures?: string[];
}

/** One line for a report from an error (with the start of its detail, e.g. a server's output tail). */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, " ⏎ ").slice(0, 600);
}

export interface Entry {
  startedAt: Date;
  command: string;
  machine: Machine;
  loadStart: string;
  loadEnd: string;
  target: string;
  results: ScenarioResult[];
  /** Scenarios that failed, with the error. */
  failures: string[];
}

const HEADER = `# Benchmarks

Entries appended by the benchmark harness (\`npm run bench\`, scripts/bench/), newest last.

## Runs
`;

export function formatResult(result: ScenarioResult): string {
  const parts = [`#### ${result.scenario}`, "", result.setup, ""];
  for (const table of result.tables) parts.push(formatTable(table), "");
  for (const note of result.notes) parts.push(`- ${note}`);
  return `${parts.join("\n").trimEnd()}\n`;
}

export function formatEntry(entry: Entry): string {
  const m = entry.machine;
  const stamp = entry.startedAt.toISOString().replace("T", " ").slice(0, 16);
  const lines = [
    `### ${stamp} UTC — ${entry.results.map((r) => r.scenario).join(", ") || "no scenario"} (${entry.target})`,
    "",
    `- Command: \`${entry.command}\``,
    `- Commit: ${m.commit}`,
    `- Machine: ${m.cpuModel}, nproc ${m.nproc}, ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, ` +
      `open files ${m.fdLimit}. Servers and load generators are separate processes sharing these ${m.nproc} cores.`,
    `- Load average (1/5/15 min): ${entry.loadStart} at the start, ${entry.loadEnd} at the end.`,
    "",
  ];
  for (const result of entry.results) lines.push(formatResult(result));
  for (const failure of entry.failures) lines.push(`- FAILED: ${failure}`, "");
  return `${lines.join("\n").trimEnd()}\n`;
}

/** Appends the entry to docs/benchmarks.md (creating it with its header). */
export function appendEntry(file: string, entry: Entry): void {
  if (!existsSync(file)) writeFileSync(file, HEADER);
  appendFileSync(file, `\n${formatEntry(entry)}`);
}
