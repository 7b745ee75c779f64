import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond = 0;

function clockTicks(): number {
  if (!ticksPerSecond) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export interface ProcSample {
  pid: number;
  rssBytes: number;
  /** User + system CPU time consumed so far. */
  cpuMs: number;
}

/** RSS and CPU time of a live process from /proc (any process: servers, workers, Kafka, MariaDB, Redis). */
export function procSample(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpuTicks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { pid, rssBytes: rssKb * 1024, cpuMs: (cpuTicks * 1000) / clockTicks() };
  } catch {
    return null;
  }
}

/** CPU use of named processes over a window: start() then stop() → percent of one core each. */
export class CpuMeter {
  readonly #pids: Map<string, number>;
  readonly #start = new Map<string, number>();
  #startedAt = 0;

  constructor(pids: Map<string, number>) {
    this.#pids = pids;
  }

  start(): void {
    this.#startedAt = performance.now();
    for (const [name, pid] of this.#pids) this.#start.set(name, procSample(pid)?.cpuMs ?? 0);
  }

  /** Percent of one core per process (200 % = both cores of this machine). */
  stop(): Map<string, number> {
    const elapsed = performance.now() - this.#startedAt;
    const out = new Map<string, number>();
    for (const [name, pid] of this.#pids) {
      const now = procSample(pid)?.cpuMs;
      if (now === undefined) continue;
      out.set(name, Math.round(((now - (this.#start.get(name) ?? 0)) / elapsed) * 100));
    }
    return out;
  }
}

/** Pids of the local infrastructure (Kafka, MariaDB, Redis) by their pid files, to count their CPU in cluster runs. */
export function infraPids(root: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of ["kafka", "mariadb", "redis"]) {
    try {
      const text = execFileSync("bash", [`${root}/scripts/infra/${name}.sh`, "status"], {
        stdio: ["ignore", "pipe", "ignore"],
      }).toString();
      const pid = Number(/pid (\d+)/.exec(text)?.[1]);
      if (pid) out.set(name, pid);
    } catch {
      // Not running: nothing to count.
    }
  }
  return out;
}
