import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Closable } from "../lifecycle.ts";
import type { Readiness } from "./readiness.ts";

export interface AdminServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  registry: Registry;
  readiness: Readiness;
  /**
   * The port is a default rather than a choice: when it is taken (several services on one host), listen on a free
   * port instead of failing, and tell onFallback.
   */
  fallbackWhenTaken?: boolean;
  onFallback?: (port: number, error: unknown) => void;
}

export interface AdminServer extends Closable {
  readonly port: number;
  /** "host:port" (shown in the ready line as admin=…). */
  readonly address: string;
  /** http://host:port */
  readonly url: string;
}

/**
 * The internal admin HTTP server of a process (never exposed publicly):
 * - GET /metrics: the registry in the Prometheus text format;
 * - GET /healthz: liveness — 200 {"status":"ok"} whenever the event loop answers;
 * - GET /readyz: readiness — 200 {"status":"ok","checks":{…}} when ready, else 503
 *   {"status":"unavailable","checks":{…},"failing":[names]}.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const server = createServer((request, response) => {
    void handle(options, request, response);
  });
  let port: number;
  try {
    port = await listen(server, options.port, options.host);
  } catch (error) {
    const taken = (error as NodeJS.ErrnoException).code === "EADDRINUSE";
    if (!(taken && options.fallbackWhenTaken && options.port !== 0)) throw error;
    port = await listen(server, 0, options.host);
    options.onFallback?.(port, error);
  }
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    port,
    address: `${host}:${port}`,
    url: `http://${host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Prometheus keeps its scrape connection open; closing must not wait for it.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function handle(options: AdminServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? "/", "http://admin").pathname;
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  try {
    switch (path) {
      case "/metrics": {
        const text = await options.registry.metrics();
        response.writeHead(200, { "content-type": options.registry.contentType, "cache-control": "no-store" });
        response.end(text);
        return;
      }
      case "/healthz":
        json(response, 200, { status: "ok" });
        return;
      case "/readyz": {
        const report = await options.readiness.evaluate();
        const failing = Object.keys(report.checks).filter((name) => report.checks[name] !== "ok");
        if (report.ready) json(response, 200, { status: "ok", checks: report.checks });
        else json(response, 503, { status: "unavailable", checks: report.checks, failing });
        return;
      }
      default:
        json(response, 404, { error: { code: "not_found", message: `no admin route ${path}` } });
    }
  } catch (error) {
    json(response, 500, { error: { code: "internal", message: error instanceof Error ? error.message : "failed" } });
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  response.end(JSON.stringify(body));
}
