// Commands and daemons of the test cluster. A command that fails throws with its output (nothing fails quietly); a
// daemon runs detached (its own session, so it outlives `npm run k8s:up`) with its log in the state folder and a pid
// file next to the command line it was started with, so that k8s:down stops exactly the processes k8s:up started.
import { execFile, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { paths } from "./layout.ts";

export function log(message: string): void {
  process.stderr.write(`k8s: ${message}\n`);
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
}

/** Runs a command to completion; resolves with its stdout, rejects naming the command with its output. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const output = `${stdout}${stderr}`.trim().split("\n").slice(-40).join("\n");
        reject(new Error(`${command} ${args.join(" ")} failed (${error.code ?? error.signal ?? "error"}):\n${output}`));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a command whose failure is expected and harmless (cleaning up what may not exist). */
export async function attempt(command: string, args: string[], options: RunOptions = {}): Promise<boolean> {
  try {
    await run(command, args, options);
    return true;
  } catch {
    return false;
  }
}

export interface Daemon {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

function pidFile(name: string): string {
  return join(paths.pids, `${name}.pid`);
}

export function logFile(name: string): string {
  return join(paths.logs, `${name}.log`);
}

/** Starts a daemon detached, with stdout and stderr in logs/<name>.log; resolves with its pid. */
export function startDaemon(daemon: Daemon): number {
  mkdirSync(paths.logs, { recursive: true });
  mkdirSync(paths.pids, { recursive: true });
  const out = openSync(logFile(daemon.name), "a");
  try {
    const child = spawn(daemon.command, daemon.args, {
      detached: true,
      stdio: ["ignore", out, out],
      env: daemon.env ?? process.env,
    });
    if (child.pid === undefined) throw new Error(`could not start ${daemon.command}`);
    child.unref();
    // The command line is kept with the pid: a reused pid is never taken for the daemon.
    writeFileSync(pidFile(daemon.name), `${child.pid}\n${daemon.command}\n`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** The daemon's pid while the process that k8s:up started is alive. */
export function daemonPid(name: string): number | undefined {
  const file = pidFile(name);
  if (!existsSync(file)) return undefined;
  const [pidLine, command] = readFileSync(file, "utf8").split("\n");
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "")[0];
    if (state === "Z" || cmdline[0] !== command) return undefined;
    return pid;
  } catch {
    return undefined;
  }
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
export async function stopPid(pid: number, graceMs: number): Promise<void> {
  const alive = () => {
    try {
      const state = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "")[0];
      return state !== "Z" && state !== "X";
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await sleep(100);
  if (alive()) {
    process.kill(pid, "SIGKILL");
    while (alive()) await sleep(100);
  }
}

export async function stopDaemon(name: string, graceMs = 15_000): Promise<void> {
  const pid = daemonPid(name);
  if (pid !== undefined) {
    log(`stopping ${name} (pid ${pid})`);
    await stopPid(pid, graceMs);
  }
  rmSync(pidFile(name), { force: true });
}

/** The last lines of a daemon's log, for error messages. */
export function logTail(name: string, lines = 30): string {
  const file = logFile(name);
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * Polls `ready` until it resolves true, for at most timeoutMs; fails at once when the daemon exited, and with its log
 * when time runs out.
 */
export async function waitFor(what: string, timeoutMs: number, ready: () => Promise<boolean>, daemon?: string) {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (daemon !== undefined && daemonPid(daemon) === undefined) {
      throw new Error(`${daemon} exited while starting:\n${logTail(daemon)}`);
    }
    try {
      if (await ready()) return;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(250);
  }
  const detail = daemon === undefined ? lastError : `${lastError}\n${logTail(daemon)}`;
  throw new Error(`${what} was not ready within ${timeoutMs / 1000} s${detail ? `:\n${detail}` : ""}`);
}
