import { ChatError } from "../errors.ts";
import { ExpiryQueue } from "../util/expiry-queue.ts";
import type { Connection, Presence, RoomChange } from "./presence.ts";

export interface MemoryPresenceOptions {
  /** Clock (ms), injectable for tests. */
  now?: () => number;
  /** How often expired connections are purged in the background (default 1000 ms). */
  sweepIntervalMs?: number;
}

interface Entry {
  key: string;
  memberId: number;
  server: string;
  rooms: Set<string>;
}

/**
 * The embedded Presence. Indexes are maintained incrementally, so a write costs O(rooms of the connection);
 * expired connections are purged (earliest deadline first) at the start of every operation and by an unref'd
 * sweep timer, so no lookup ever sees one.
 */
export class MemoryPresence implements Presence {
  readonly #now: () => number;
  readonly #connections = new Map<string, Entry>();
  readonly #expiry = new ExpiryQueue<string>();
  readonly #keysByMember = new Map<number, Set<string>>();
  /** room → server → connections subscribed. */
  readonly #roomServers = new Map<string, Map<string, number>>();
  /** room → member → connections subscribed (its size is the distinct online count). */
  readonly #roomMembers = new Map<string, Map<number, number>>();
  /** server → connections. */
  readonly #servers = new Map<string, number>();
  /** key → end of the push window claimed for it (entries are purged once past). */
  readonly #pushWindows = new Map<string, number>();
  #sweeper: NodeJS.Timeout | null;

  constructor(options: MemoryPresenceOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sweeper = setInterval(() => {
      this.#purge();
      this.#prunePushWindows();
    }, options.sweepIntervalMs ?? 1000);
    this.#sweeper.unref();
  }

  async upsert(connection: Connection, ttlMs: number): Promise<void> {
    this.#open();
    const old = this.#connections.get(connection.key);
    if (old) this.#unindex(old);
    const entry: Entry = {
      key: connection.key,
      memberId: connection.memberId,
      server: connection.server,
      rooms: new Set(connection.rooms),
    };
    this.#connections.set(entry.key, entry);
    this.#index(entry);
    this.#expiry.schedule(entry.key, this.#now() + ttlMs);
  }

