import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { joinRoom, registerAccounts } from "./accounts.ts";
import { ROOT } from "./machine.ts";
import { ProbeClient, probeNodeArgs } from "./probe-client.ts";
import { ServerProcess } from "./server-process.ts";
import { benchServerEnv, type Target } from "./target.ts";
import { wallNow } from "./timing.ts";

const MAIN = join(ROOT, "services/all-in-one/src/main.ts");
const READY = /chatroom is running: open (http:\/\/[^\s]+)/;

/**
 * The embedded default (`npm start`: comet+logic+job on SQLite and in-process backends) as a child process of its
 * own, on an ephemeral port over a fresh data dir in `workDir`.
 */
export async function startEmbedded(workDir: string, env: Record<string, string> = {}): Promise<Target> {
  const apiKey = `bench-${randomBytes(12).toString("hex")}`;
  const probeDir = join(workDir, "probe");
  const baseEnv: Record<string, string> = {
    ...benchServerEnv(apiKey),
    CHATROOM_HOST: "127.0.0.1",
    CHATROOM_PORT: "0",
    CHATROOM_DATA_DIR: join(workDir, "data"),
    BENCH_PROBE_DIR: probeDir,
    ...env,
  };
  const server = new ServerProcess({
    name: "all-in-one",
    args: [MAIN],
    nodeArgs: probeNodeArgs(),
    env: baseEnv,
    logFile: join(workDir, "logs", "all-in-one.log"),
    ready: READY,
  });
  mkdirSync(probeDir, { recursive: true });
  const url = ((await server.start())[1] as string).replace("localhost", "127.0.0.1");
  const port = new URL(url).port;
  // A restart must come back on the same port: the clients reconnect to the URL they know.
  server.options.env.CHATROOM_PORT = port;
  const wsUrl = `${url.replace(/^http/, "ws")}/ws`;
  return {
    name: "embedded",
    system: "chatroom",
    httpUrls: [url],
    wsUrls: [wsUrl],
    resilientWsUrl: wsUrl,
    apiKey,
    connectionHolder: () => ({ name: "all-in-one", pid: server.pid }),
    processes: () => new Map([["all-in-one", server.pid]]),
    probe: (pid) => new ProbeClient(probeDir, pid),
    members: (count, prefix) => registerAccounts([url], count, prefix),
    joinRoom: (room, tokens) => joinRoom([url], room, tokens),
    async crash() {
      const killedAt = wallNow();
      await server.kill();
      await server.start();
      return { killedAt, victim: "all-in-one", restartedAt: wallNow() };
    },
    stop: () => server.stop(),
  };
}
