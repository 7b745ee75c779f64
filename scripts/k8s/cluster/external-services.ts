// Kafka, MariaDB and Redis for the chart's "external services" (kafka.strimzi.enabled=false, mysql.deploy=false,
// redis.deploy=false): the same scripts as the tests' loopback instances (scripts/infra/*.sh) in a second, separate
// set, listening on the bridge address NODE_IP, where pods reach them, with their data in the cluster's state folder.
// Kafka advertises NODE_IP too, so that the address a pod learns from the broker's metadata is one it can reach.
import { join } from "node:path";
import { NODE_IP, paths, ports, repoRoot } from "./layout.ts";
import { log, run } from "./run.ts";

const SERVICES = ["redis", "mariadb", "kafka"] as const;

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    INFRA_HOST: NODE_IP,
    INFRA_DATA_DIR: paths.services,
    // Not a test run's service: its global teardown must not stop it.
    INFRA_STARTED_MARKER: "",
    KAFKA_PORT: String(ports.kafka),
    KAFKA_CONTROLLER_PORT: String(ports.kafkaController),
    MYSQL_PORT: String(ports.mysql),
    REDIS_PORT: String(ports.redis),
  };
}

async function script(name: (typeof SERVICES)[number], action: "start" | "stop"): Promise<void> {
  await run("bash", [join(repoRoot, "scripts/infra", `${name}.sh`), action], { env: env(), timeoutMs: 600_000 });
}

export async function startExternalServices(): Promise<void> {
  // One at a time: on two cores a parallel start only slows the JVM's.
  for (const name of SERVICES) {
    const started = Date.now();
    await script(name, "start");
    log(`${name} up on ${NODE_IP} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

export async function stopExternalServices(): Promise<void> {
  const errors: string[] = [];
  for (const name of [...SERVICES].reverse()) {
    await script(name, "stop").catch((error: unknown) => errors.push((error as Error).message));
  }
  if (errors.length > 0) throw new Error(errors.join("\n"));
}

/** What the chart's values and the tests use to reach them. */
export const externalServices = {
  kafkaBrokers: `${NODE_IP}:${ports.kafka}`,
  mysqlUrl: `mysql://chatroom:chatroom@${NODE_IP}:${ports.mysql}/chatroom`,
  redisUrl: `redis://${NODE_IP}:${ports.redis}`,
};
