import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { webClientHeaders } from "@chatroom/web/server-paths";
import express, { type Request } from "express";

/**
 * The local cluster's front door (what an Ingress does on Kubernetes): one origin for the browser. `/api` and
 * `/goim` go to the logics, `/ws` (and goim's `/sub`) upgrades to the comets, anything else is the web client's static files.
 * Upstreams are taken round-robin; one that refuses the connection is skipped, so a killed process is routed
 * around at once.
 */
export interface LoadBalancerOptions {
  host: string;
  port: number;
  logics: () => string[];
  comets: () => string[];
  webRoot: string;
}

export interface LoadBalancer {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function startLoadBalancer(options: LoadBalancerOptions): Promise<LoadBalancer> {
  let nextLogic = 0;
  let nextComet = 0;
  const pick = (list: string[], start: number) => list.map((_, i) => list[(start + i) % list.length] as string);

  const app = express();
  app.disable("x-powered-by");
  app.use(["/api", "/goim", "/healthz"], (request, response) => {
    const order = pick(options.logics(), nextLogic++);
    void forwardHttp(request, response, order);
  });
  app.use((request, response, next) => {
    response.set(webClientHeaders(request.get("host")));
    next();
  });
  app.use(express.static(options.webRoot, { index: "index.html" }));
  const server = createServer(app);
  const sockets = new Set<Duplex>();
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // /sub: goim's path, which a comet serves on its public listener with CHATROOM_COMET_GOIM_PUBLIC_SUB (else 404).
    if (!["/ws", "/sub"].includes(new URL(request.url ?? "/", "http://lb").pathname)) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    forwardUpgrade(request, socket, head, pick(options.comets(), nextComet++), sockets);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () => closeServer(server, sockets),
  };
}

async function forwardHttp(request: Request, response: ServerResponse, upstreams: string[]): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      sendError(response, 413, "payload_too_large", "request body too large for the load balancer");
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  for (const upstream of upstreams) {
    const [host, port] = splitHostPort(upstream);
    const sent = await new Promise<boolean>((resolve) => {
      const outgoing = httpRequest(
        {
          host,
          port,
          method: request.method,
          path: request.originalUrl,
          headers: forwardedHeaders(request),
        },
        (upstreamResponse) => {
          response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          upstreamResponse.pipe(response);
          resolve(true);
        },
      );
      outgoing.on("error", (error: NodeJS.ErrnoException) => {
        if (response.headersSent) {
          response.destroy(error);
          resolve(true);
        } else resolve(false);
      });
      outgoing.end(body);
    });
    if (sent) return;
  }
  sendError(response, 502, "unavailable", "no logic is reachable");
}

/**
 * The request's headers as the logics get them. The logics trust this proxy (CHATROOM_TRUST_PROXY=loopback), so
 * what a client sent in X-Forwarded-* must not pass through: the client address and scheme are this hop's own.
 */
function forwardedHeaders(request: Request): IncomingMessage["headers"] {
  const headers = { ...request.headers };
  delete headers["x-forwarded-host"];
  headers["x-forwarded-for"] = request.socket.remoteAddress ?? "";
  headers["x-forwarded-proto"] = "http";
  return headers;
}

function forwardUpgrade(
  request: IncomingMessage,
  client: Duplex,
  head: Buffer,
  upstreams: string[],
  sockets: Set<Duplex>,
) {
  const tryNext = (index: number) => {
    const upstream = upstreams[index];
    if (upstream === undefined) {
      client.end("HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n");
      return;
    }
    const [host, port] = splitHostPort(upstream);
    const target: Socket = connect({ host, port });
    let connected = false;
    target.once("connect", () => {
      connected = true;
      sockets.add(target);
      target.once("close", () => sockets.delete(target));
      const headers = Object.entries(request.headers)
        .flatMap(([name, value]) => (Array.isArray(value) ? value.map((v) => `${name}: ${v}`) : [`${name}: ${value}`]))
        .join("\r\n");
      target.write(`${request.method} ${request.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      if (head.length > 0) target.write(head);
      client.pipe(target);
      target.pipe(client);
    });
    target.on("error", () => {
      if (!connected) tryNext(index + 1);
      else client.destroy();
    });
    client.on("error", () => target.destroy());
    client.once("close", () => target.destroy());
    target.once("close", () => client.destroy());
  };
  tryNext(0);
}

function splitHostPort(address: string): [string, number] {
  const at = address.lastIndexOf(":");
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify({ error: { code, message } }));
}

function closeServer(server: Server, sockets: Set<Duplex>): Promise<void> {
  return new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
