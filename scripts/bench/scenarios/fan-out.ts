import { type BenchContext, measureWindow, param, params, rawParam, sourceAddresses } from "../lib/context.ts";
import { ackedPerRoom, ackSummary, collectDeliveries } from "../lib/delivery.ts";
import type { ScenarioResult } from "../lib/report.ts";
import { BASELINE_NAMES, onEachSystem } from "../lib/systems.ts";
import { fmt, ratio, type Table } from "../lib/table.ts";
import type { Target } from "../lib/target.ts";
import { LoadWorker, split, startWorkers, stopWorkers } from "../lib/worker-pool.ts";
import type { ClientSpec, LoadArgs, LoadTarget } from "../worker/protocol.ts";

const PER_WORKER = 15_000;
/** Members per room; a room's M connections are spread over them (N/20 tabs each). */
const ACCOUNTS_PER_ROOM = 20;
/** Senders per room for the "send" path: the comet serves one connection's requests one at a time, so a single
 * sender is bounded by 1 / send latency and the offered rate needs several. */
const SENDERS_PER_ROOM = 20;
const PUSH_OP = 1000;

type Via = "push" | "send";

interface Row {
  system: string;
  via: Via;
  rate: number;
  sentPerSecond: number;
  acked: number;
  skipped: number;
  failed: number;
  expected: number;
  delivered: number;
  deliveredPerSecond: number;
  drops: number;
  extra: number;
  disconnects: string;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  ackP99: number;
  cpu: string;
  profiles: string[];
  errors: string[];
}

function loadKind(target: Target, via: Via): LoadArgs["kind"] {
  if (target.system === "socketio") return via === "push" ? "sio-push" : "sio-emit";
  if (target.system === "centrifugo") return via === "push" ? "cf-push" : "cf-publish";
  return via === "push" ? "push-http" : "chat-ws";
}

