import type { Closable } from "../lifecycle.ts";

export interface CometInfo {
  /** Stable comet id (the pod name on Kubernetes). */
  id: string;
  /** Where job reaches the comet's gRPC service ("host:port"; "inproc" in the embedded default). */
  grpcAddress: string;
  /** Public WebSocket URL, when the comet knows it (for clients choosing a comet). */
  wsUrl: string;
  startedAtMs: number;
}

/**
 * Which comets are alive. Comets register with a TTL and renew it; a comet that stops renewing disappears.
 * watch() delivers the whole live set once at start and again after every change (register of a new or changed
 * comet, deregister, expiry), so job never looks comets up per message.
 */
export interface CometRegistry extends Closable {
  register(info: CometInfo, ttlMs: number): Promise<void>;
  deregister(id: string): Promise<void>;
  list(): Promise<CometInfo[]>;
  watch(listener: (comets: CometInfo[]) => void): Promise<Closable>;
}
