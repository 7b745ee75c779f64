// The Socket.IO baseline: what a Node team would write instead of chatroom — Socket.IO 4 with the Redis adapter
// (@socket.io/redis-adapter on the local Redis), one process, the same job as chatroom's comet+logic+job minus
// storage. Clients authenticate with a signed member id (HMAC, like a session token) and join the rooms named in the
// handshake. Members send with the "send" event (acknowledged once broadcast); backends push with
// POST /push/room?room=<id> (raw text body → event "push" to the room), like goim's push API.
// Environment: BENCH_SIO_PORT (0), BENCH_SIO_SECRET, BENCH_SIO_REDIS_URL, BENCH_SIO_KEY (adapter channel prefix).
// Prints `socket.io ready http://127.0.0.1:<port>`.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";

const secret = process.env.BENCH_SIO_SECRET ?? "";
const redisUrl = process.env.BENCH_SIO_REDIS_URL ?? "redis://127.0.0.1:6379";
const MAX_BODY = 64 * 1024;

/** `<member id>.<hmac>`, as the harness signs it (see socketio-target.ts). */
function verify(token: unknown): string | null {
  if (typeof token !== "string") return null;
  const [id, mac] = token.split(".");
  if (!id || !mac) return null;
  const expected = createHmac("sha256", secret).update(id).digest("base64url");
  const a = Buffer.from(mac);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b) ? id : null;
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const http = createServer((request: IncomingMessage, response: ServerResponse) => {
  const url = new URL(request.url ?? "/", "http://sio");
  if (request.method !== "POST" || url.pathname !== "/push/room") {
    response.writeHead(404).end();
    return;
  }
  const room = url.searchParams.get("room");
  readBody(request).then(
    (body) => {
      if (!room || body === null) {
        response.writeHead(400).end();
        return;
      }
      io.to(room).emit("push", body);
      response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    },
    () => response.writeHead(500).end(),
  );
});

const pub = new Redis(redisUrl, { lazyConnect: true });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);
const io = new Server(http, {
  transports: ["websocket"],
  serveClient: false,
  adapter: createAdapter(pub, sub, { key: process.env.BENCH_SIO_KEY ?? "socket.io" }),
});

io.use((socket, next) => {
  const member = verify((socket.handshake.auth as { token?: unknown }).token);
  if (!member) return next(new Error("unauthorized"));
  socket.data.member = member;
  next();
});

io.on("connection", (socket) => {
  const rooms = (socket.handshake.auth as { rooms?: unknown }).rooms;
  if (Array.isArray(rooms)) for (const room of rooms) if (typeof room === "string") socket.join(room);
  socket.on("send", (message: { room?: unknown; text?: unknown }, ack?: (reply: unknown) => void) => {
    const { room, text } = message ?? {};
    if (typeof room !== "string" || typeof text !== "string" || !socket.rooms.has(room)) {
      ack?.({ error: "bad_request" });
      return;
    }
    io.to(room).emit("message", { room, text, sender: socket.data.member as string, sentAtMs: Date.now() });
    ack?.({ ok: true });
  });
});

http.listen(Number(process.env.BENCH_SIO_PORT ?? 0), "127.0.0.1", () => {
  console.log(`socket.io ready http://127.0.0.1:${(http.address() as AddressInfo).port}`);
});

const shutdown = () => {
  io.close();
  pub.disconnect();
  sub.disconnect();
  setTimeout(() => process.exit(0), 500).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
