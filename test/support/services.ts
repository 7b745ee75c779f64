// The test harness's backing services (Kafka, MySQL-compatible database, Redis). Each one comes from, in order:
//   1. the environment: KAFKA_BROKERS (comma-separated host:port), MYSQL_URL, REDIS_URL — e.g. from
//      `eval "$(bash scripts/infra/all.sh env)"` or a CI service;
//   2. testcontainers, when a container engine answers (apache/kafka, mariadb, redis images);
//   3. the loopback instances of scripts/infra/*.sh, started on demand and shared by all test processes.
// CHATROOM_TEST_SERVICES=docker|local forces step 2 or 3 (default auto). Nothing available → a loud Error with every
// reason; a test never skips. `stopLocalServices` belongs in the run's global teardown (see global-setup.ts).
import { dockerKafka, dockerMariadb, dockerRedis, dockerUnavailableReason } from "./docker-services.ts";
import { type LocalServiceName, localPort, startLocalService } from "./local-services.ts";

export { stopLocalServices } from "./local-services.ts";

type Mode = "auto" | "docker" | "local";

function mode(): Mode {
  const value = process.env.CHATROOM_TEST_SERVICES ?? "auto";
  if (value === "auto" || value === "docker" || value === "local") return value;
  throw new Error(`CHATROOM_TEST_SERVICES=${value}: expected auto, docker or local`);
}

async function provide(
  what: string,
  fromDocker: () => Promise<string>,
  local: LocalServiceName,
  localAddress: () => string,
): Promise<string> {
  const reasons: string[] = [];
  const chosen = mode();
  if (chosen !== "local") {
    const unavailable = await dockerUnavailableReason();
    if (unavailable === undefined) {
      try {
        return await fromDocker();
      } catch (error) {
        reasons.push(`testcontainers could not start ${what}: ${(error as Error).message}`);
      }
    } else {
      reasons.push(`testcontainers: ${unavailable}`);
    }
  }
  if (chosen !== "docker") {
    try {
      await startLocalService(local);
      return localAddress();
    } catch (error) {
      reasons.push(`local ${local}: ${(error as Error).message}`);
    }
  }
  throw new Error(`no ${what} for the tests.\n${reasons.join("\n")}`);
}

function fromEnv(variable: string): string | undefined {
  const value = process.env[variable]?.trim();
  return value ? value : undefined;
}

export async function kafkaService(): Promise<{ brokers: string[] }> {
  const env = fromEnv("KAFKA_BROKERS");
  if (env) return { brokers: env.split(",").map((b) => b.trim()) };
  const brokers = await provide("Kafka broker (KAFKA_BROKERS unset)", dockerKafka, "kafka", () => {
    return `127.0.0.1:${localPort("KAFKA_PORT", 19092)}`;
  });
  return { brokers: brokers.split(",") };
}

export async function mysqlService(): Promise<{ url: string }> {
  const env = fromEnv("MYSQL_URL");
  if (env) return { url: env };
  const url = await provide("MySQL/MariaDB server (MYSQL_URL unset)", dockerMariadb, "mariadb", () => {
    return `mysql://chatroom:chatroom@127.0.0.1:${localPort("MYSQL_PORT", 13306)}/chatroom`;
  });
  return { url };
}

export async function redisService(): Promise<{ url: string }> {
  const env = fromEnv("REDIS_URL");
  if (env) return { url: env };
  const url = await provide("Redis server (REDIS_URL unset)", dockerRedis, "redis", () => {
    return `redis://127.0.0.1:${localPort("REDIS_PORT", 16379)}`;
  });
  return { url };
}
