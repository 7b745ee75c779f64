import type { Channel } from "./channel.ts";
import { Room } from "./room.ts";

/**
 * One shard of the comet's connections (goim's Bucket): channels by key, by member, and rooms → channels.
 * A channel lives in the bucket of its key, and so do its entries in that bucket's rooms.
 */
export class Bucket {
  readonly channels = new Map<string, Channel>();
  readonly rooms = new Map<string, Room>();
  private readonly members = new Map<number, Set<Channel>>();

  /** Registers a channel; returns the channel it replaced (same key), which the caller closes. */
  put(channel: Channel): Channel | undefined {
    const previous = this.channels.get(channel.key);
    if (previous === channel) return undefined;
    if (previous) this.remove(previous);
    this.channels.set(channel.key, channel);
    let own = this.members.get(channel.memberId);
    if (!own) {
      own = new Set();
      this.members.set(channel.memberId, own);
    }
    own.add(channel);
    return previous;
  }

  /** Unregisters a channel and takes it out of all its rooms; false when it was not registered. */
  remove(channel: Channel): boolean {
    if (this.channels.get(channel.key) !== channel) return false;
    this.channels.delete(channel.key);
    const own = this.members.get(channel.memberId);
    own?.delete(channel);
    if (own?.size === 0) this.members.delete(channel.memberId);
    for (const roomId of [...channel.rooms]) this.leave(channel, roomId);
    return true;
  }

  /** Subscribes a registered channel to a room; false when it already was or is not registered (any more). */
  join(channel: Channel, roomId: string): boolean {
    if (channel.rooms.has(roomId) || this.channels.get(channel.key) !== channel) return false;
    channel.rooms.add(roomId);
    let room = this.rooms.get(roomId);
    if (!room) {
      room = new Room(roomId);
      this.rooms.set(roomId, room);
    }
    room.channels.add(channel);
    return true;
  }

  /** Unsubscribes a channel from a room; empty rooms are dropped. */
  leave(channel: Channel, roomId: string): boolean {
    if (!channel.rooms.delete(roomId)) return false;
    const room = this.rooms.get(roomId);
    room?.channels.delete(channel);
    if (room?.size === 0) this.rooms.delete(roomId);
    return true;
  }

  channelsOfMember(memberId: number): ReadonlySet<Channel> {
    return this.members.get(memberId) ?? EMPTY;
  }
}

const EMPTY: ReadonlySet<Channel> = new Set();
