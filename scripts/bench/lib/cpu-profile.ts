import { readFileSync } from "node:fs";
import { ROOT } from "./machine.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  /** Samples in which the process was not idle, and their share of all samples. */
  busyShare: number;
  /** Top frames by self time: "share% name (file:line)". */
  frames: string[];
  /** Self time by where the code lives (a package, a workspace module, node internals, GC). */
  areas: string[];
}

function where(url: string): string {
  if (!url) return "";
  const path = url.replace(/^file:\/\//, "").replace(`${ROOT}/`, "");
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1] as string;
  if (path.startsWith("node:")) return "node internals";
  const workspace = /^(services\/[^/]+|packages\/[^/]+|proto|scripts\/[^/]+)/.exec(path);
  return workspace ? (workspace[1] as string) : path;
}

function short(url: string): string {
  return url
    .replace(/^file:\/\//, "")
    .replace(`${ROOT}/`, "")
    .replace(/^.*node_modules\//, "");
}

/** Self-time summary of a .cpuprofile (V8 sampling profile) for the benchmark report. */
export function summarizeProfile(file: string, top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const hits = new Map<number, number>();
  if (profile.samples?.length) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0);
  let total = 0;
  let idle = 0;
  const byFrame = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const node of profile.nodes) {
    const count = hits.get(node.id) ?? 0;
    if (!count) continue;
    total += count;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") {
      idle += count;
      continue;
    }
    const name = functionName || "(anonymous)";
    const key = url ? `${name} (${short(url)}:${lineNumber + 1})` : name;
    byFrame.set(key, (byFrame.get(key) ?? 0) + count);
    const area = url ? where(url) : name.startsWith("(") ? name : "native";
    byArea.set(area, (byArea.get(area) ?? 0) + count);
  }
  const busy = total - idle;
  const pct = (n: number) => `${((n / Math.max(1, busy)) * 100).toFixed(1)}%`;
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, n]) => `${pct(n)} ${key}`);
  return { busyShare: total ? busy / total : 0, frames: ranked(byFrame), areas: ranked(byArea) };
}
