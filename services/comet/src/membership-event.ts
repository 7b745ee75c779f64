import { Op, RoomEvent, RoomEventType } from "@chatroom/proto/protocol";
import type { Buckets } from "./buckets.ts";
import type { Channel } from "./channel.ts";

/** What an OP_EVENT push about a member's own membership asks of that member's channels. */
export interface MembershipChange {
  memberId: number;
  roomId: string;
  join: boolean;
}

/**
 * Reads a pushed frame as a membership change: OP_EVENT with a JOINED/LEFT RoomEvent carrying `room` (logic sets
 * it only on the event sent to the member itself). Null for anything else, including undecodable bodies.
 */
export function membershipChangeOf(op: number, body: Uint8Array): MembershipChange | null {
  if (op !== Op.EVENT) return null;
  let event: RoomEvent;
  try {
    event = RoomEvent.decode(body);
  } catch {
    return null;
  }
  if (!event.room || event.roomId === "") return null;
  if (event.type === RoomEventType.ROOM_EVENT_TYPE_JOINED) {
    return { memberId: event.memberId, roomId: event.roomId, join: true };
  }
  if (event.type === RoomEventType.ROOM_EVENT_TYPE_LEFT) {
    return { memberId: event.memberId, roomId: event.roomId, join: false };
  }
  return null;
}

/** Applies a membership change to a channel when it belongs to the member the change is about. */
export function applyMembershipChange(buckets: Buckets, channel: Channel, change: MembershipChange | null): void {
  if (!change || change.memberId !== channel.memberId) return;
  if (change.join) buckets.join(channel, change.roomId);
  else buckets.leave(channel, change.roomId);
}