async function runSystem(
  ctx: BenchContext,
  target: Target,
  shape: { members: number; rooms: number; rates: number[]; vias: Via[]; durationS: number; bytes: number },
): Promise<Row[]> {
  const { members, rooms } = shape;
  const perRoom = Math.min(members, ACCOUNTS_PER_ROOM);
  const accounts = await target.members(perRoom * rooms, `fan${Date.now() % 100000}x`);
  const roomIds = Array.from({ length: rooms }, (_, r) => `fan-${r}`);
  const tokensOf = (r: number) => accounts.slice(r * perRoom, (r + 1) * perRoom).map((a) => a.token);
  ctx.log(`  ${target.name}: ${accounts.length} members joining ${rooms} room(s)`);
  for (const [r, room] of roomIds.entries()) await target.joinRoom(room, tokensOf(r));
  const clients: ClientSpec[] = [];
  roomIds.forEach((room, r) => {
    const tokens = tokensOf(r);
    for (let j = 0; j < members; j += 1) {
      clients.push({
        token: tokens[j % tokens.length] as string,
        url: target.wsUrls[clients.length % target.wsUrls.length] as string,
        group: room,
        rooms: [room],
      });
    }
  });
  const receivers = await startWorkers(Math.max(ctx.workers, Math.ceil(clients.length / PER_WORKER)));
  const loader = new LoadWorker(receivers.length);
  const rows: Row[] = [];
  try {
    ctx.log(`  ${target.name}: opening ${clients.length} receiving connections`);
    const opens = await Promise.all(
      split(clients, receivers.length).map((part, i) =>
        receivers[i]?.open(
          {
            system: target.system,
            clients: part,
            localAddresses: sourceAddresses(clients.length),
            concurrency: 100,
            track: "delivery",
            accepts: [PUSH_OP],
            timeoutMs: 60_000,
          },
          30 * 60_000,
        ),
      ),
    );
    const failed = opens.reduce((n, o) => n + (o?.failed ?? 0), 0);
    if (failed > 0)
      throw new Error(`${failed} receivers failed to connect: ${opens.flatMap((o) => o?.errors ?? []).join(" | ")}`);
    for (const via of shape.vias) {
      // Round-robin over rooms first, so consecutive operations go to different rooms.
      const senders = via === "push" ? 1 : Math.min(perRoom, SENDERS_PER_ROOM);
      const targets: LoadTarget[] = [];
      for (let s = 0; s < senders; s += 1) {
        roomIds.forEach((room, r) => {
          targets.push(via === "push" ? { room } : { room, token: tokensOf(r)[s] as string });
        });
      }
      for (const rate of shape.rates) {
        await Promise.all(receivers.map((w) => w.reset()));
        ctx.log(`  ${target.name}: ${via} at ${rate} msgs/s for ${shape.durationS} s`);
        const { result: load, window } = await measureWindow(
          ctx,
          target,
          [...receivers, loader],
          `fan-out-${via}-${rate}`,
          () =>
            loader.load(
              {
                kind: loadKind(target, via),
                urls: via === "push" ? target.httpUrls : target.wsUrls,
                targets,
                apiKey: target.apiKey,
                rate,
                concurrency: 256,
                durationMs: shape.durationS * 1000,
                maxOperations: Math.ceil(rate * shape.durationS),
                payloadBytes: shape.bytes,
                localAddresses: ["127.0.0.1"],
              },
              shape.durationS * 1000 + 180_000,
            ),
        );
        const delivery = await collectDeliveries(receivers, ackedPerRoom([load]), 3000, 60_000);
        const ack = ackSummary([load]);
        const seconds = Math.max(0.001, (delivery.lastDeliveryAt - load.startedAt) / 1000);
        rows.push({
          system: target.name,
          via,
          rate,
          sentPerSecond: load.acked / (load.elapsedMs / 1000),
          acked: load.acked,
          skipped: load.skipped,
          failed: load.failed,
          expected: delivery.expected,
          delivered: delivery.received,
          deliveredPerSecond: delivery.received / seconds,
          drops: delivery.missing,
          extra: delivery.extra,
          disconnects: `${delivery.disconnects}${delivery.disconnects ? ` ${JSON.stringify(delivery.closeCodes)}` : ""}`,
          p50: delivery.latency.p50Ms,
          p90: delivery.latency.p90Ms,
          p99: delivery.latency.p99Ms,
          p999: delivery.latency.p999Ms,
          max: delivery.latency.maxMs,
          ackP99: ack.p99Ms,
          cpu: window.cpu,
          profiles: window.profiles,
          errors: load.errors,
        });
      }
    }
  } finally {
    await stopWorkers([...receivers, loader]);
  }
  return rows;
}

/**
 * M members in each of K rooms; messages published at R per second (all rooms together) through the push API
 * (a backend) and through members' sends (stored chat messages); deliveries, end-to-end latency from the send
 * timestamp in the message, drops. With the baselines, the same against Socket.IO + Redis adapter and against
 * Centrifugo (memory engine).
 */
