import { LATENCY_BUCKETS } from "@chatroom/core/observability";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { closeReasonLabel } from "./close-reason.ts";
import { opLabel } from "./op-label.ts";
import { scanPushedFrames } from "./pushed-messages.ts";

export type PushMethod = "push_msg" | "broadcast" | "broadcast_room";

interface OpCounters {
  frames: Counter.Internal;
  bytes: Counter.Internal;
}

/**
 * The comet's metrics (chatroom_comet_*; catalogue in docs/observability.md). Counters are bumped once per push or
 * request, never once per connection of a fan-out: a push to d connections adds d in one call.
 */
export class CometMetrics {
  readonly #connects: Counter;
  readonly #disconnects: Counter<"reason">;
  readonly #authFailures: Counter<"reason">;
  readonly #refusals: Counter<"reason">;
  readonly #framesIn: Counter<"op">;
  readonly #bytesIn: Counter<"op">;
  readonly #framesOut: Counter<"op">;
  readonly #bytesOut: Counter<"op">;
  readonly #deliveries: Counter;
  readonly #drops: Counter;
  readonly #slowConsumers: Counter;
  readonly #pushes: Counter<"method">;
  readonly #latency: Histogram;
  readonly #heartbeats: Counter;
  /** Bound children by op label (keyed by label, not op number: clients choose op numbers). */
  readonly #in = new Map<string, OpCounters>();
  readonly #out = new Map<string, OpCounters>();
  #state: () => { connections: number; rooms: number } = () => ({ connections: 0, rooms: 0 });

