import { ChatClient, ChatHttp, newClientMsgId } from "@chatroom/client";
import type { Socket } from "socket.io-client";
import { io } from "socket.io-client";
import { Histogram } from "../lib/histogram.ts";
import { mapLimit, sleep, wallNow, withTimeout } from "../lib/timing.ts";
import { CentrifugoClient } from "./cf-client.ts";
import { boundWebSocket } from "./chat-fleet.ts";
import { type LoadArgs, type LoadResult, type LoadTarget, payload } from "./protocol.ts";
import { sioOptions } from "./sio-fleet.ts";

/** One operation: resolves with the stored seq (chat sends) or 0. */
type Operation = (target: LoadTarget, url: string, index: number) => Promise<number>;

interface Prepared {
  operation: Operation;
  close(): Promise<void>;
}

const PUSH_OP = 1000;

async function post(url: string, body: string, headers: Record<string, string>): Promise<unknown> {
  const response = await fetch(url, { method: "POST", body, headers, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : null;
}

/** Opens what the operations need (sender connections) and returns the operation. */
async function prepare(args: LoadArgs): Promise<Prepared> {
  const text = (index: number) => payload(args.payloadBytes, `w${process.pid}-${index}`);
  switch (args.kind) {
    case "push-http":
      return {
        operation: async (target, url, index) => {
          const query = `operation=${PUSH_OP}&room=${encodeURIComponent(target.room)}`;
          await post(`${url}/goim/push/room?${query}`, text(index), { "x-api-key": args.apiKey ?? "" });
          return 0;
        },
        close: async () => {},
      };
    case "sio-push":
      return {
        operation: async (target, url, index) => {
          await post(`${url}/push/room?room=${encodeURIComponent(target.room)}`, text(index), {});
          return 0;
        },
        close: async () => {},
      };
    case "cf-push":
      return {
        operation: async (target, url, index) => {
          const reply = (await post(`${url}/api/publish`, JSON.stringify({ channel: target.room, data: text(index) }), {
            "x-api-key": args.apiKey ?? "",
            "content-type": "application/json",
          })) as { error?: { code: number; message: string } } | null;
          if (reply?.error) throw new Error(`centrifugo ${reply.error.code}: ${reply.error.message}`);
          return 0;
        },
        close: async () => {},
      };
    case "cf-publish": {
      const tokens = [...new Set(args.targets.map((t) => t.token ?? ""))];
      const clients = new Map<string, CentrifugoClient>();
      await mapLimit(tokens, 50, async (token, i) => {
        // Publishing is allowed to a channel's subscribers: each sender subscribes to the rooms it sends into.
        const channels = [...new Set(args.targets.filter((t) => t.token === token).map((t) => t.room))];
        const client = await CentrifugoClient.connect({
          url: args.urls[i % args.urls.length] as string,
          token,
          channels,
          localAddress: args.localAddresses[i % args.localAddresses.length] ?? "127.0.0.1",
          timeoutMs: 30_000,
        });
        clients.set(token, client);
      });
      return {
        operation: async (target, _url, index) => {
          await (clients.get(target.token ?? "") as CentrifugoClient).publish(target.room, text(index));
          return 0;
        },
        close: async () => {
          for (const client of clients.values()) client.close();
        },
      };
    }
    case "chat-http": {
      const https = new Map<string, ChatHttp>();
      return {
        operation: async (target, url, index) => {
          const key = `${url} ${target.token}`;
          let http = https.get(key);
          if (!http) {
            http = new ChatHttp({ baseUrl: url, token: target.token ?? "", rememberToken: false });
            https.set(key, http);
          }
          const client = http;
          const clientMsgId = newClientMsgId();
          const body = text(index);
          return retrying(
            args.retryMs ?? 0,
            async () => (await client.sendMessage(target.room, body, clientMsgId)).message.seq,
          );
        },
        close: async () => {},
      };
    }
    case "chat-ws": {
      const tokens = [...new Set(args.targets.map((t) => t.token ?? ""))];
      const clients = new Map<string, ChatClient>();
      await mapLimit(tokens, 50, async (token, i) => {
        const client = new ChatClient({
          url: args.urls[i % args.urls.length] as string,
          token,
          WebSocket: boundWebSocket(args.localAddresses[i % args.localAddresses.length] ?? "127.0.0.1"),
          resumeFrom: "latest",
          clientName: "bench-sender",
        });
        await withTimeout(client.connect(), 30_000, "sender connect");
        clients.set(token, client);
      });
      return {
        operation: async (target, _url, index) => {
          const client = clients.get(target.token ?? "") as ChatClient;
          return (await client.send(target.room, text(index))).message?.seq ?? 0;
        },
        close: async () => {
          await Promise.all([...clients.values()].map((c) => c.close()));
        },
      };
    }
    case "sio-emit": {
      const tokens = [...new Set(args.targets.map((t) => t.token ?? ""))];
      const sockets = new Map<string, Socket>();
      await mapLimit(tokens, 50, async (token, i) => {
        const rooms = args.targets.filter((t) => t.token === token).map((t) => t.room);
        const address = args.localAddresses[i % args.localAddresses.length] ?? "127.0.0.1";
        const socket = io(args.urls[i % args.urls.length] as string, sioOptions(token, rooms, address));
        await withTimeout(
          new Promise<void>((resolve, reject) => {
            socket.once("connect", () => resolve());
            socket.once("connect_error", reject);
          }),
          30_000,
          "sender connect",
        );
        sockets.set(token, socket);
      });
      return {
        operation: async (target, _url, index) => {
          const socket = sockets.get(target.token ?? "") as Socket;
          await socket.timeout(30_000).emitWithAck("send", { room: target.room, text: text(index) });
          return 0;
        },
        close: async () => {
          for (const socket of sockets.values()) socket.close();
        },
      };
    }
  }
}

async function retrying<T>(forMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + forMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() + delay > deadline) throw error;
      await sleep(delay);
    }
  }
}

