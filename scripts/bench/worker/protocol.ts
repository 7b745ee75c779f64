import type { HistogramData } from "../lib/histogram.ts";

/**
 * How a client's deliveries are counted: not at all; push-API frames and chat messages alike ("delivery"); or chat
 * messages by seq, counting app-level duplicates and gaps ("sequence").
 */
export type TrackMode = "none" | "delivery" | "sequence";

export interface ClientSpec {
  /** Session token (chatroom) or signed id (Socket.IO). */
  token: string;
  url: string;
  /** Delivery counts are kept per group (the room the client listens to). */
  group: string;
  /** Socket.IO: rooms to join in the handshake; Centrifugo: channels to subscribe to after connecting. */
  rooms?: string[];
}

export interface OpenArgs {
  system: "chatroom" | "socketio" | "centrifugo";
  clients: ClientSpec[];
  /** Source addresses (127.0.0.x) used round-robin, to pass the ephemeral-port limit of one address. */
  localAddresses: string[];
  concurrency: number;
  track: TrackMode;
  /** chatroom: push-API ops the connections accept. */
  accepts?: number[];
  /** chatroom: "latest" (no replay) or "stored". */
  resumeFrom?: "latest" | "stored" | "beginning";
  /** chatroom: SDK reconnect backoff (SDK defaults when absent). */
  reconnect?: { initialDelayMs: number; maxDelayMs: number };
  timeoutMs: number;
}

export interface OpenResult {
  opened: number;
  failed: number;
  errors: string[];
  /** First connect start to last connect end, in this worker. */
  elapsedMs: number;
  startedAt: number;
  finishedAt: number;
}

export interface GroupStats {
  clients: number;
  received: number;
  /** Σ max(0, expected − received) over the group's clients (when expected was given). */
  missing: number;
  /** Σ max(0, received − expected), or app-level duplicate seqs in sequence mode. */
  extra: number;
}

export interface StatsResult {
  clients: number;
  open: number;
  received: number;
  /** Wall-clock time of the last delivery (0 when none). */
  lastDeliveryAt: number;
  groups: Record<string, GroupStats>;
  latency: HistogramData;
  /** Connection losses seen by the clients (SDK state "reconnecting" or Socket.IO disconnects). */
  disconnects: number;
  /** Close codes of those losses, counted. */
  closeCodes: Record<string, number>;
  /** sequence mode: per group, the clients' gaps (seqs skipped) and the highest seq seen. */
  gaps: number;
  /** Wall-clock time of the last "resumed after reconnect" of each client that reconnected. */
  resumedAt: number[];
  /** Clients by the server (comet id) they are connected to. */
  servers: Record<string, number>;
}

export interface LoadTarget {
  room: string;
  /** The sender's token for chat-ws/chat-http/sio-emit/cf-publish (the WebSocket kinds open a connection per token). */
  token?: string;
}

export interface LoadArgs {
  /**
   * What one operation is: a push-API POST, a chat send over the WebSocket or over HTTP, a Socket.IO emit or POST, a
   * Centrifugo client publish or server API publish.
   */
  kind: "push-http" | "chat-ws" | "chat-http" | "sio-emit" | "sio-push" | "cf-publish" | "cf-push";
  /** Base URLs (push-http, chat-http, sio-push, cf-push) or WebSocket URLs (chat-ws, sio-emit, cf-publish), round-robin. */
  urls: string[];
  /** Operation i goes to targets[i % targets.length]. */
  targets: LoadTarget[];
  apiKey?: string;
  /** Operations per second this worker starts (open loop); 0 = closed loop with `concurrency` in flight. */
  rate: number;
  concurrency: number;
  durationMs: number;
  maxOperations: number;
  payloadBytes: number;
  localAddresses: string[];
  /** Retry a failed operation (same clientMsgId) for up to this long, as an app riding out an outage would. */
  retryMs?: number;
}

export interface LoadResult {
  started: number;
  acked: number;
  failed: number;
  /** Operations the rate asked for that were not started because `concurrency` were already in flight. */
  skipped: number;
  errors: string[];
  ackLatency: HistogramData;
  /** Wall-clock time the first operation started. */
  startedAt: number;
  elapsedMs: number;
  /** Acknowledged operations per room (what each room's listeners should receive). */
  perRoom: Record<string, number>;
  /** chat-ws/chat-http: the highest acknowledged seq per room. */
  lastSeq: Record<string, number>;
}

export type Command =
  | { cmd: "open"; args: OpenArgs }
  | { cmd: "reset" }
  | { cmd: "stats"; expected?: Record<string, number> }
  | { cmd: "load"; args: LoadArgs }
  | { cmd: "close" };

export type Request = Command & { id: number };
export type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** Payload of every benchmark message: the send time (wall clock ms) first, padded to the size asked for. */
export function payload(bytes: number, tag: string): string {
  const head = `${(performance.timeOrigin + performance.now()).toFixed(3)} ${tag}`;
  return head.length >= bytes ? head : head + " ".padEnd(bytes - head.length, "x");
}

/** The send time at the start of a payload. */
export function sentAt(text: string): number {
  return Number.parseFloat(text);
}
