// Preloaded into every server process the harness measures (`node --expose-gc --import=<this file>`, or through
// NODE_OPTIONS for the cluster's processes). Serves, on 127.0.0.1 port 0, what only the process itself can tell:
//   GET  /mem          → process.memoryUsage() after two full GCs (when --expose-gc is on)
//   POST /profile/start, POST /profile/stop?file=<path> → a V8 CPU profile of the window, written as .cpuprofile
//   POST /heap/snapshot?file=<path> → a heap snapshot (after full GCs), written as .heapsnapshot
// and writes its port to $BENCH_PROBE_DIR/<pid>.port. The server is unref'd: it never keeps the process alive.
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { Session } from "node:inspector/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";

const dir = process.env.BENCH_PROBE_DIR;
if (dir) {
  let session: Session | null = null;
  const gc = (globalThis as { gc?: () => void }).gc;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://probe");
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    const handle = async () => {
      if (url.pathname === "/mem") {
        if (gc) {
          gc();
          gc();
        }
        return reply(200, { ...process.memoryUsage(), gc: Boolean(gc) });
      }
      if (url.pathname === "/profile/start" && request.method === "POST") {
        session ??= new Session();
        session.connect();
        await session.post("Profiler.enable");
        await session.post("Profiler.setSamplingInterval", { interval: 1000 });
        await session.post("Profiler.start");
        return reply(200, { started: true });
      }
      if (url.pathname === "/profile/stop" && request.method === "POST" && session) {
        const { profile } = await session.post("Profiler.stop");
        session.disconnect();
        session = null;
        const file = url.searchParams.get("file") ?? join(dir, `${process.pid}.cpuprofile`);
        writeFileSync(file, JSON.stringify(profile));
        return reply(200, { file });
      }
      if (url.pathname === "/heap/snapshot" && request.method === "POST") {
        gc?.();
        const file = writeHeapSnapshot(url.searchParams.get("file") ?? join(dir, `${process.pid}.heapsnapshot`));
        return reply(200, { file });
      }
      return reply(404, { error: "not found" });
    };
    handle().catch((error: unknown) => reply(500, { error: String(error) }));
  });
  server.listen(0, "127.0.0.1", () => {
    writeFileSync(join(dir, `${process.pid}.port`), String((server.address() as AddressInfo).port));
  });
  server.unref();
}
