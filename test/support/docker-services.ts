import { freePort } from "@chatroom/core/net";

const probeTimeoutMs = 10_000;
const startupTimeoutMs = 180_000;
// Images: override with KAFKA_IMAGE / MARIADB_IMAGE / REDIS_IMAGE (e.g. a registry mirror).
const images = {
  kafka: process.env.KAFKA_IMAGE ?? "apache/kafka:4.3.1",
  mariadb: process.env.MARIADB_IMAGE ?? "mariadb:11",
  redis: process.env.REDIS_IMAGE ?? "redis:7",
};

let probe: Promise<string | undefined> | undefined;
const containers = new Map<string, Promise<string>>();

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} gave no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves to undefined when a container engine answers, else to the reason it does not. */
export function dockerUnavailableReason(): Promise<string | undefined> {
  probe ??= (async () => {
    try {
      const { getContainerRuntimeClient } = await import("testcontainers");
      const client = await withTimeout(getContainerRuntimeClient(), probeTimeoutMs, "the container runtime");
      return client.info.containerRuntime.serverVersion ? undefined : "the container runtime reported no version";
    } catch (error) {
      return `no container engine: ${(error as Error).message}`;
    }
  })();
  return probe;
}

function once(key: string, start: () => Promise<string>): Promise<string> {
  let promise = containers.get(key);
  if (!promise) {
    promise = start();
    containers.set(key, promise);
    promise.catch(() => containers.delete(key));
  }
  return promise;
}

/** A single-node KRaft broker; returns "host:port". */
export function dockerKafka(): Promise<string> {
  return once("kafka", async () => {
    const { GenericContainer, Wait, getContainerRuntimeClient } = await import("testcontainers");
    const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
    // Kafka hands clients the advertised address, which must be the host-side one: bind the same port number on
    // both sides so it is known before the container starts.
    const port = await freePort();
    await new GenericContainer(images.kafka)
      .withExposedPorts({ container: port, host: port })
      .withEnvironment({
        KAFKA_NODE_ID: "1",
        KAFKA_PROCESS_ROLES: "broker,controller",
        KAFKA_LISTENERS: `PLAINTEXT://:${port},CONTROLLER://:9093`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        KAFKA_INTER_BROKER_LISTENER_NAME: "PLAINTEXT",
        KAFKA_CONTROLLER_QUORUM_VOTERS: "1@localhost:9093",
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false",
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: "1",
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: "1",
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
        KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS: "1000",
        KAFKA_HEAP_OPTS: "-Xmx512m -Xms128m",
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(startupTimeoutMs)
      .start();
    return `${host}:${port}`;
  });
}

/** MariaDB with database and user chatroom/chatroom (also allowed to create `chatroom_*` databases); returns a URL. */
export function dockerMariadb(): Promise<string> {
  return once("mariadb", async () => {
    const { GenericContainer, Wait } = await import("testcontainers");
    const container = await new GenericContainer(images.mariadb)
      .withExposedPorts(3306)
      .withEnvironment({
        MARIADB_DATABASE: "chatroom",
        MARIADB_USER: "chatroom",
        MARIADB_PASSWORD: "chatroom",
        MARIADB_ROOT_PASSWORD: "chatroom-root",
      })
      // The image's init runs a temporary server with networking off ("port: 0") first.
      .withWaitStrategy(Wait.forLogMessage(/port: 3306/))
      .withStartupTimeout(startupTimeoutMs)
      .start();
    const grant = await container.exec([
      "mariadb",
      "-uroot",
      "-pchatroom-root",
      "-e",
      "GRANT ALL PRIVILEGES ON `chatroom\\_%`.* TO 'chatroom'@'%'",
    ]);
    if (grant.exitCode !== 0) throw new Error(`granting chatroom_* failed: ${grant.output}`);
    return `mysql://chatroom:chatroom@${container.getHost()}:${container.getMappedPort(3306)}/chatroom`;
  });
}

/** Redis without persistence; returns a URL. */
export function dockerRedis(): Promise<string> {
  return once("redis", async () => {
    const { GenericContainer, Wait } = await import("testcontainers");
    const container = await new GenericContainer(images.redis)
      .withExposedPorts(6379)
      .withCommand(["redis-server", "--save", "", "--appendonly", "no"])
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .withStartupTimeout(startupTimeoutMs)
      .start();
    return `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
  });
}
