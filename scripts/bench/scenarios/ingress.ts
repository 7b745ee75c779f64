import { type BenchContext, measureWindow, param, params, rawParam, withSystem } from "../lib/context.ts";
import { ackedPerRoom, ackSummary, collectDeliveries } from "../lib/delivery.ts";
import type { LatencySummary } from "../lib/histogram.ts";
import type { ScenarioResult } from "../lib/report.ts";
import { fmt } from "../lib/table.ts";
import type { Target } from "../lib/target.ts";
import { LoadWorker, startWorkers, stopWorkers } from "../lib/worker-pool.ts";
import type { ClientSpec, LoadTarget } from "../worker/protocol.ts";

type Via = "http" | "ws";

interface Row {
  via: Via;
  mode: string;
  sent: number;
  acked: number;
  failed: number;
  skipped: number;
  perSecond: number;
  ack: LatencySummary;
  e2e: LatencySummary;
  drops: number;
  cpu: string;
  profiles: string[];
  errors: string[];
  /** Cluster: MariaDB statements per acknowledged send over the step (server-wide counters). */
  statements: string;
}

function statementsPerSend(
  before: Record<string, number> | undefined,
  after: Record<string, number> | undefined,
  sends: number,
): string {
  if (!before || !after || sends === 0) return "";
  const per = (name: string) => ((after[name] ?? 0) - (before[name] ?? 0)) / sends;
  return (
    `${per("Questions").toFixed(1)} MariaDB statements per send (${per("Com_select").toFixed(1)} SELECT, ` +
    `${per("Com_insert").toFixed(1)} INSERT, ${per("Com_update").toFixed(1)} UPDATE, ${per("Com_commit").toFixed(1)} COMMIT; server-wide counters)`
  );
}

async function run(
  ctx: BenchContext,
  target: Target,
  shape: {
    senders: number;
    rooms: number;
    concurrency: number;
    rates: number[];
    vias: Via[];
    durationS: number;
    bytes: number;
  },
): Promise<Row[]> {
  const accounts = await target.members(shape.senders, `ing${Date.now() % 100000}x`);
  // Sender i sends into room i mod rooms (by default a room of its own).
  const roomCount = Math.max(1, Math.min(shape.rooms, accounts.length));
  const rooms = Array.from({ length: roomCount }, (_, r) => `ingress-${r}`);
  const tokensOf = (r: number) => accounts.filter((_, i) => i % roomCount === r).map((a) => a.token);
  ctx.log(`  ${target.name}: ${accounts.length} senders in ${roomCount} room(s)`);
  for (const [r, room] of rooms.entries()) await target.joinRoom(room, tokensOf(r));
  // One listener per room (another connection of its first sender) measures send → delivery.
  const listeners: ClientSpec[] = rooms.map((room, r) => ({
    token: tokensOf(r)[0] as string,
    url: target.wsUrls[r % target.wsUrls.length] as string,
    group: room,
  }));
  const [receiver] = await startWorkers(1);
  const loader = new LoadWorker(1);
  const rows: Row[] = [];
  try {
    const open = await receiver?.open(
      {
        system: "chatroom",
        clients: listeners,
        localAddresses: ["127.0.0.1"],
        concurrency: 50,
        track: "delivery",
        timeoutMs: 60_000,
      },
      600_000,
    );
    if (open?.failed) throw new Error(`listeners failed to connect: ${open.errors.join(" | ")}`);
    const targets: LoadTarget[] = accounts.map((account, i) => ({
      room: rooms[i % roomCount] as string,
      token: account.token,
    }));
    for (const via of shape.vias) {
      for (const rate of shape.rates) {
        await receiver?.reset();
        const countersBefore = await target.storeCounters?.();
        const mode = rate > 0 ? `${rate}/s open loop` : `closed loop, ${shape.concurrency} in flight`;
        ctx.log(`  ${target.name}: ${via} sends, ${mode}, ${shape.durationS} s`);
        const { result: load, window } = await measureWindow(
          ctx,
          target,
          [receiver as LoadWorker, loader],
          `ingress-${via}-${rate}`,
          () =>
            loader.load(
              {
                kind: via === "http" ? "chat-http" : "chat-ws",
                urls: via === "http" ? target.httpUrls : target.wsUrls,
                targets,
                rate,
                concurrency: rate > 0 ? 1024 : shape.concurrency,
                durationMs: shape.durationS * 1000,
                maxOperations: rate > 0 ? Math.ceil(rate * shape.durationS) : 10_000_000,
                payloadBytes: shape.bytes,
                localAddresses: ["127.0.0.1"],
              },
              shape.durationS * 1000 + 180_000,
            ),
        );
        const countersAfter = await target.storeCounters?.();
        const delivery = await collectDeliveries([receiver as LoadWorker], ackedPerRoom([load]), 3000, 60_000);
        rows.push({
          via,
          mode,
          sent: load.started,
          acked: load.acked,
          failed: load.failed,
          skipped: load.skipped,
          perSecond: load.acked / (load.elapsedMs / 1000),
          ack: ackSummary([load]),
          e2e: delivery.latency,
          drops: delivery.missing,
          cpu: window.cpu,
          profiles: window.profiles,
          errors: load.errors,
          statements: statementsPerSend(countersBefore, countersAfter, load.acked),
        });
      }
    }
  } finally {
    await stopWorkers([receiver as LoadWorker, loader]);
  }
  return rows;
}

