import type { ServerProbe } from "./probe-client.ts";

/** Settings every chatroom server started by the harness gets: no rate limits in the way of the load. */
export function benchServerEnv(apiKey: string): Record<string, string> {
  return {
    CHATROOM_API_KEYS: apiKey,
    CHATROOM_LOGIN_RATE_CAPACITY: "1000000",
    CHATROOM_LOGIN_RATE_REFILL_PER_SECOND: "1000000",
    // Every benchmark account is registered from this one machine.
    CHATROOM_REGISTER_RATE_CAPACITY: "1000000",
    CHATROOM_REGISTER_RATE_REFILL_PER_SECOND: "1000000",
    CHATROOM_SEND_RATE_CAPACITY: "1000000",
    CHATROOM_SEND_RATE_REFILL_PER_SECOND: "1000000",
    // The load comes from few accounts with many connections each (N/100 per member in the connections scenario)
    // sending far faster than a person.
    CHATROOM_MAX_CONNECTIONS_PER_MEMBER: "1000000",
    CHATROOM_COMET_REQUEST_RATE_CAPACITY: "1000000",
    CHATROOM_COMET_REQUEST_RATE_REFILL_PER_SECOND: "1000000",
    CHATROOM_COMET_MEMBER_REQUEST_RATE_CAPACITY: "1000000",
    CHATROOM_COMET_MEMBER_REQUEST_RATE_REFILL_PER_SECOND: "1000000",
    CHATROOM_ROOM_CREATE_RATE_CAPACITY: "1000000",
    CHATROOM_ROOM_CREATE_RATE_REFILL_PER_SECOND: "1000000",
  };
}

/** The systems the harness runs: chatroom, and the baselines it is compared with. */
export type SystemName = "chatroom" | "socketio" | "centrifugo";

/** A running system the scenarios measure: chatroom (embedded or cluster) or a baseline (Socket.IO, Centrifugo). */
export interface Target {
  /** "embedded", "cluster", "socket.io" or "centrifugo". */
  name: string;
  system: SystemName;
  /** False for a process the probe cannot profile (not Node): no CPU profiles of it. */
  profiled?: boolean;
  /** Base URLs for HTTP (logic API and push API, or the Socket.IO server); load spreads over them. */
  httpUrls: string[];
  /** WebSocket URLs clients connect to (each comet's own, or the Socket.IO server). */
  wsUrls: string[];
  /** A URL that survives the loss of one comet (the cluster's load balancer); else wsUrls[0]. */
  resilientWsUrl: string;
  apiKey: string;
  /** The process holding the connections of wsUrls[0] (the comet, the all-in-one, the Socket.IO server). */
  connectionHolder(): { name: string; pid: number };
  /** Every process of the system by name, for CPU accounting. */
  processes(): Map<string, number>;
  probe(pid: number): ServerProbe;
  /** Member tokens: chatroom registers accounts; Socket.IO signs ids; Centrifugo gets connection JWTs. */
  members(count: number, prefix: string): Promise<{ id: number; token: string }[]>;
  /**
   * Creates `room` (chatroom: public room created by the first member) and makes every member join it (the baselines'
   * clients join their rooms when they connect).
   */
  joinRoom(room: string, tokens: readonly string[]): Promise<void>;
  /**
   * kill -9 of the comet behind wsUrls[0] (embedded: the whole process, started again on the same port at once);
   * resolves when it is killed (and restarted) with the kill time (wall clock) and the victim's server id.
   */
  crash(): Promise<{ killedAt: number; victim: string; restartedAt: number }>;
  /** Cluster: MariaDB's server-wide statement counters (Questions, Com_commit), to count statements per send. */
  storeCounters?(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}
