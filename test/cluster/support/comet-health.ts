import type { Cluster } from "../../../scripts/cluster/cluster.ts";
import type { ServiceProcess } from "../../../scripts/cluster/service-process.ts";

/** What a comet's /healthz answers: its connections, and how often job called it (by CometApi method). */
export interface CometHealth {
  status: string;
  comet: string;
  connections: number;
  rooms: number;
  pushes: { pushMsg: number; broadcast: number; broadcastRoom: number };
}

export async function cometHealth(cluster: Cluster, comet: ServiceProcess): Promise<CometHealth> {
  const url = cluster.cometWsUrl(comet).replace(/^ws/, "http").replace(/\/ws$/, "/healthz");
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${comet.name} /healthz answered ${response.status}`);
  return (await response.json()) as CometHealth;
}

/**
 * The comets' health once job has stopped calling them: polls until two readings `quietMs` apart show the same
 * push counts on every comet, so that a later difference is caused by what the test does next. The default is
 * longer than the online-count push interval (1 s): a connect's OP_ONLINE push comes that long after it.
 */
export async function quietHealth(
  cluster: Cluster,
  comets: readonly ServiceProcess[],
  quietMs = 1500,
  timeoutMs = 20_000,
): Promise<CometHealth[]> {
  const deadline = Date.now() + timeoutMs;
  let previous = await Promise.all(comets.map((c) => cometHealth(cluster, c)));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const current = await Promise.all(comets.map((c) => cometHealth(cluster, c)));
    const same = current.every((h, i) => JSON.stringify(h.pushes) === JSON.stringify(previous[i]?.pushes));
    if (same) return current;
    if (Date.now() > deadline) throw new Error(`the comets' push counts did not settle within ${timeoutMs} ms`);
    previous = current;
  }
}
