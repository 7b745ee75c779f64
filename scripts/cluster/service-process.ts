import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const MAINS = {
  logic: join(ROOT, "services/logic/src/main.ts"),
  comet: join(ROOT, "services/comet/src/main.ts"),
  job: join(ROOT, "services/job/src/main.ts"),
} as const;

export type ServiceKind = keyof typeof MAINS;

/**
 * The V8 flags comets run with (docs/benchmarks.md, "Comet memory"): the same default as the image's
 * `chatroom comet` (scripts/k8s/chatroom.sh) and the Helm chart's `comet.nodeFlags`; COMET_NODE_FLAGS
 * (in the service's or this process's environment) replaces it, "" for none.
 */
export const COMET_NODE_FLAGS = "--max-semi-space-size=1";

function nodeFlags(kind: ServiceKind, env: Record<string, string>): string[] {
  if (kind !== "comet") return [];
  const flags = env.COMET_NODE_FLAGS ?? process.env.COMET_NODE_FLAGS ?? COMET_NODE_FLAGS;
  return flags.split(/\s+/).filter((flag) => flag !== "");
}

/**
 * One service process of the local cluster: started with its environment, output appended to
 * `<logDir>/<name>.log`, considered up when it prints its ready line. Can be stopped gracefully, killed with
 * SIGKILL, and started again with the same environment.
 */
export class ServiceProcess {
  readonly name: string;
  readonly kind: ServiceKind;
  readonly env: Record<string, string>;
  readonly logFile: string;
  #child: ChildProcess | null = null;
  #exited: Promise<number | null> = Promise.resolve(null);

  constructor(name: string, kind: ServiceKind, env: Record<string, string>, logDir: string) {
    this.name = name;
    this.kind = kind;
    this.env = env;
    mkdirSync(logDir, { recursive: true });
    this.logFile = join(logDir, `${name}.log`);
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts the process and resolves with its ready line; rejects (with the log tail) if it exits or times out. */
  start(timeoutMs = 60_000): Promise<string> {
    const log = createWriteStream(this.logFile, { flags: "a" });
    const child = spawn(process.execPath, [...nodeFlags(this.kind, this.env), MAINS[this.kind]], {
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child = child;
    this.#exited = new Promise((resolveExit) => child.once("exit", (code) => resolveExit(code)));
    let output = "";
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return new Promise((resolveReady, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`${this.name} not ready within ${timeoutMs} ms; log: ${this.logFile}\n${output.slice(-3000)}`),
        );
      }, timeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        // The service's own ready line (runService prints it alone), not a log line that happens to say "ready".
        const line = output.split("\n").find((l) => /^(?:logic|comet \S+|job) ready\b/.test(l));
        if (line) {
          clearTimeout(timer);
          child.stdout?.off("data", onData);
          resolveReady(line);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code ?? signal}) before it was ready:\n${output.slice(-3000)}`));
      });
    });
  }

  /** SIGKILL: no shutdown at all, as a crash or an OOM kill. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#child?.kill("SIGKILL");
    await this.#exited;
  }

  /** SIGTERM and wait for the exit; SIGKILL after `timeoutMs`. Resolves with the exit code. */
  async stop(timeoutMs = 15_000): Promise<number | null> {
    if (!this.running) return this.#child?.exitCode ?? null;
    this.#child?.kill("SIGTERM");
    const timer = setTimeout(() => this.#child?.kill("SIGKILL"), timeoutMs);
    const code = await this.#exited;
    clearTimeout(timer);
    return code;
  }
}
