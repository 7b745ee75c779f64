import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { ChatClient, type ChatClientOptions, ChatHttp, type ChatMessage } from "@chatroom/client";
import { waitFor as sharedWaitFor } from "@chatroom/core/testing";
import { createConnection } from "mysql2/promise";
import { type Cluster, startCluster } from "../../../scripts/cluster/cluster.ts";
import { kafkaService, mysqlService, redisService } from "../../support/services.ts";

/** Short heartbeats, TTLs and refreshes so failures are noticed within seconds. */
export const CLUSTER_TEST_ENV: Record<string, string> = {
  CHATROOM_HEARTBEAT_INTERVAL_MS: "1000",
  CHATROOM_PRESENCE_TTL_MS: "4000",
  CHATROOM_COMET_RENEW_ONLINE_INTERVAL_MS: "300",
  CHATROOM_COMET_REGISTRY_TTL_MS: "3000",
  CHATROOM_SEND_RATE_CAPACITY: "1000",
  // The tests register many accounts from this one address.
  CHATROOM_REGISTER_RATE_CAPACITY: "1000",
  CHATROOM_ROOM_CREATE_RATE_CAPACITY: "1000",
  CHATROOM_SHUTDOWN_TIMEOUT_MS: "5000",
};

export interface ClusterFixture {
  cluster: Cluster;
  close(): Promise<void>;
}

export interface ClusterFixtureOptions {
  logics?: number;
  comets?: number;
  jobs?: number;
  env?: Record<string, string>;
  /**
   * Where the cluster's processes reach MySQL instead of the shared server (e.g. a TcpProxy in front of it, to cut
   * it); the cluster's database is still created and dropped on the shared server directly.
   */
  mysqlAddress?: { host: string; port: number };
  /** A Redis of this cluster's own instead of the shared one (e.g. one the test kills and restarts). */
  redisUrl?: string;
  /** Kafka brokers of this cluster's own instead of the shared broker. */
  kafkaBrokers?: string[];
  /** goim compatibility mode (goim listeners on every comet and logic). */
  goim?: boolean;
}

/** A whole distributed chatroom (2 logics, 2 comets, 2 jobs by default) on its own topic, database and key prefix. */
export async function startClusterFixture(options: ClusterFixtureOptions = {}): Promise<ClusterFixture> {
  const [kafka, mysql, redis] = await Promise.all([
    options.kafkaBrokers ? { brokers: options.kafkaBrokers } : kafkaService(),
    mysqlService(),
    options.redisUrl ? { url: options.redisUrl } : redisService(),
  ]);
  const namespace = randomBytes(4).toString("hex");
  const database = `chatroom_cluster_${namespace}`;
  const admin = await createConnection(mysql.url);
  await admin.query(`CREATE DATABASE \`${database}\``);
  const url = new URL(mysql.url);
  url.pathname = `/${database}`;
  if (options.mysqlAddress) {
    url.hostname = options.mysqlAddress.host;
    url.port = String(options.mysqlAddress.port);
  }
  try {
    const cluster = await startCluster({
      kafkaBrokers: kafka.brokers,
      mysqlUrl: url.toString(),
      redisUrl: redis.url,
      namespace,
      logDir: resolve(import.meta.dirname, "../../../.data/test-cluster-logs", namespace),
      env: { ...CLUSTER_TEST_ENV, ...options.env },
      ...(options.logics !== undefined ? { logics: options.logics } : {}),
      ...(options.comets !== undefined ? { comets: options.comets } : {}),
      ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
      ...(options.goim ? { goim: true } : {}),
    });
    return {
      cluster,
      async close() {
        await cluster.stop();
        await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
        await admin.end();
      },
    };
  } catch (error) {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
    throw error;
  }
}

let counter = 0;

export interface Member {
  http: ChatHttp;
  id: number;
  name: string;
  token: string;
}

export async function registerMember(cluster: Cluster, prefix = "m"): Promise<Member> {
  counter += 1;
  const http = new ChatHttp({ baseUrl: cluster.url });
  const name = `${prefix}${process.pid}x${counter}`;
  const result = await http.register(name, "correct horse battery");
  return { http, id: result.member.id, name, token: result.token };
}

export interface Tab {
  client: ChatClient;
  messages: ChatMessage[];
  seqs(roomId: string): number[];
  texts(roomId: string): string[];
}

/** An SDK client of `member` connected to `url` (a comet's own URL, or the load balancer's). */
export async function openTab(member: Member, url: string, options: Partial<ChatClientOptions> = {}): Promise<Tab> {
  const client = new ChatClient({
    url,
    token: member.token,
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
    ...options,
  });
  const messages: ChatMessage[] = [];
  client.on("message", (m) => messages.push(m));
  // connect() keeps retrying while the server is unreachable: bound it, and close the client when it fails, so a
  // failing test does not leave a client reconnecting forever (its process would never exit).
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${member.name} could not connect to ${url} within 20 s`)), 20_000);
  });
  try {
    await Promise.race([client.connect(), timeout]);
  } catch (error) {
    await client.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    client,
    messages,
    seqs: (roomId) => messages.filter((m) => m.roomId === roomId).map((m) => m.seq),
    texts: (roomId) => messages.filter((m) => m.roomId === roomId).map((m) => m.text),
  };
}

/** The shared polling helper with the cluster tests' longer default (processes restart and re-register). */
export function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  return sharedWaitFor(condition, what, timeoutMs, 20);
}
