import { randomBytes } from "node:crypto";
import { freePorts } from "@chatroom/core/net";
import { webRoot } from "@chatroom/web/server-paths";
import { type LoadBalancer, startLoadBalancer } from "./load-balancer.ts";
import { ServiceProcess } from "./service-process.ts";

export interface ClusterOptions {
  kafkaBrokers: string[];
  mysqlUrl: string;
  redisUrl: string;
  logics?: number;
  comets?: number;
  jobs?: number;
  host?: string;
  /** Port of the load balancer (the browser's origin); 0 picks a free one. */
  port?: number;
  /** Suffix that keeps this cluster's Kafka topic and group and Redis keys apart from others sharing the services. */
  namespace?: string;
  /** Extra environment for every process (e.g. short heartbeats in tests). */
  env?: Record<string, string>;
  /**
   * goim compatibility mode (docs/goim-compat.md): each comet gets a goim listener trusting mid and /sub on its
   * public listener, each logic a goim HTTP listener; all on loopback ports of their own.
   */
  goim?: boolean;
  logDir: string;
}

export interface Cluster {
  /** http://host:port of the load balancer: web client, /api, /goim, /ws. */
  url: string;
  wsUrl: string;
  apiKey: string;
  namespace: string;
  logics: ServiceProcess[];
  comets: ServiceProcess[];
  jobs: ServiceProcess[];
  /** The comet's own WebSocket URL (to connect a client to one comet on purpose). */
  cometWsUrl(comet: ServiceProcess): string;
  /** With `goim`: a comet's goim listener (ws://host:port/sub) and the logics' goim HTTP listeners. */
  goim?: { subUrl(comet: ServiceProcess): string; httpUrls: string[] };
  /** Stops every process it started (SIGTERM, then SIGKILL) and the load balancer. */
  stop(): Promise<void>;
}

/** Starts logics, then comets, then jobs (each as its own OS process), and a load balancer in this process. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const host = options.host ?? "127.0.0.1";
  const namespace = options.namespace ?? randomBytes(4).toString("hex");
  const apiKey = `cluster-${randomBytes(12).toString("hex")}`;
  const shared: Record<string, string> = {
    CHATROOM_BUS: "kafka",
    CHATROOM_KAFKA_BROKERS: options.kafkaBrokers.join(","),
    CHATROOM_KAFKA_TOPIC: `chatroom-push-${namespace}`,
    CHATROOM_KAFKA_PARTITIONS: "12",
    CHATROOM_JOB_GROUP: `chatroom-job-${namespace}`,
    CHATROOM_STORE: "mysql",
    CHATROOM_MYSQL_URL: options.mysqlUrl,
    CHATROOM_MYSQL_MIGRATE: "true",
    CHATROOM_PRESENCE: "redis",
    CHATROOM_REDIS_URL: options.redisUrl,
    CHATROOM_REDIS_PREFIX: `chatroom:${namespace}:`,
    CHATROOM_TOKEN_SECRET: randomBytes(32).toString("base64url"),
    CHATROOM_API_KEYS: apiKey,
    // Several processes of a kind share this machine: each admin server (/metrics, /readyz) takes a free port.
    CHATROOM_ADMIN_PORT: "0",
    ...options.env,
  };
  const logics: ServiceProcess[] = [];
  const comets: ServiceProcess[] = [];
  const jobs: ServiceProcess[] = [];
  const logicHttp: string[] = [];
  const logicGrpc: string[] = [];
  const cometWs = new Map<ServiceProcess, string>();
  const cometGoim = new Map<ServiceProcess, string>();
  const goimHttp: string[] = [];
  let balancer: LoadBalancer | null = null;
  const stop = async () => {
    await balancer?.close();
    for (const group of [jobs, comets, logics]) await Promise.all(group.map((p) => p.stop()));
  };
  try {
    for (let i = 1; i <= (options.logics ?? 2); i += 1) {
      const [http, grpc] = await freePorts(2, host);
      logicHttp.push(`${host}:${http}`);
      logicGrpc.push(`${host}:${grpc}`);
      // goim listeners take port 0: the bound address is read from the ready line (no race for a "free" port).
      const goimEnv: Record<string, string> = options.goim ? { CHATROOM_GOIM_HTTP_LISTEN: `${host}:0` } : {};
      logics.push(
        new ServiceProcess(
          `logic-${i}`,
          "logic",
          {
            // The load balancer runs in this process and reaches the logics over loopback: logic believes its
            // X-Forwarded-For (the per-address login and registration throttles then count browsers, not the load
            // balancer) and X-Forwarded-Proto. Nothing else on loopback should be trusted in a real deployment.
            CHATROOM_TRUST_PROXY: "loopback",
            ...shared,
            CHATROOM_LOGIC_HOST: host,
            CHATROOM_LOGIC_HTTP_PORT: String(http),
            CHATROOM_LOGIC_GRPC_PORT: String(grpc),
            ...goimEnv,
          },
          options.logDir,
        ),
      );
    }
    // The first logic migrates the schema alone; the others start once it is ready.
    const logicReady = [await logics[0]?.start()];
    logicReady.push(...(await Promise.all(logics.slice(1).map((p) => p.start()))));
    for (const line of logicReady) {
      const address = / goim-http=(\S+)/.exec(line ?? "")?.[1];
      if (address) goimHttp.push(`http://${address}`);
    }
    for (let i = 1; i <= (options.comets ?? 2); i += 1) {
      const [ws, grpc] = await freePorts(2, host);
      const goimEnv: Record<string, string> = options.goim
        ? {
            CHATROOM_COMET_GOIM_LISTEN: `${host}:0`,
            CHATROOM_COMET_GOIM_AUTH: "trust",
            CHATROOM_COMET_GOIM_PUBLIC_SUB: "true",
          }
        : {};
      const comet = new ServiceProcess(
        `comet-${i}`,
        "comet",
        {
          ...shared,
          CHATROOM_COMET_ID: `comet-${i}`,
          CHATROOM_COMET_HOST: host,
          CHATROOM_COMET_WS_PORT: String(ws),
          CHATROOM_COMET_GRPC_PORT: String(grpc),
          CHATROOM_LOGIC_GRPC_ADDRS: logicGrpc.join(","),
          ...goimEnv,
        },
        options.logDir,
      );
      cometWs.set(comet, `${host}:${ws}`);
      comets.push(comet);
    }
    const cometReady = await Promise.all(comets.map((p) => p.start()));
    comets.forEach((comet, i) => {
      const address = / goim=(\S+)/.exec(cometReady[i] ?? "")?.[1];
      if (address) cometGoim.set(comet, `ws://${address}/sub`);
    });
    for (let i = 1; i <= (options.jobs ?? 2); i += 1) {
      jobs.push(new ServiceProcess(`job-${i}`, "job", { ...shared }, options.logDir));
    }
    await Promise.all(jobs.map((p) => p.start()));
    balancer = await startLoadBalancer({
      host,
      port: options.port ?? 0,
      logics: () => logics.filter((p) => p.running).map((p) => logicHttp[logics.indexOf(p)] as string),
      comets: () => comets.filter((p) => p.running).map((p) => cometWs.get(p) as string),
      webRoot,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const url = balancer.url;
  return {
    url,
    wsUrl: `${url.replace(/^http/, "ws")}/ws`,
    apiKey,
    namespace,
    logics,
    comets,
    jobs,
    cometWsUrl: (comet) => `ws://${cometWs.get(comet)}/ws`,
    ...(options.goim ? { goim: { subUrl: (comet) => cometGoim.get(comet) ?? "", httpUrls: goimHttp } } : {}),
    stop,
  };
}