/**
 * Runs operations at `rate` per second (open loop: an operation due while `concurrency` are in flight is skipped
 * and counted) or, with rate 0, keeps `concurrency` in flight (closed loop); for `durationMs` or `maxOperations`.
 */
export async function runLoad(args: LoadArgs): Promise<LoadResult> {
  const prepared = await prepare(args);
  const latency = new Histogram();
  const perRoom: Record<string, number> = {};
  const lastSeq: Record<string, number> = {};
  const errors: string[] = [];
  let started = 0;
  let acked = 0;
  let failed = 0;
  let skipped = 0;
  let inFlight = 0;
  let lastAckAt = 0;
  let wake: (() => void) | null = null;
  const settled = new Set<Promise<void>>();
  const issue = (index: number) => {
    const target = args.targets[index % args.targets.length] as LoadTarget;
    const url = args.urls[index % args.urls.length] as string;
    const t0 = performance.now();
    inFlight += 1;
    started += 1;
    const promise = prepared.operation(target, url, index).then(
      (seq) => {
        latency.record(performance.now() - t0);
        acked += 1;
        lastAckAt = performance.now();
        perRoom[target.room] = (perRoom[target.room] ?? 0) + 1;
        if (seq > (lastSeq[target.room] ?? 0)) lastSeq[target.room] = seq;
      },
      (error: unknown) => {
        failed += 1;
        if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
      },
    );
    const tracked = promise.finally(() => {
      inFlight -= 1;
      settled.delete(tracked);
      wake?.();
    });
    settled.add(tracked);
  };
  const begin = performance.now();
  const startedAt = wallNow();
  let scheduled = 0;
  for (;;) {
    const elapsed = performance.now() - begin;
    if (elapsed >= args.durationMs || scheduled >= args.maxOperations) break;
    if (args.rate > 0) {
      const due = Math.min(args.maxOperations, Math.floor((elapsed * args.rate) / 1000) + 1);
      for (; scheduled < due; scheduled += 1) {
        if (inFlight >= args.concurrency) skipped += 1;
        else issue(scheduled);
      }
      const nextAt = (scheduled * 1000) / args.rate;
      await sleep(Math.max(1, nextAt - (performance.now() - begin)));
    } else {
      while (inFlight < args.concurrency && scheduled < args.maxOperations) issue(scheduled++);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
      wake = null;
    }
  }
  const issuedFor = performance.now() - begin;
  await withTimeout(Promise.all(settled), 60_000 + (args.retryMs ?? 0), "operations in flight").catch(() => {});
  // Throughput divides by the time until the last acknowledgement (the in-flight tail included).
  const elapsedMs = Math.max(issuedFor, lastAckAt - begin);
  await prepared.close();
  return {
    started,
    acked,
    failed,
    skipped,
    errors,
    ackLatency: latency.toData(),
    startedAt,
    elapsedMs,
    perRoom,
    lastSeq,
  };
}
