/**
 * `npm run cluster`: the distributed system on this machine. Takes Kafka, MariaDB and Redis from KAFKA_BROKERS,
 * MYSQL_URL and REDIS_URL when set, and starts the missing ones on loopback (scripts/infra); then 2 logics, 2 comets
 * and 2 jobs as separate processes, and a load balancer at http://127.0.0.1:8080 (CHATROOM_PORT) serving the web
 * client, /api, /goim and /ws. Ctrl-C stops the processes and exactly the infrastructure this run started: a Kafka,
 * MariaDB or Redis that was already running (started by hand, by another run or by the tests) keeps running.
 * `npm run cluster -- --goim` turns on goim compatibility (docs/goim-compat.md) and prints its listeners.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { startCluster } from "./cluster.ts";

const root = resolve(import.meta.dirname, "../..");
const allSh = resolve(root, "scripts/infra/all.sh");
/** Markers of the services this run started (all.sh leaves one per service it really started). */
const startedDir = resolve(root, ".data/cluster-started", String(process.pid));
const INFRA = [
  { service: "redis", variable: "REDIS_URL" },
  { service: "mariadb", variable: "MYSQL_URL" },
  { service: "kafka", variable: "KAFKA_BROKERS" },
] as const;

/** Starts the services whose variable is unset and sets it from all.sh's env lines. */
function startMissingInfra(): void {
  const missing = INFRA.filter(({ variable }) => !process.env[variable]);
  if (missing.length === 0) return;
  const names = missing.map((m) => m.service);
  console.log(`cluster: starting ${names.join(", ")} (scripts/infra/all.sh start)…`);
  const out = execFileSync("bash", [allSh, "start", ...names], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, INFRA_STARTED_DIR: startedDir },
  }).toString();
  const wanted = new Set<string>(missing.map((m) => m.variable));
  for (const match of out.matchAll(/export (\w+)=(\S+)/g)) {
    if (wanted.has(match[1] as string)) process.env[match[1] as string] = match[2];
  }
}

/** Stops what this run started, and only that (all.sh stop-started reads the markers). */
function stopStartedInfra(): void {
  execFileSync("bash", [allSh, "stop-started", startedDir], { stdio: "inherit" });
  rmSync(startedDir, { recursive: true, force: true });
}

const goim = process.argv.includes("--goim");
startMissingInfra();
let cluster: Awaited<ReturnType<typeof startCluster>>;
try {
  cluster = await startCluster({
    kafkaBrokers: (process.env.KAFKA_BROKERS ?? "").split(","),
    mysqlUrl: process.env.MYSQL_URL ?? "",
    redisUrl: process.env.REDIS_URL ?? "",
    port: Number(process.env.CHATROOM_PORT ?? 8080),
    namespace: "local",
    logDir: resolve(root, ".data/cluster-logs"),
    goim,
  });
} catch (error) {
  stopStartedInfra();
  throw error;
}
console.log(`cluster is running: open ${cluster.url} in two browsers (logs in .data/cluster-logs/)`);
for (const comet of cluster.comets) console.log(`  ${comet.name}: ${cluster.cometWsUrl(comet)}`);
console.log(`  goim push API key: ${cluster.apiKey}`);
if (cluster.goim) {
  for (const comet of cluster.comets)
    console.log(`  ${comet.name} goim listener (trusts mid): ${cluster.goim.subUrl(comet)}`);
  console.log(`  goim API without a key, goim's response mode: ${cluster.goim.httpUrls.join(", ")}`);
}

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log("cluster: stopping…");
  await cluster.stop();
  stopStartedInfra();
  process.exit(0);
};
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