  async renew(key: string, ttlMs: number): Promise<boolean> {
    this.#open();
    if (!this.#connections.has(key)) return false;
    this.#expiry.schedule(key, this.#now() + ttlMs);
    return true;
  }

  async remove(key: string): Promise<boolean> {
    this.#open();
    const entry = this.#connections.get(key);
    if (!entry) return false;
    this.#drop(entry);
    this.#expiry.delete(key);
    return true;
  }

  async get(key: string): Promise<Connection | null> {
    this.#open();
    const entry = this.#connections.get(key);
    return entry ? snapshot(entry) : null;
  }

  async updateRooms(key: string, change: RoomChange): Promise<boolean> {
    this.#open();
    const entry = this.#connections.get(key);
    if (!entry) return false;
    if (change.replace) {
      const next = new Set(change.join ?? []);
      for (const room of [...entry.rooms]) if (!next.has(room)) this.#leave(entry, room);
      for (const room of next) this.#join(entry, room);
      return true;
    }
    for (const room of change.leave ?? []) this.#leave(entry, room);
    for (const room of change.join ?? []) this.#join(entry, room);
    return true;
  }

  async joinRoom(memberId: number, roomId: string): Promise<Connection[]> {
    this.#open();
    const changed: Connection[] = [];
    for (const entry of this.#entriesOf(memberId)) if (this.#join(entry, roomId)) changed.push(snapshot(entry));
    return changed;
  }

  async leaveRoom(memberId: number, roomId: string): Promise<Connection[]> {
    this.#open();
    const changed: Connection[] = [];
    for (const entry of this.#entriesOf(memberId)) if (this.#leave(entry, roomId)) changed.push(snapshot(entry));
    return changed;
  }

  async locateKeys(keys: readonly string[]): Promise<Connection[]> {
    this.#open();
    const found: Connection[] = [];
    for (const key of new Set(keys)) {
      const entry = this.#connections.get(key);
      if (entry) found.push(snapshot(entry));
    }
    return found;
  }

  async locateMembers(memberIds: readonly number[]): Promise<Connection[]> {
    this.#open();
    const found: Connection[] = [];
    for (const memberId of new Set(memberIds))
      for (const entry of this.#entriesOf(memberId)) found.push(snapshot(entry));
    return found;
  }

  async serversOfRoom(roomId: string): Promise<string[]> {
    this.#open();
    return [...(this.#roomServers.get(roomId)?.keys() ?? [])];
  }

  async onlineCounts(roomIds: readonly string[]): Promise<Map<string, number>> {
    this.#open();
    const counts = new Map<string, number>();
    for (const room of roomIds) counts.set(room, this.#roomMembers.get(room)?.size ?? 0);
    return counts;
  }

  async onlineMembers(roomId: string, limit: number): Promise<number[]> {
    this.#open();
    const members = [...(this.#roomMembers.get(roomId)?.keys() ?? [])];
    return members.sort((a, b) => a - b).slice(0, Math.max(0, limit));
  }

  async topRooms(limit: number): Promise<Array<{ roomId: string; count: number }>> {
    this.#open();
    const rooms: Array<{ roomId: string; count: number }> = [];
    for (const [roomId, members] of this.#roomMembers) rooms.push({ roomId, count: members.size });
    rooms.sort((a, b) => b.count - a.count || (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0));
    return rooms.slice(0, Math.max(0, limit));
  }

  async totals(): Promise<{ connections: number; members: number; servers: number }> {
    this.#open();
    return { connections: this.#connections.size, members: this.#keysByMember.size, servers: this.#servers.size };
  }

  async claimPushWindow(keys: readonly string[], windowMs: number): Promise<string[]> {
    this.#open();
    const now = this.#now();
    const claimed: string[] = [];
    for (const key of new Set(keys)) {
      if ((this.#pushWindows.get(key) ?? 0) > now) continue;
      this.#pushWindows.set(key, now + windowMs);
      claimed.push(key);
    }
    return claimed;
  }

  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = null;
    this.#connections.clear();
    this.#expiry.clear();
    this.#keysByMember.clear();
    this.#roomServers.clear();
    this.#roomMembers.clear();
    this.#servers.clear();
  }

  /** Fails after close, and purges expired connections so the operation only sees live ones. */
  #open(): void {
    if (!this.#sweeper) throw new ChatError("unavailable", "presence is closed");
    this.#purge();
  }

  #prunePushWindows(): void {
    const now = this.#now();
    for (const [roomId, until] of this.#pushWindows) if (until <= now) this.#pushWindows.delete(roomId);
  }

  #purge(): void {
    for (const key of this.#expiry.popExpired(this.#now())) {
      const entry = this.#connections.get(key);
      if (entry) this.#drop(entry);
    }
  }

  *#entriesOf(memberId: number): Iterable<Entry> {
    for (const key of this.#keysByMember.get(memberId) ?? []) {
      const entry = this.#connections.get(key);
      if (entry) yield entry;
    }
  }

  #drop(entry: Entry): void {
    this.#connections.delete(entry.key);
    this.#unindex(entry);
  }

  #index(entry: Entry): void {
    getOrCreate(this.#keysByMember, entry.memberId, () => new Set<string>()).add(entry.key);
    increment(this.#servers, entry.server);
    for (const room of entry.rooms) this.#indexRoom(entry, room);
  }

  #unindex(entry: Entry): void {
    const keys = this.#keysByMember.get(entry.memberId);
    keys?.delete(entry.key);
    if (keys?.size === 0) this.#keysByMember.delete(entry.memberId);
    decrement(this.#servers, entry.server);
    for (const room of entry.rooms) this.#unindexRoom(entry, room);
  }

  #join(entry: Entry, room: string): boolean {
    if (entry.rooms.has(room)) return false;
    entry.rooms.add(room);
    this.#indexRoom(entry, room);
    return true;
  }

  #leave(entry: Entry, room: string): boolean {
    if (!entry.rooms.delete(room)) return false;
    this.#unindexRoom(entry, room);
    return true;
  }

  #indexRoom(entry: Entry, room: string): void {
    increment(
      getOrCreate(this.#roomServers, room, () => new Map<string, number>()),
      entry.server,
    );
    increment(
      getOrCreate(this.#roomMembers, room, () => new Map<number, number>()),
      entry.memberId,
    );
  }

  #unindexRoom(entry: Entry, room: string): void {
    const servers = this.#roomServers.get(room);
    if (servers) {
      decrement(servers, entry.server);
      if (servers.size === 0) this.#roomServers.delete(room);
    }
    const members = this.#roomMembers.get(room);
    if (members) {
      decrement(members, entry.memberId);
      if (members.size === 0) this.#roomMembers.delete(room);
    }
  }
}

function snapshot(entry: Entry): Connection {
  return { key: entry.key, memberId: entry.memberId, server: entry.server, rooms: [...entry.rooms] };
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

function increment<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function decrement<K>(counts: Map<K, number>, key: K): void {
  const count = (counts.get(key) ?? 0) - 1;
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}
