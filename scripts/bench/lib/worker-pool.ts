import { type ChildProcess, fork } from "node:child_process";
import { resolve } from "node:path";
import type { Command, LoadArgs, LoadResult, OpenArgs, OpenResult, Response, StatsResult } from "../worker/protocol.ts";
import { childEnv } from "./server-process.ts";
import { withTimeout } from "./timing.ts";

const WORKER_MAIN = resolve(import.meta.dirname, "../worker/load-worker.ts");

/** One forked load-generator process and its request/response channel. */
export class LoadWorker {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  readonly #exited: Promise<void>;
  #nextId = 1;

  constructor(index: number) {
    this.#child = fork(WORKER_MAIN, [], {
      execArgv: ["--max-old-space-size=4096"],
      env: { ...childEnv(), BENCH_WORKER: String(index) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.#exited = new Promise((done) => this.#child.once("exit", () => done()));
    this.#child.on("message", (message: Response) => {
      const waiter = this.#pending.get(message.id);
      if (!waiter) return;
      this.#pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`load worker ${index}: ${message.error}`));
    });
    this.#child.once("exit", (code, signal) => {
      for (const waiter of this.#pending.values())
        waiter.reject(new Error(`load worker ${index} exited (${code ?? signal})`));
      this.#pending.clear();
    });
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  call<T>(command: Command, timeoutMs: number): Promise<T> {
    const id = this.#nextId++;
    const reply = new Promise<T>((resolveReply, reject) => {
      this.#pending.set(id, { resolve: (value) => resolveReply(value as T), reject });
    });
    this.#child.send({ ...command, id });
    return withTimeout(reply, timeoutMs, `load worker command ${command.cmd}`);
  }

  open(args: OpenArgs, timeoutMs: number): Promise<OpenResult> {
    return this.call({ cmd: "open", args }, timeoutMs);
  }

  load(args: LoadArgs, timeoutMs: number): Promise<LoadResult> {
    return this.call({ cmd: "load", args }, timeoutMs);
  }

  stats(expected?: Record<string, number>): Promise<StatsResult> {
    return this.call(expected ? { cmd: "stats", expected } : { cmd: "stats" }, 60_000);
  }

  reset(): Promise<void> {
    return this.call({ cmd: "reset" }, 60_000);
  }

  /** Closes the clients, then ends the process (SIGKILL if it lingers). */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      await this.call({ cmd: "close" }, 30_000).catch(() => {});
      this.#child.disconnect();
      const timer = setTimeout(() => this.#child.kill("SIGKILL"), 5_000);
      await this.#exited;
      clearTimeout(timer);
    }
  }
}

/** Splits `items` into `parts` nearly equal slices (for spreading clients over workers). */
export function split<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  items.forEach((item, i) => {
    out[i % parts]?.push(item);
  });
  return out;
}

export async function startWorkers(count: number): Promise<LoadWorker[]> {
  return Array.from({ length: count }, (_, i) => new LoadWorker(i));
}

export async function stopWorkers(workers: readonly LoadWorker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.stop()));
}
