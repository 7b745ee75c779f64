import type { Closable } from "../lifecycle.ts";

/** One live connection as presence knows it. */
export interface Connection {
  /** Unique connection key (goim's key). */
  key: string;
  memberId: number;
  /** Id of the comet holding the connection. */
  server: string;
  /** Rooms the connection is subscribed to. */
  rooms: readonly string[];
}

/**
 * Who is online, where: connections by key, member → connections, room → comets (routing for job) and online
 * counts.
 *
 * Contract:
 * - upsert() records (or replaces) a connection and gives it `ttlMs` to live; renew() extends it. A connection not
 *   renewed within its TTL disappears from every lookup, so a crashed comet's connections age out by themselves.
 * - Every lookup reflects every write that resolved before it (read-your-writes, also across processes for the
 *   networked implementations).
 * - Online counts are distinct members, not connections.
 */
export interface Presence extends Closable {
  upsert(connection: Connection, ttlMs: number): Promise<void>;
  /** Extends the TTL; false when the connection is unknown (expired or never recorded). */
  renew(key: string, ttlMs: number): Promise<boolean>;
  /** Removes the connection; false when it was unknown. */
  remove(key: string): Promise<boolean>;
  get(key: string): Promise<Connection | null>;
  /** Changes one connection's rooms; false when the connection is unknown. */
  updateRooms(key: string, change: RoomChange): Promise<boolean>;
  /** Subscribes every live connection of the member to the room; returns the connections changed. */
  joinRoom(memberId: number, roomId: string): Promise<Connection[]>;
  /** Unsubscribes every live connection of the member from the room; returns the connections changed. */
  leaveRoom(memberId: number, roomId: string): Promise<Connection[]>;
  /** Live connections of the given keys (unknown keys are left out). */
  locateKeys(keys: readonly string[]): Promise<Connection[]>;
  /** Live connections of the given members. */
  locateMembers(memberIds: readonly number[]): Promise<Connection[]>;
  /** Comets with at least one live connection subscribed to the room. */
  serversOfRoom(roomId: string): Promise<string[]>;
  /** Distinct online members per room (0 for rooms with none). */
  onlineCounts(roomIds: readonly string[]): Promise<Map<string, number>>;
  /** Online member ids of a room, ascending, at most `limit`. */
  onlineMembers(roomId: string, limit: number): Promise<number[]>;
  /** Rooms with the most online members, descending. */
  topRooms(limit: number): Promise<Array<{ roomId: string; count: number }>>;
  totals(): Promise<{ connections: number; members: number; servers: number }>;
  /**
   * Coalesces pushes across every process sharing the presence (a room's online count, a member's read receipt):
   * of the keys given, returns those whose window was free and is now claimed by the caller for `windowMs`. The
   * claimer pushes when its window ends; others who see a change meanwhile rely on that push (which reads the state
   * at push time). Callers namespace their keys ("online:<room>", "read:<room>:<member>").
   */
  claimPushWindow(keys: readonly string[], windowMs: number): Promise<string[]>;
}

export interface RoomChange {
  join?: readonly string[];
  leave?: readonly string[];
  /** When true the connection's rooms become exactly `join`. */
  replace?: boolean;
}
