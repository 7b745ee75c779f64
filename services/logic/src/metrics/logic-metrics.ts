import { isChatError } from "@chatroom/core";
import { LATENCY_BUCKETS } from "@chatroom/core/observability";
import { Counter, Histogram, type Registry } from "prom-client";

/** The `code` / `reason` label of a failure: its ChatError code ("internal" for anything else). */
export function errorCode(error: unknown): string {
  return isChatError(error) ? error.code : "internal";
}

/** logic's metrics (chatroom_logic_*; catalogue in docs/observability.md). */
export class LogicMetrics {
  readonly #http: Histogram<"method" | "route" | "status">;
  readonly #grpc: Histogram<"method" | "code">;
  readonly #accepted: Counter<"duplicate">;
  readonly #rejected: Counter<"reason">;
  readonly #store: Histogram<"store" | "operation" | "outcome">;
  readonly #publish: Histogram<"type" | "outcome">;
  readonly #publishErrors: Counter<"type">;
  readonly #rateLimited: Counter<"rule">;

  constructor(registry: Registry) {
    const registers = [registry];
    const buckets = [...LATENCY_BUCKETS];
    this.#http = new Histogram({
      name: "chatroom_logic_http_request_duration_seconds",
      help: "HTTP API requests (/api, /goim) by method, route template and status",
      labelNames: ["method", "route", "status"],
      buckets,
      registers,
    });
    this.#grpc = new Histogram({
      name: "chatroom_logic_grpc_request_duration_seconds",
      help: "LogicService calls from comets (gRPC handlers; in-process calls in the all-in-one) by method and code (ok or the ChatError code)",
      labelNames: ["method", "code"],
      buckets,
      registers,
    });
    this.#accepted = new Counter({
      name: "chatroom_logic_sends_accepted_total",
      help: "Chat messages accepted (stored and published), over HTTP and WebSocket; duplicate=true: a retry answered with the stored message",
      labelNames: ["duplicate"],
      registers,
    });
    this.#rejected = new Counter({
      name: "chatroom_logic_sends_rejected_total",
      help: "Chat messages refused, by reason (the ChatError code: invalid_text, not_member, rate_limited, unavailable, …)",
      labelNames: ["reason"],
      registers,
    });
    this.#store = new Histogram({
      name: "chatroom_logic_store_duration_seconds",
      help: "Store calls by store (members, sessions, rooms, messages), operation (method) and outcome (ok, error)",
      labelNames: ["store", "operation", "outcome"],
      buckets,
      registers,
    });
    this.#publish = new Histogram({
      name: "chatroom_logic_bus_publish_duration_seconds",
      help: "Push bus publishes (Kafka produce until acknowledged by the in-sync replicas) by push type and outcome",
      labelNames: ["type", "outcome"],
      buckets,
      registers,
    });
    this.#publishErrors = new Counter({
      name: "chatroom_logic_bus_publish_errors_total",
      help: "Push bus publishes that failed (the send or push API call answered 503), by push type",
      labelNames: ["type"],
      registers,
    });
    this.#rateLimited = new Counter({
      name: "chatroom_logic_rate_limited_total",
      help: "Requests refused by a rate limit, by rule (the key's prefix: send, login, login-account, register, …)",
      labelNames: ["rule"],
      registers,
    });
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.#http.observe({ method, route, status: String(status) }, seconds);
  }

  grpcRequest(method: string, code: string, seconds: number): void {
    this.#grpc.observe({ method, code }, seconds);
  }

  sendAccepted(duplicate: boolean): void {
    this.#accepted.inc({ duplicate: String(duplicate) });
  }

  sendRejected(error: unknown): void {
    this.#rejected.inc({ reason: errorCode(error) });
  }

  storeCall(store: string, operation: string, seconds: number, failed: boolean): void {
    this.#store.observe({ store, operation, outcome: failed ? "error" : "ok" }, seconds);
  }

  published(type: string, seconds: number, failed: boolean): void {
    this.#publish.observe({ type, outcome: failed ? "error" : "ok" }, seconds);
    if (failed) this.#publishErrors.inc({ type });
  }

  rateLimited(rule: string): void {
    this.#rateLimited.inc({ rule });
  }
}
