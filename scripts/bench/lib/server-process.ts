import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** The environment for a child process: ours, minus the test runner's marker (a child is not a test file). */
export function childEnv(): Record<string, string | undefined> {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

export interface ServerProcessOptions {
  name: string;
  /** The executable (default this Node); nodeArgs only apply to Node. */
  command?: string;
  /** The main module and its arguments (or the executable's arguments). */
  args: string[];
  /** Node flags before the main (e.g. the probe). */
  nodeArgs?: string[];
  env: Record<string, string>;
  logFile: string;
  /** A line of its output (stdout or stderr) that says it is ready; the match is returned by start(). */
  ready: RegExp;
}

/**
 * A server the harness runs as its own OS process, so its RSS and CPU are its own. Output is appended to the log
 * file; start() resolves with the ready line's match and rejects (with the output's tail) on exit or timeout.
 */
export class ServerProcess {
  readonly options: ServerProcessOptions;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();

  constructor(options: ServerProcessOptions) {
    this.options = options;
    mkdirSync(dirname(options.logFile), { recursive: true });
  }

  get pid(): number {
    return this.#child?.pid ?? 0;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  start(timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const { options } = this;
    const log = createWriteStream(options.logFile, { flags: "a" });
    const node = options.command === undefined;
    const command = options.command ?? process.execPath;
    const child = spawn(command, [...(node ? (options.nodeArgs ?? []) : []), ...options.args], {
      env: { ...childEnv(), ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    let output = "";
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(new Error(`${options.name} ${why}; log ${options.logFile}:\n${output.slice(-3000)}`));
      };
      const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
      const onOutput = (chunk: Buffer) => {
        output += chunk.toString();
        const match = options.ready.exec(output);
        if (match) {
          clearTimeout(timer);
          child.stdout?.off("data", onOutput);
          child.stderr?.off("data", onOutput);
          child.off("exit", onExit);
          output = "";
          resolve(match);
        }
      };
      const onExit = (code: number | null, signal: string | null) => fail(`exited (${code ?? signal}) before ready`);
      child.stdout?.on("data", onOutput);
      child.stderr?.on("data", onOutput);
      child.once("exit", onExit);
    });
  }

  /** SIGKILL: a crash, no shutdown at all. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#child?.kill("SIGKILL");
    await this.#exited;
  }

  /** SIGTERM, SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.#child?.kill("SIGTERM");
    const timer = setTimeout(() => this.#child?.kill("SIGKILL"), timeoutMs);
    await this.#exited;
    clearTimeout(timer);
  }
}
