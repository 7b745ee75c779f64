import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createConnection } from "mysql2/promise";
import { kafkaService, mysqlService, redisService } from "../../../test/support/services.ts";
import { type Cluster, startCluster } from "../../cluster/cluster.ts";
import { joinRoom, registerAccounts } from "./accounts.ts";
import { PROBE_FILE, ProbeClient } from "./probe-client.ts";
import { benchServerEnv, type Target } from "./target.ts";
import { wallNow } from "./timing.ts";

export interface ClusterShape {
  logics: number;
  comets: number;
  jobs: number;
}

/**
 * The local distributed cluster (scripts/cluster: logics, comets and jobs as separate processes on Kafka, MariaDB
 * and Redis) on its own topic, database and key prefix. Clients go to each comet's own URL and HTTP to each logic
 * directly: the load balancer runs inside the harness and would bill its proxying to the load side.
 */
export async function startClusterTarget(
  workDir: string,
  shape: ClusterShape,
  env: Record<string, string> = {},
): Promise<Target> {
  const [kafka, mysql, redis] = await Promise.all([kafkaService(), mysqlService(), redisService()]);
  const namespace = `bench${randomBytes(4).toString("hex")}`;
  const database = `chatroom_${namespace}`;
  const admin = await createConnection(mysql.url);
  await admin.query(`CREATE DATABASE \`${database}\``);
  const dropDatabase = async () => {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => {});
    await admin.end().catch(() => {});
  };
  const url = new URL(mysql.url);
  url.pathname = `/${database}`;
  const apiKey = `bench-${randomBytes(12).toString("hex")}`;
  const probeDir = join(workDir, "probe");
  mkdirSync(probeDir, { recursive: true });
  let cluster: Cluster;
  try {
    cluster = await startCluster({
      kafkaBrokers: kafka.brokers,
      mysqlUrl: url.toString(),
      redisUrl: redis.url,
      namespace,
      logDir: join(workDir, "logs"),
      ...shape,
      env: {
        ...benchServerEnv(apiKey),
        BENCH_PROBE_DIR: probeDir,
        NODE_OPTIONS: `--expose-gc --import=${PROBE_FILE}`,
        ...env,
      },
    });
  } catch (error) {
    await dropDatabase();
    throw error;
  }
  const httpUrls = cluster.logics.map((p) => `http://${p.env.CHATROOM_LOGIC_HOST}:${p.env.CHATROOM_LOGIC_HTTP_PORT}`);
  const wsUrls = cluster.comets.map((comet) => cluster.cometWsUrl(comet));
  const first = cluster.comets[0];
  if (!first) throw new Error("the cluster has no comet");
  return {
    name: "cluster",
    system: "chatroom",
    httpUrls,
    wsUrls,
    resilientWsUrl: cluster.wsUrl,
    apiKey,
    connectionHolder: () => ({ name: first.name, pid: first.pid ?? 0 }),
    processes: () => {
      const out = new Map<string, number>();
      for (const p of [...cluster.logics, ...cluster.comets, ...cluster.jobs])
        if (p.running) out.set(p.name, p.pid ?? 0);
      return out;
    },
    probe: (pid) => new ProbeClient(probeDir, pid),
    members: (count, prefix) => registerAccounts(httpUrls, count, prefix),
    joinRoom: (room, tokens) => joinRoom(httpUrls, room, tokens),
    async crash() {
      const killedAt = wallNow();
      await first.kill();
      return { killedAt, victim: first.env.CHATROOM_COMET_ID ?? first.name, restartedAt: 0 };
    },
    async storeCounters() {
      const [rows] = await admin.query(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_commit', 'Com_select', 'Com_insert', 'Com_update')",
      );
      const out: Record<string, number> = {};
      for (const row of rows as { Variable_name: string; Value: string }[]) out[row.Variable_name] = Number(row.Value);
      return out;
    },
    async stop() {
      await cluster.stop();
      await dropDatabase();
    },
  };
}
