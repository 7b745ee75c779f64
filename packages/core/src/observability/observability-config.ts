import { setting } from "../config/config.ts";
import { LOG_LEVELS } from "./logger.ts";

/** Default admin ports, one per service, so that services sharing a host (a local cluster) need no setting. */
export const DEFAULT_ADMIN_PORTS = { "all-in-one": 9400, logic: 9401, comet: 9402, job: 9403 } as const;

const ADMIN_PORT_ENV = "CHATROOM_ADMIN_PORT";

/**
 * The observability settings every process reads (spread into its process schema with its default admin port):
 * the admin server (/metrics, /healthz, /readyz) and the log level.
 */
export function observabilityConfigSchema(defaultAdminPort: number) {
  return {
    adminPort: setting.int(
      ADMIN_PORT_ENV,
      defaultAdminPort,
      "Every process: port of its internal admin server, GET /metrics (Prometheus), /healthz (liveness), /readyz (readiness). " +
        "Default per service: all-in-one 9400, logic 9401, comet 9402, job 9403; when that default is taken (several " +
        "services on one host) a free port is used instead; 0 always picks a free one. The ready line shows it " +
        "(admin=host:port)",
      { min: 0, max: 65535 },
    ),
    adminHost: setting.string(
      "CHATROOM_ADMIN_HOST",
      "",
      "Every process: address its admin server listens on (default: the service's listen host; job: 127.0.0.1). Set 0.0.0.0 in a pod " +
        "so that the kubelet and Prometheus reach it",
    ),
    logLevel: setting.oneOf(
      "CHATROOM_LOG_LEVEL",
      LOG_LEVELS,
      "info",
      "Every process: level of its JSON logs on stdout",
    ),
  };
}

/** Whether the admin port was chosen (set in the environment) rather than defaulted: a chosen port must be free. */
export function adminPortChosen(env: Record<string, string | undefined>): boolean {
  const raw = env[ADMIN_PORT_ENV];
  return raw !== undefined && raw.trim() !== "";
}
