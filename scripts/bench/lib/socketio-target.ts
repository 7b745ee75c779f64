import { createHmac, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { redisService } from "../../../test/support/services.ts";
import { ProbeClient, probeNodeArgs } from "./probe-client.ts";
import { ServerProcess } from "./server-process.ts";
import type { Target } from "./target.ts";

const MAIN = resolve(import.meta.dirname, "../socketio/server.ts");

/** The Socket.IO baseline server (socketio/server.ts) as a child process, its adapter on the local Redis. */
export async function startSocketIo(workDir: string): Promise<Target> {
  const redis = await redisService();
  const secret = randomBytes(32).toString("base64url");
  const probeDir = join(workDir, "probe");
  mkdirSync(probeDir, { recursive: true });
  const server = new ServerProcess({
    name: "socket.io",
    args: [MAIN],
    nodeArgs: probeNodeArgs(),
    env: {
      BENCH_SIO_PORT: "0",
      BENCH_SIO_SECRET: secret,
      BENCH_SIO_REDIS_URL: redis.url,
      BENCH_SIO_KEY: `chatroom-bench-sio-${randomBytes(4).toString("hex")}`,
      BENCH_PROBE_DIR: probeDir,
    },
    logFile: join(workDir, "logs", "socket.io.log"),
    ready: /socket\.io ready (http:\/\/\S+)/,
  });
  const url = (await server.start())[1] as string;
  let nextId = 1;
  return {
    name: "socket.io",
    system: "socketio",
    httpUrls: [url],
    wsUrls: [url],
    resilientWsUrl: url,
    apiKey: "",
    connectionHolder: () => ({ name: "socket.io", pid: server.pid }),
    processes: () => new Map([["socket.io", server.pid]]),
    probe: (pid) => new ProbeClient(probeDir, pid),
    async members(count) {
      return Array.from({ length: count }, () => {
        const id = nextId++;
        return { id, token: `${id}.${createHmac("sha256", secret).update(String(id)).digest("base64url")}` };
      });
    },
    // Socket.IO clients join their rooms in the handshake (ClientSpec.rooms): nothing to store.
    joinRoom: async () => {},
    crash: () => Promise.reject(new Error("the Socket.IO baseline has no resume scenario")),
    stop: () => server.stop(),
  };
}
