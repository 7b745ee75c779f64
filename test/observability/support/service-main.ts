import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));

export const MAINS = {
  logic: join(root, "services/logic/src/main.ts"),
  comet: join(root, "services/comet/src/main.ts"),
  job: join(root, "services/job/src/main.ts"),
} as const;

export interface RunningMain {
  child: ChildProcess;
  /** The ready line's groups (the pattern's captures). */
  ready: string[];
  /** http://host:port of the admin server, from the ready line's admin=host:port. */
  adminUrl: string;
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts a service main with only the given variables (plus PATH, and a free admin port unless set) and waits for
 * its ready line.
 */
export async function startMain(
  main: keyof typeof MAINS,
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 30_000,
): Promise<RunningMain> {
  const child = spawn(process.execPath, [MAINS[main]], {
    env: { PATH: process.env.PATH ?? "", CHATROOM_ADMIN_PORT: "0", CHATROOM_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, "exit").then(() => child.exitCode);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const lines = createInterface({ input: child.stdout! });
  try {
    const groups = await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${main}: no ready line within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      lines.on("line", (line) => {
        const match = ready.exec(line);
        if (!match) return;
        clearTimeout(timer);
        resolve(match.slice(1));
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${main} exited with ${code} before it was ready:\n${output}`));
      });
    });
    const admin = / admin=(\S+)/.exec(output)?.[1];
    if (!admin) throw new Error(`${main}: no admin=host:port in its ready line:\n${output}`);
    return { child, ready: groups, adminUrl: `http://${admin}`, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    lines.close();
  }
}

/** The status and JSON body of an admin endpoint. */
export async function probe(adminUrl: string, path: "/readyz" | "/healthz"): Promise<{ status: number; body: Probe }> {
  const response = await fetch(`${adminUrl}${path}`);
  return { status: response.status, body: (await response.json()) as Probe };
}

export interface Probe {
  status: string;
  checks?: Record<string, string>;
  failing?: string[];
}

/** Polls an admin endpoint until it answers `status`; returns that answer. */
export async function probeUntil(
  adminUrl: string,
  path: "/readyz" | "/healthz",
  status: number,
  timeoutMs = 15_000,
): Promise<{ status: number; body: Probe }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await probe(adminUrl, path);
    if (answer.status === status) return answer;
    if (Date.now() > deadline) {
      throw new Error(`${path} still answers ${answer.status} ${JSON.stringify(answer.body)}, not ${status}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