  constructor(registry: Registry) {
    const registers = [registry];
    const state = () => this.#state();
    new Gauge({
      name: "chatroom_comet_connections",
      help: "Authenticated WebSocket connections held by this comet",
      registers,
      collect() {
        this.set(state().connections);
      },
    });
    new Gauge({
      name: "chatroom_comet_rooms",
      help: "Rooms with at least one connection on this comet",
      registers,
      collect() {
        this.set(state().rooms);
      },
    });
    this.#connects = new Counter({
      name: "chatroom_comet_connects_total",
      help: "WebSocket connections opened (upgrades accepted), authenticated or not",
      registers,
    });
    this.#disconnects = new Counter({
      name: "chatroom_comet_disconnects_total",
      help: "WebSocket connections closed, by close reason (the close code's name: normal, going_away, slow_consumer, …)",
      labelNames: ["reason"],
      registers,
    });
    this.#authFailures = new Counter({
      name: "chatroom_comet_auth_failures_total",
      help: "Connections refused at OP_AUTH, by reason (unauthorized, token_expired, session_revoked, forbidden, bad_request, timeout, error)",
      labelNames: ["reason"],
      registers,
    });
    this.#refusals = new Counter({
      name: "chatroom_comet_refusals_total",
      help: "Upgrades and requests the comet refused itself, by reason (origin: foreign Origin header; rate_limited: over the connection's request rate; rate_closed: closed 4029 for ignoring it)",
      labelNames: ["reason"],
      registers,
    });
    this.#framesIn = new Counter({
      name: "chatroom_comet_frames_received_total",
      help: "Frames received from clients, by op (invalid: not a frame)",
      labelNames: ["op"],
      registers,
    });
    this.#bytesIn = new Counter({
      name: "chatroom_comet_received_bytes_total",
      help: "Bytes of the WebSocket messages received from clients, by op",
      labelNames: ["op"],
      registers,
    });
    this.#framesOut = new Counter({
      name: "chatroom_comet_frames_sent_total",
      help: "Frames queued to connections, by op (a push to d connections counts d; an OP_RAW batch counts as one)",
      labelNames: ["op"],
      registers,
    });
    this.#bytesOut = new Counter({
      name: "chatroom_comet_sent_bytes_total",
      help: "Frame bytes queued to connections, by op",
      labelNames: ["op"],
      registers,
    });
    this.#deliveries = new Counter({
      name: "chatroom_comet_deliveries_total",
      help: "Pushed frames queued to connections, counting each frame inside an OP_RAW batch (n frames to d connections: n×d)",
      registers,
    });
    this.#drops = new Counter({
      name: "chatroom_comet_send_drops_total",
      help: "Frames not queued because the connection was closing or was just closed as a slow consumer",
      registers,
    });
    this.#slowConsumers = new Counter({
      name: "chatroom_comet_slow_consumer_closes_total",
      help: "Connections closed with 4009 because their send queue overflowed",
      registers,
    });
    this.#pushes = new Counter({
      name: "chatroom_comet_pushes_received_total",
      help: "Calls job made to this comet's push API, by method (push_msg, broadcast, broadcast_room)",
      labelNames: ["method"],
      registers,
    });
    this.#latency = new Histogram({
      name: "chatroom_comet_delivery_latency_seconds",
      help: "From a chat message's sent_at_ms (logic accepted it) to the comet queueing it to its connections, per message",
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    this.#heartbeats = new Counter({
      name: "chatroom_comet_heartbeats_total",
      help: "Client heartbeats answered",
      registers,
    });
  }

  /** Where the connections and rooms gauges read from, at scrape time. */
  observeState(state: () => { connections: number; rooms: number }): void {
    this.#state = state;
  }

  connected(): void {
    this.#connects.inc();
  }

  disconnected(code: number): void {
    this.#disconnects.inc({ reason: closeReasonLabel(code) });
  }

  authFailed(reason: string): void {
    this.#authFailures.inc({ reason });
  }

  /** The comet refused an upgrade or a request itself (never reached logic). */
  requestRefused(reason: "origin" | "rate_limited" | "rate_closed"): void {
    this.#refusals.inc({ reason });
  }

  heartbeat(): void {
    this.#heartbeats.inc();
  }

  slowConsumerClosed(): void {
    this.#slowConsumers.inc();
  }

  pushReceived(method: PushMethod): void {
    this.#pushes.inc({ method });
  }

  /** A WebSocket message from a client; op undefined: not a valid frame. */
  received(op: number | undefined, bytes: number): void {
    if (op === undefined) {
      this.#framesIn.inc({ op: "invalid" });
      this.#bytesIn.inc({ op: "invalid" }, bytes);
      return;
    }
    const counters = this.#counters(this.#in, op, this.#framesIn, this.#bytesIn);
    counters.frames.inc();
    counters.bytes.inc(bytes);
  }

  /** One frame offered to `attempted` connections, of which `delivered` queued it (the rest dropped it). */
  sent(op: number, frameBytes: number, delivered: number, attempted = delivered): void {
    if (delivered > 0) {
      const counters = this.#counters(this.#out, op, this.#framesOut, this.#bytesOut);
      counters.frames.inc(delivered);
      counters.bytes.inc(delivered * frameBytes);
    }
    if (attempted > delivered) this.#drops.inc(attempted - delivered);
  }

  /**
   * A frame pushed by job (body: the frame's body) and queued to `delivered` connections: counts its deliveries and
   * observes the delivery latency of each chat message it carries (only when it reached a connection).
   */
  pushed(op: number, body: Uint8Array, delivered: number): void {
    if (delivered === 0) return;
    const now = Date.now();
    const frames = scanPushedFrames(op, body, (sentAtMs) => {
      this.#latency.observe(Math.max(0, now - sentAtMs) / 1000);
    });
    this.#deliveries.inc(frames * delivered);
  }

  #counters(cache: Map<string, OpCounters>, op: number, frames: Counter<"op">, bytes: Counter<"op">): OpCounters {
    const label = opLabel(op);
    let counters = cache.get(label);
    if (!counters) {
      counters = { frames: frames.labels({ op: label }), bytes: bytes.labels({ op: label }) };
      cache.set(label, counters);
    }
    return counters;
  }
}
