import type { Channel } from "./channel.ts";
import type { PushFrame } from "./push-frame.ts";

/** The channels of one bucket subscribed to a room (goim's Room, per bucket). */
export class Room {
  readonly id: string;
  readonly channels = new Set<Channel>();

  constructor(id: string) {
    this.id = id;
  }

  get size(): number {
    return this.channels.size;
  }

  /** Writes the frame to every channel; returns how many took it. */
  push(frame: PushFrame): number {
    let delivered = 0;
    for (const channel of this.channels) if (channel.deliver(frame)) delivered++;
    return delivered;
  }
}
