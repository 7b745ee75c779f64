// @chatroom/core/observability: what every process shares to be observed — the metrics registry (prom-client, with
// the default process metrics), the admin server (/metrics, /healthz, /readyz), readiness checks, the pino JSON
// logger and their settings. Apart from the main entry so that the browser-safe and embedded paths never load them.
export * from "./observability/admin-server.ts";
export * from "./observability/dependency-checks.ts";
export * from "./observability/logger.ts";
export * from "./observability/metrics-registry.ts";
export * from "./observability/observability-config.ts";
export * from "./observability/process-observability.ts";
export * from "./observability/readiness.ts";
export type { PushBusObserver } from "./push-bus/push-bus-observer.ts";
