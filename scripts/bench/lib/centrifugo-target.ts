import { createHmac, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "@chatroom/core/net";
import { CENTRIFUGO_VERSION, ensureCentrifugo } from "../centrifugo/install.ts";
import type { MemoryUsage, ServerProbe } from "./probe-client.ts";
import { procSample } from "./proc-stats.ts";
import { ServerProcess } from "./server-process.ts";
import type { Target } from "./target.ts";

/** A connection JWT (HS256) for member `id`, as an application backend would issue it. */
function connectionToken(id: number, secret: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub: String(id) })}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

/**
 * Centrifugo's memory as its Prometheus endpoint reports it (a Go process: no forced GC, no heap snapshot, no V8
 * profile): RSS from /proc, heap used = Go's allocated heap, heap total = the heap obtained from the OS and not
 * released.
 */
class GoMetricsProbe implements ServerProbe {
  readonly #url: string;
  readonly #pid: number;

  constructor(url: string, pid: number) {
    this.#url = url;
    this.#pid = pid;
  }

  async memory(): Promise<MemoryUsage> {
    const text = await (await fetch(`${this.#url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
    return {
      rss: procSample(this.#pid)?.rssBytes ?? Number.NaN,
      heapUsed: metric("go_memstats_heap_alloc_bytes"),
      heapTotal: metric("go_memstats_heap_sys_bytes") - metric("go_memstats_heap_released_bytes"),
      external: 0,
      arrayBuffers: 0,
      gc: false,
    };
  }

  heapSnapshot(): Promise<string> {
    return Promise.reject(new Error("Centrifugo is a Go process: no V8 heap snapshot"));
  }

  startProfile(): Promise<void> {
    return Promise.reject(new Error("Centrifugo is a Go process: no V8 CPU profile"));
  }

  stopProfile(): Promise<string> {
    return Promise.reject(new Error("Centrifugo is a Go process: no V8 CPU profile"));
  }
}

/**
 * The Centrifugo baseline (v6, memory engine, one process) as a child process on a free loopback port. Clients
 * connect with a connection JWT (HMAC) and subscribe to their rooms' channels (allowed for any connected client),
 * members publish into the channels they are subscribed to, backends publish through the HTTP API (/api/publish).
 */
export async function startCentrifugo(workDir: string, log: (line: string) => void): Promise<Target> {
  const binary = await ensureCentrifugo(log);
  const port = await freePort();
  const secret = randomBytes(32).toString("base64url");
  const apiKey = randomBytes(16).toString("hex");
  const config = join(workDir, "centrifugo.json");
  writeFileSync(
    config,
    JSON.stringify({
      http_server: { address: "127.0.0.1", port },
      log: { level: "info" },
      engine: { type: "memory" },
      client: { token: { hmac_secret_key: secret } },
      http_api: { key: apiKey },
      channel: { without_namespace: { allow_subscribe_for_client: true, allow_publish_for_subscriber: true } },
      prometheus: { enabled: true },
      usage_stats: { disabled: true },
    }),
  );
  const server = new ServerProcess({
    name: "centrifugo",
    command: binary,
    args: ["--config", config],
    env: {},
    logFile: join(workDir, "logs", "centrifugo.log"),
    ready: /"message":"serving websocket[^"]*on (\S+?)"/,
  });
  await server.start();
  const url = `http://127.0.0.1:${port}`;
  let nextId = 1;
  return {
    name: "centrifugo",
    system: "centrifugo",
    profiled: false,
    httpUrls: [url],
    wsUrls: [`ws://127.0.0.1:${port}/connection/websocket`],
    resilientWsUrl: `ws://127.0.0.1:${port}/connection/websocket`,
    apiKey,
    connectionHolder: () => ({ name: "centrifugo", pid: server.pid }),
    processes: () => new Map([["centrifugo", server.pid]]),
    probe: (pid) => new GoMetricsProbe(url, pid),
    async members(count) {
      return Array.from({ length: count }, () => {
        const id = nextId++;
        return { id, token: connectionToken(id, secret) };
      });
    },
    joinRoom: async () => {},
    crash: () => Promise.reject(new Error(`the Centrifugo v${CENTRIFUGO_VERSION} baseline has no resume scenario`)),
    stop: () => server.stop(),
  };
}
