import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { waitUntil } from "./timing.ts";

export const PROBE_FILE = resolve(import.meta.dirname, "probe.ts");

/** Node flags that load the probe into a server process. */
export function probeNodeArgs(): string[] {
  return ["--expose-gc", `--import=${PROBE_FILE}`];
}

export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  gc: boolean;
}

/** What the harness asks of a server process beyond /proc: memory, and for Node processes heap and CPU profiles. */
export interface ServerProbe {
  /** Memory after full GCs (Node); what the runtime reports otherwise. */
  memory(): Promise<MemoryUsage>;
  heapSnapshot(file: string): Promise<string>;
  startProfile(): Promise<void>;
  stopProfile(file: string): Promise<string>;
}

/** Talks to the probe inside the server process `pid` (see probe.ts). */
export class ProbeClient implements ServerProbe {
  readonly pid: number;
  readonly #dir: string;

  constructor(dir: string, pid: number) {
    this.#dir = dir;
    this.pid = pid;
  }

  async #url(path: string): Promise<string> {
    const file = join(this.#dir, `${this.pid}.port`);
    await waitUntil(() => existsSync(file), `the probe of process ${this.pid}`, 30_000);
    return `http://127.0.0.1:${readFileSync(file, "utf8").trim()}${path}`;
  }

  async #call<T>(method: string, path: string): Promise<T> {
    const response = await fetch(await this.#url(path), { method, signal: AbortSignal.timeout(60_000) });
    if (!response.ok) throw new Error(`probe ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** Memory after full GCs. */
  memory(): Promise<MemoryUsage> {
    return this.#call("GET", "/mem");
  }

  async heapSnapshot(file: string): Promise<string> {
    return (await this.#call<{ file: string }>("POST", `/heap/snapshot?file=${encodeURIComponent(file)}`)).file;
  }

  async startProfile(): Promise<void> {
    await this.#call("POST", "/profile/start");
  }

  async stopProfile(file: string): Promise<string> {
    return (await this.#call<{ file: string }>("POST", `/profile/stop?file=${encodeURIComponent(file)}`)).file;
  }
}
