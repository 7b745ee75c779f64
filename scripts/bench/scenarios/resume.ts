import { ChatHttp } from "@chatroom/client";
import { type BenchContext, measureWindow, param, sourceAddresses, withSystem } from "../lib/context.ts";
import { collectDeliveries } from "../lib/delivery.ts";
import type { ScenarioResult } from "../lib/report.ts";
import { fmt } from "../lib/table.ts";
import type { Target } from "../lib/target.ts";
import { sleep } from "../lib/timing.ts";
import { LoadWorker, split, startWorkers, stopWorkers } from "../lib/worker-pool.ts";
import type { ClientSpec } from "../worker/protocol.ts";

const ROOM = "resume";
const ACCOUNTS = 50;

interface Outcome {
  clients: number;
  affected: number;
  openAtEnd: number;
  sent: number;
  sendFailures: number;
  finalSeq: number;
  lost: number;
  duplicates: number;
  gaps: number;
  resumeAllMs: number;
  resumeP50Ms: number;
  restartMs: number;
  victim: string;
  closeCodes: Record<string, number>;
  cpu: string;
  errors: string[];
}

async function run(
  ctx: BenchContext,
  target: Target,
  shape: { clients: number; rate: number; durationS: number },
): Promise<Outcome> {
  const accounts = await target.members(Math.min(shape.clients, ACCOUNTS), `res${Date.now() % 100000}x`);
  await target.joinRoom(
    ROOM,
    accounts.map((a) => a.token),
  );
  const clients: ClientSpec[] = Array.from({ length: shape.clients }, (_, i) => ({
    token: accounts[i % accounts.length]?.token as string,
    url: target.resilientWsUrl,
    group: ROOM,
  }));
  const workers = await startWorkers(Math.max(ctx.workers, Math.ceil(shape.clients / 15_000)));
  const loader = new LoadWorker(workers.length);
  try {
    ctx.log(`  ${target.name}: opening ${shape.clients} clients`);
    const opens = await Promise.all(
      split(clients, workers.length).map((part, i) =>
        workers[i]?.open(
          {
            system: "chatroom",
            clients: part,
            localAddresses: sourceAddresses(shape.clients),
            concurrency: 100,
            track: "sequence",
            timeoutMs: 60_000,
          },
          30 * 60_000,
        ),
      ),
    );
    const failed = opens.reduce((n, o) => n + (o?.failed ?? 0), 0);
    if (failed)
      throw new Error(`${failed} clients failed to connect: ${opens.flatMap((o) => o?.errors ?? []).join(" | ")}`);
    const sender = accounts[0]?.token as string;
    const { result, window } = await measureWindow(ctx, target, [...workers, loader], "resume", async () => {
      const load = loader.load(
        {
          kind: "chat-http",
          urls: target.httpUrls,
          targets: [{ room: ROOM, token: sender }],
          rate: shape.rate,
          concurrency: 16,
          durationMs: shape.durationS * 1000,
          maxOperations: Math.ceil(shape.rate * shape.durationS),
          payloadBytes: 60,
          localAddresses: ["127.0.0.1"],
          retryMs: 60_000,
        },
        shape.durationS * 1000 + 240_000,
      );
      await sleep((shape.durationS * 1000) / 3);
      ctx.log(`  ${target.name}: kill -9 of the comet under ${shape.clients} clients`);
      const crash = await target.crash();
      return { load: await load, crash };
    });
    const { load, crash } = result;
    const finalSeq = (await new ChatHttp({ baseUrl: target.httpUrls[0] as string, token: sender }).room(ROOM)).lastSeq;
    ctx.log(
      `  ${target.name}: ${load.acked} sends acknowledged, last seq ${finalSeq}; waiting for every client to have all`,
    );
    const delivery = await collectDeliveries(workers, { [ROOM]: finalSeq }, 10_000, 120_000);
    const resumed = delivery.stats
      .flatMap((s) => s.resumedAt)
      .map((t) => t - crash.killedAt)
      .sort((a, b) => a - b);
    return {
      clients: shape.clients,
      affected: resumed.length,
      openAtEnd: delivery.stats.reduce((n, s) => n + s.open, 0),
      sent: load.acked,
      sendFailures: load.failed,
      finalSeq,
      lost: delivery.missing,
      duplicates: delivery.extra,
      gaps: delivery.stats.reduce((n, s) => n + s.gaps, 0),
      resumeAllMs: resumed.at(-1) ?? 0,
      resumeP50Ms: resumed[Math.floor(resumed.length / 2)] ?? 0,
      restartMs: crash.restartedAt ? crash.restartedAt - crash.killedAt : 0,
      victim: crash.victim,
      closeCodes: delivery.closeCodes,
      cpu: window.cpu,
      errors: load.errors,
    };
  } finally {
    await stopWorkers([...workers, loader]);
  }
}

/**
 * F clients in one room while a member sends over HTTP (retrying, same clientMsgId, through the outage); the comet
 * is killed with SIGKILL a third of the way in (embedded: the whole process, restarted at once on the same port).
 * Every client must end with every message exactly once: lost and duplicated must be 0.
 */
export async function resumeScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const shape = {
    clients: param(ctx, "clients", 1000),
    rate: param(ctx, "rate", 50),
    durationS: param(ctx, "duration", 12),
  };
  const o = await withSystem(ctx, "chatroom", (target) => run(ctx, target, shape));
  const notes = [`CPU over the run (% of one core): ${o.cpu}`];
  if (o.errors.length) notes.push(`send errors after retries (${o.sendFailures}): ${o.errors.join(" | ")}`);
  notes.push(`close codes the clients saw: ${JSON.stringify(o.closeCodes)}`);
  return {
    scenario: "resume",
    setup:
      `${o.clients} SDK clients (${Math.min(o.clients, ACCOUNTS)} members) in one room, ` +
      (ctx.target === "cluster"
        ? `connected through the load balancer (spread over the comets); kill -9 of ${o.victim}, its clients reconnect to the others`
        : "connected to the all-in-one; kill -9 of the process, started again at once on the same port and data dir") +
      `; one member sends ${shape.rate}/s over HTTP for ${shape.durationS} s, retrying failed sends with the same ` +
      `clientMsgId for up to 60 s; SDK default reconnect backoff (250 ms doubling to 10 s, full jitter). Resume time: ` +
      `kill → the client's "resumed" event after reconnecting. Lost = Σ (last seq − distinct seqs received); ` +
      `duplicates = seqs delivered twice to the app.`,
    tables: [
      {
        headers: [
          "clients",
          "affected",
          "open at end",
          "sends acked",
          "last seq",
          "lost",
          "duplicates",
          "gaps",
          "all resumed s",
          "median resume s",
          "restart s",
        ],
        rows: [
          [
            o.clients,
            o.affected,
            o.openAtEnd,
            o.sent,
            o.finalSeq,
            o.lost,
            o.duplicates,
            o.gaps,
            fmt(o.resumeAllMs / 1000, 2),
            fmt(o.resumeP50Ms / 1000, 2),
            o.restartMs ? fmt(o.restartMs / 1000, 2) : "–",
          ],
        ],
      },
    ],
    notes,
    figures: {
      clients: o.clients,
      affected: o.affected,
      openAtEnd: o.openAtEnd,
      sent: o.sent,
      finalSeq: o.finalSeq,
      lost: o.lost,
      duplicates: o.duplicates,
      gaps: o.gaps,
      resumeAllMs: o.resumeAllMs,
    },
  };
}
