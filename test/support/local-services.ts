// The local fallback of services.ts: the loopback Kafka/MariaDB/Redis of scripts/infra/*.sh (no Docker needed).
// Each script serialises start/stop with a lock file and is idempotent, so every test process may call
// `startLocalService` and parallel test files share one instance. A script that really started its service touches
// a marker in .data/test-started/, and `stopLocalServices` (global teardown) stops only those: a cluster the developer
// started by hand (`npm run cluster`) keeps running.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";

export type LocalServiceName = "kafka" | "mariadb" | "redis";

const root = path.resolve(import.meta.dirname, "../..");
const markerDir = path.join(root, ".data", "test-started");
// The first Kafka start downloads ~45 MB of jars with Maven; later starts take seconds.
const startTimeoutMs = 600_000;
const started = new Map<LocalServiceName, Promise<void>>();

function runScript(name: LocalServiceName, action: "start" | "stop"): Promise<void> {
  const script = path.join(root, "scripts", "infra", `${name}.sh`);
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      [script, action],
      {
        cwd: root,
        timeout: startTimeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, INFRA_STARTED_MARKER: path.join(markerDir, name) },
      },
      (error, stdout, stderr) => {
        if (!error) return resolve();
        const output = `${stdout}${stderr}`.trim().split("\n").slice(-60).join("\n");
        const how = error.killed ? `was killed after ${startTimeoutMs} ms` : `exited with ${error.code ?? "an error"}`;
        reject(new Error(`bash scripts/infra/${name}.sh ${action} ${how}:\n${output}`));
      },
    );
  });
}

/** Starts the service once per process (a no-op when it already runs); rejects with the script's output. */
export function startLocalService(name: LocalServiceName): Promise<void> {
  let promise = started.get(name);
  if (!promise) {
    promise = runScript(name, "start");
    started.set(name, promise);
    promise.catch(() => started.delete(name));
  }
  return promise;
}

/** Stops the services that a test process started (markers), unless CHATROOM_KEEP_SERVICES=1. */
export async function stopLocalServices(): Promise<void> {
  if (process.env.CHATROOM_KEEP_SERVICES === "1" || !existsSync(markerDir)) return;
  const errors: string[] = [];
  // Kafka first: it is the slowest to stop and depends on nothing; order otherwise does not matter.
  const names = readdirSync(markerDir).filter((n): n is LocalServiceName => ["kafka", "mariadb", "redis"].includes(n));
  for (const name of names.sort()) {
    try {
      await runScript(name, "stop");
      rmSync(path.join(markerDir, name), { force: true });
      started.delete(name);
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  if (errors.length > 0) throw new Error(`could not stop local services:\n${errors.join("\n")}`);
}

export function localPort(variable: "KAFKA_PORT" | "MYSQL_PORT" | "REDIS_PORT", fallback: number): number {
  const value = process.env[variable];
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`${variable}=${value} is not a port`);
  return port;
}