export async function fanOutScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const shape = {
    members: param(ctx, "members", 1000),
    rooms: param(ctx, "rooms", 1),
    rates: params(ctx, "rate", [25, 100, 400, 1600]),
    vias: (rawParam(ctx, "via") ?? "push,send").split(",").filter((v): v is Via => v === "push" || v === "send"),
    durationS: param(ctx, "duration", 10),
    bytes: param(ctx, "bytes", 100),
  };
  const outcome = await onEachSystem(ctx, (target) => runSystem(ctx, target, shape));
  const rows = outcome.results;
  const notes = [...outcome.skipped];
  const failures = outcome.failures;
  const tables: Table[] = [
    {
      headers: [
        "system",
        "via",
        "offered msgs/s",
        "sent/s",
        "skipped",
        "delivered",
        "expected",
        "delivered msgs/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms",
        "drops",
        "extra",
        "disconnects",
        "send ack p99 ms",
      ],
      rows: rows.map((r) => [
        r.system,
        r.via,
        r.rate,
        Math.round(r.sentPerSecond),
        r.skipped,
        r.delivered,
        r.expected,
        Math.round(r.deliveredPerSecond),
        fmt(r.p50, 1),
        fmt(r.p90, 1),
        fmt(r.p99, 1),
        fmt(r.p999, 1),
        fmt(r.max, 1),
        r.drops,
        r.extra,
        r.disconnects,
        fmt(r.ackP99, 1),
      ]),
    },
  ];
  const baselineNames: string[] = Object.values(BASELINE_NAMES);
  const chat = rows.filter((r) => !baselineNames.includes(r.system));
  const sio = rows.filter((r) => r.system === BASELINE_NAMES.socketio);
  const cf = rows.filter((r) => r.system === BASELINE_NAMES.centrifugo);
  for (const [base, title] of [
    [sio, "Socket.IO"],
    [cf, "Centrifugo"],
  ] as const) {
    if (!base.length) continue;
    tables.push({
      caption: `chatroom ÷ ${title} at the same offered load (delivered msgs/s: higher is better; p99: lower is better)`,
      headers: ["via", "offered msgs/s", "delivered msgs/s ratio", "p99 ratio"],
      rows: chat.flatMap((c) => {
        const s = base.find((x) => x.via === c.via && x.rate === c.rate);
        return s ? [[c.via, c.rate, ratio(c.deliveredPerSecond, s.deliveredPerSecond), ratio(c.p99, s.p99)]] : [];
      }),
    });
  }
  for (const r of rows) {
    notes.push(`${r.system} ${r.via} at ${r.rate}/s: CPU (% of one core): ${r.cpu}`);
    for (const p of r.profiles) notes.push(`profile ${p}`);
    if (r.errors.length)
      notes.push(`${r.system} ${r.via} at ${r.rate}/s: send errors (${r.failed}): ${r.errors.join(" | ")}`);
  }
  const best = (list: Row[]) => Math.max(0, ...list.map((r) => r.deliveredPerSecond));
  const figures: Record<string, number> = {
    delivered: chat.reduce((n, r) => n + r.delivered, 0),
    drops: chat.reduce((n, r) => n + r.drops, 0),
    extra: chat.reduce((n, r) => n + r.extra, 0),
    bestDeliveredPerSecond: best(chat),
  };
  if (sio.length) {
    figures.sioDelivered = sio.reduce((n, r) => n + r.delivered, 0);
    figures.sioBestDeliveredPerSecond = best(sio);
  }
  if (cf.length) {
    figures.cfDelivered = cf.reduce((n, r) => n + r.delivered, 0);
    figures.cfDrops = cf.reduce((n, r) => n + r.drops, 0);
    figures.cfBestDeliveredPerSecond = best(cf);
  }
  if (outcome.skipped.some((note) => note.startsWith("Centrifugo baseline skipped"))) figures.cfSkipped = 1;
  return {
    scenario: "fan-out",
    setup:
      `${shape.members} connections in each of ${shape.rooms} room(s) (${Math.min(shape.members, ACCOUNTS_PER_ROOM)} ` +
      `members per room, the rest their extra tabs), ${ctx.target === "cluster" ? "spread over the comets" : "on the all-in-one"}; ` +
      `open-loop publishing at each offered rate for ${shape.durationS} s (≤ 256 in flight) through the push API ` +
      `(POST /goim/push/room, op ${PUSH_OP}; Socket.IO: POST /push/room; Centrifugo: POST /api/publish) and through ` +
      `members' sends (SDK send over the WebSocket, ${Math.min(shape.members, ACCOUNTS_PER_ROOM, SENDERS_PER_ROOM)} senders per room; Socket.IO: emit "send" with ack; ` +
      `Centrifugo: client publish, acknowledged by its reply), ${shape.bytes}-byte ` +
      `payloads. Latency: receive time − send time stamped in the payload. Delivered msgs/s = deliveries ÷ (last ` +
      `delivery − first send). Drops: expected (acknowledged × room connections) − received, after up to 60 s of drain; ` +
      `extra: received beyond that (sends that timed out at the client but were stored and delivered). ` +
      `Targets: ≥ 5× Socket.IO's and ≥ 1× Centrifugo's delivered msgs/s in the same fan-out (embedded).`,
    tables,
    notes,
    figures,
    failures,
  };
}
