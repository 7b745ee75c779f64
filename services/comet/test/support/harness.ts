import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "@chatroom/core";
import { AuthReply, AuthRequest, decodeFrame, encodeFrame, type Frame, Op } from "@chatroom/proto/protocol";
import { WebSocket } from "ws";
import { type Comet, createComet } from "../../src/comet.ts";
import { type CometConfig, loadCometConfig } from "../../src/config.ts";
import { FakeLogic } from "./fake-logic.ts";

const TIMEOUT_MS = 10_000;

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface Harness {
  comet: Comet;
  logic: FakeLogic;
  server: Server;
  url: string;
  /** Opens a client socket (not authenticated yet), with extra upgrade headers (Origin…). */
  open(path?: string, headers?: Record<string, string>): Promise<TestClient>;
  /** Opens a client and authenticates it with the token (which must be a session of the fake logic). */
  login(token: string, accepts?: number[]): Promise<{ client: TestClient; reply: AuthReply }>;
  close(): Promise<void>;
}

/** A comet on an http.Server on 127.0.0.1:0 with a FakeLogic; close() stops everything it started. */
export async function startComet(overrides: Partial<CometConfig> = {}, logic = new FakeLogic()): Promise<Harness> {
  const config = loadCometConfig({}, { id: "comet-test", ...overrides });
  const comet = createComet({ config, logic, logger: silentLogger });
  const server = createServer((_request, response) => {
    response.statusCode = 200;
    response.end("http");
  });
  comet.attach(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const url = `ws://127.0.0.1:${port}`;
  const clients: TestClient[] = [];
  const harness: Harness = {
    comet,
    logic,
    server,
    url,
    async open(path = "/ws", headers = {}) {
      const client = new TestClient(new WebSocket(`${url}${path}`, { headers }));
      clients.push(client);
      await client.opened;
      return client;
    },
    async login(token, accepts = []) {
      const client = await harness.open();
      client.send(Op.AUTH, 1, AuthRequest.encode({ token, accepts, client: "test" }).finish());
      const frame = await client.next(Op.AUTH_REPLY);
      return { client, reply: AuthReply.decode(frame.body) };
    },
    async close() {
      for (const client of clients) client.ws.terminate();
      await comet.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return harness;
}

/** A `ws` client that collects decoded frames and its close code. */
export class TestClient {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly frames: Frame[] = [];
  private waiter: (() => void) | undefined;

  constructor(ws: WebSocket) {
    this.ws = ws;
    this.opened = once(ws, "open").then(() => undefined);
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    ws.on("error", () => {});
    ws.on("message", (data: Buffer) => {
      this.frames.push(decodeFrame(new Uint8Array(data), Number.MAX_SAFE_INTEGER));
      this.waiter?.();
    });
  }

  send(op: number, seq: number, body?: Uint8Array): void {
    this.ws.send(encodeFrame(op, seq, body));
  }

  /** The next frame received (skipping frames of other ops when `op` is given). */
  async next(op?: number): Promise<Frame> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const index = op === undefined ? 0 : this.frames.findIndex((f) => f.op === op);
      if (index >= 0 && index < this.frames.length) return this.frames.splice(index, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no frame${op === undefined ? "" : ` with op ${op}`} received`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, TIMEOUT_MS);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        };
      });
    }
  }

  /** Frames received and not yet taken by next(). */
  get pending(): readonly Frame[] {
    return this.frames;
  }
}
