/**
 * `npm run cluster`: the distributed system on this machine. Starts (or takes from KAFKA_BROKERS, MYSQL_URL,
 * REDIS_URL) Kafka, MariaDB and Redis, then 2 logics, 2 comets and 2 jobs as separate processes, and a load balancer
 * at http://127.0.0.1:8080 (CHATROOM_PORT) serving the web client, /api, /goim and /ws. Ctrl-C stops everything it
 * started, including the infrastructure it started.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { startCluster } from "./cluster.ts";

const root = resolve(import.meta.dirname, "../..");

function infraEnv(): { kafkaBrokers: string[]; mysqlUrl: string; redisUrl: string; startedInfra: boolean } {
  const fromEnv = process.env.KAFKA_BROKERS && process.env.MYSQL_URL && process.env.REDIS_URL;
  if (!fromEnv) {
    console.log("cluster: starting Kafka, MariaDB and Redis (scripts/infra/all.sh start)…");
    const out = execFileSync("bash", [resolve(root, "scripts/infra/all.sh"), "start"], {
      stdio: ["ignore", "pipe", "inherit"],
    }).toString();
    for (const match of out.matchAll(/export (\w+)=(\S+)/g)) process.env[match[1] as string] = match[2];
  }
  return {
    kafkaBrokers: (process.env.KAFKA_BROKERS ?? "").split(","),
    mysqlUrl: process.env.MYSQL_URL ?? "",
    redisUrl: process.env.REDIS_URL ?? "",
    startedInfra: !fromEnv,
  };
}

const infra = infraEnv();
const cluster = await startCluster({
  ...infra,
  port: Number(process.env.CHATROOM_PORT ?? 8080),
  namespace: "local",
  logDir: resolve(root, ".data/cluster-logs"),
});
console.log(`cluster is running: open ${cluster.url} in two browsers (logs in .data/cluster-logs/)`);
for (const comet of cluster.comets) console.log(`  ${comet.name}: ${cluster.cometWsUrl(comet)}`);
console.log(`  goim push API key: ${cluster.apiKey}`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log("cluster: stopping…");
  await cluster.stop();
  if (infra.startedInfra) execFileSync("bash", [resolve(root, "scripts/infra/all.sh"), "stop"], { stdio: "inherit" });
  process.exit(0);
};
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
