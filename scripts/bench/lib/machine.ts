import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, release, totalmem } from "node:os";
import { resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../../..");

export interface Machine {
  commit: string;
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  kernel: string;
  node: string;
  /** Soft and hard RLIMIT_NOFILE of the harness (the servers and workers inherit them). */
  fdLimit: string;
}

function git(args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: ROOT, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return "";
  }
}

/** The commit being measured, marked when the work tree has changes on top of it. */
export function commitDescription(): string {
  const hash = git(["rev-parse", "--short=12", "HEAD"]) || "unknown";
  return git(["status", "--porcelain", "--untracked-files=no"]) ? `${hash} + uncommitted changes` : hash;
}

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    return line?.split(":")[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

function fdLimit(): string {
  try {
    const soft = execFileSync("bash", ["-c", "ulimit -Sn; ulimit -Hn"]).toString().trim().split("\n");
    return `${soft[0]} soft / ${soft[1]} hard`;
  } catch {
    return "unknown";
  }
}

export function machine(): Machine {
  return {
    commit: commitDescription(),
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel: cpuModel(),
    kernel: release(),
    node: process.version,
    fdLimit: fdLimit(),
  };
}

/** /proc/loadavg's 1, 5 and 15 minute load averages. */
export function loadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}
