import { createServer, type Server } from "node:net";

/**
 * Where freePorts looks: below the kernel's ephemeral range (Linux 32768–60999, macOS and Windows from 49152), so
 * that no outgoing connection — and a starting cluster opens hundreds, to Kafka, MySQL, Redis and each other — can
 * be given a port between the moment it was picked and the moment its process binds it. Bound to 0, the kernel
 * picks from the ephemeral range, where that happened (EADDRINUSE at start-up in about one start of three under
 * load).
 */
const RANGE_START = 20_000;
const RANGE_END = 30_000;
const ATTEMPTS_PER_PORT = 200;

/**
 * Ports that were free a moment ago: each bound on `host` (a random port of 20000–29999 that accepts the bind), all
 * held at once (so they differ), then released. For tests and the local cluster, which hand them to processes they
 * start; another process may take one in between, so a caller that can should let the process bind port 0 itself
 * and report the address.
 */
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) servers.push(await listeningInRange(host));
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error(`no port bound on ${host}`);
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** One port that was free a moment ago (see freePorts). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const [port] = await freePorts(1, host);
  return port as number;
}

async function listeningInRange(host: string): Promise<Server> {
  let lastError: unknown;
  for (let attempt = 0; attempt < ATTEMPTS_PER_PORT; attempt += 1) {
    const port = RANGE_START + Math.floor(Math.random() * (RANGE_END - RANGE_START));
    try {
      return await listening(host, port);
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`no free port in ${RANGE_START}–${RANGE_END - 1} on ${host}: ${String(lastError)}`);
}

function listening(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