/**
 * Durable sends per second through logic — over HTTP (POST /api/v1/rooms/:id/messages) and over the WebSocket (SDK
 * send) — each acknowledged only after it is stored and published; ack latency and, from one listener per room,
 * send → delivery latency.
 */
export async function ingressScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const shape = {
    senders: param(ctx, "senders", 20),
    rooms: param(ctx, "rooms", 0),
    concurrency: param(ctx, "concurrency", 64),
    rates: params(ctx, "rate", [0]),
    vias: (rawParam(ctx, "via") ?? "http,ws").split(",").filter((v): v is Via => v === "http" || v === "ws"),
    durationS: param(ctx, "duration", 10),
    bytes: param(ctx, "bytes", 100),
  };
  if (shape.rooms === 0) shape.rooms = shape.senders;
  const rows = await withSystem(ctx, "chatroom", (target) => run(ctx, target, shape));
  const notes: string[] = [];
  for (const r of rows) {
    notes.push(`${r.via} ${r.mode}: CPU (% of one core): ${r.cpu}`);
    if (r.statements) notes.push(`${r.via} ${r.mode}: ${r.statements}`);
    for (const p of r.profiles) notes.push(`profile ${p}`);
    if (r.errors.length) notes.push(`${r.via} ${r.mode}: errors (${r.failed}): ${r.errors.join(" | ")}`);
  }
  const ms = (v: number) => fmt(v, 1);
  const figures: Record<string, number> = {};
  for (const r of rows) {
    figures[`${r.via}SendsPerSecond`] = Math.max(figures[`${r.via}SendsPerSecond`] ?? 0, r.perSecond);
    figures[`${r.via}Delivered`] = (figures[`${r.via}Delivered`] ?? 0) + r.e2e.count;
    figures.drops = (figures.drops ?? 0) + r.drops;
  }
  return {
    scenario: "ingress",
    setup:
      `${shape.senders} members sending (round-robin) into ${shape.rooms === shape.senders ? "a room of their own each" : `${shape.rooms} room(s) shared by them`} for ${shape.durationS} s, ` +
      `${shape.bytes}-byte texts, ${ctx.target === "cluster" ? "spread over the logics (HTTP) and comets (WebSocket)" : "to the all-in-one"}; ` +
      `closed loop = as fast as acknowledgements come back. Ack = request → SendReply/HTTP 201 (stored and published). ` +
      `End-to-end = send → delivery to one listening connection per room. Target: e2e p99 ≤ 50 ms at 10k msgs/s ` +
      `ingress in distributed mode.`,
    tables: [
      {
        headers: [
          "via",
          "mode",
          "acked",
          "failed",
          "skipped",
          "sends/s",
          "ack p50 ms",
          "ack p90 ms",
          "ack p99 ms",
          "ack p99.9 ms",
          "e2e p50 ms",
          "e2e p90 ms",
          "e2e p99 ms",
          "e2e p99.9 ms",
          "drops",
        ],
        rows: rows.map((r) => [
          r.via,
          r.mode,
          r.acked,
          r.failed,
          r.skipped,
          Math.round(r.perSecond),
          ms(r.ack.p50Ms),
          ms(r.ack.p90Ms),
          ms(r.ack.p99Ms),
          ms(r.ack.p999Ms),
          ms(r.e2e.p50Ms),
          ms(r.e2e.p90Ms),
          ms(r.e2e.p99Ms),
          ms(r.e2e.p999Ms),
          r.drops,
        ]),
      },
    ],
    notes,
    figures,
  };
}
