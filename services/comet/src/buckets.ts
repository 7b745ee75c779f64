import { Bucket } from "./bucket.ts";
import type { Channel } from "./channel.ts";

/** FNV-1a over the key's UTF-16 code units: cheap and evenly spread for random keys. */
export function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The comet's channels sharded over buckets by key (goim's Server.Bucket). */
export class Buckets {
  readonly all: readonly Bucket[];

  constructor(count: number) {
    this.all = Array.from({ length: Math.max(1, count) }, () => new Bucket());
  }

  of(key: string): Bucket {
    return this.all[hashKey(key) % this.all.length]!;
  }

  /** Registers a channel; returns the channel with the same key it replaced, if any. */
  put(channel: Channel): Channel | undefined {
    return this.of(channel.key).put(channel);
  }

  remove(channel: Channel): boolean {
    return this.of(channel.key).remove(channel);
  }

  join(channel: Channel, roomId: string): boolean {
    return this.of(channel.key).join(channel, roomId);
  }

  leave(channel: Channel, roomId: string): boolean {
    return this.of(channel.key).leave(channel, roomId);
  }

  channel(key: string): Channel | undefined {
    return this.of(key).channels.get(key);
  }

  /** Every channel of a member, whichever buckets their keys fall in. */
  *channelsOfMember(memberId: number): Iterable<Channel> {
    for (const bucket of this.all) yield* bucket.channelsOfMember(memberId);
  }

  *channels(): Iterable<Channel> {
    for (const bucket of this.all) yield* bucket.channels.values();
  }

  get connectionCount(): number {
    let count = 0;
    for (const bucket of this.all) count += bucket.channels.size;
    return count;
  }

  /** Connections per room on this comet. */
  roomCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const bucket of this.all) {
      for (const [roomId, room] of bucket.rooms) counts[roomId] = (counts[roomId] ?? 0) + room.size;
    }
    return counts;
  }

  /** Connections on this comet subscribed to the room. */
  localCount(roomId: string): number {
    let count = 0;
    for (const bucket of this.all) count += bucket.rooms.get(roomId)?.size ?? 0;
    return count;
  }

  get roomCount(): number {
    const ids = new Set<string>();
    for (const bucket of this.all) for (const roomId of bucket.rooms.keys()) ids.add(roomId);
    return ids.size;
  }
}
