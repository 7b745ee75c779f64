import type { Member, Presence, Room } from "@chatroom/core";
import type { RoomEvent, RoomEventType } from "@chatroom/proto/protocol";
import type { MembershipCache } from "../cache/membership-cache.ts";
import type { Publisher } from "./publisher.ts";
import type { PushCoalescer } from "./push-coalescer.ts";
import { type MemberRoom, toRoomInfo } from "./views.ts";

export type Someone = Pick<Member, "id" | "username">;

/** A RoomEvent with the fields every event has; the rest (role, until, actor) only when given. */
export function roomEvent(
  type: RoomEventType,
  roomId: string,
  member: Someone,
  extra: { actor?: Someone | undefined; untilMs?: number | null | undefined } = {},
): RoomEvent {
  const event: RoomEvent = { roomId, type, memberId: member.id, username: member.username, room: undefined, seq: 0 };
  if (extra.actor) {
    event.actorId = extra.actor.id;
    event.actorName = extra.actor.username;
  }
  if (extra.untilMs !== undefined) event.untilMs = extra.untilMs ?? 0;
  return event;
}

export interface MembershipEventsDeps {
  presence: Presence;
  publisher: Publisher;
  online: PushCoalescer;
  memberships: MembershipCache;
}

/**
 * The steps after the store ended a membership (leave, kick, ban): no logic serves it from a cache any more, every
 * live connection of the member stops being in the room (presence, then the comets through the push's control,
 * which unsubscribes them before writing the event — without decoding it), and the room hears of it.
 */
export async function announceEnded(
  deps: MembershipEventsDeps,
  room: Room,
  member: Someone,
  event: RoomEvent,
): Promise<void> {
  await deps.memberships.ended(member.id, room.id);
  if ((await deps.presence.leaveRoom(member.id, room.id)).length > 0) deps.online.changed([room.id]);
  const view: MemberRoom = { room, ackedSeq: 0, peer: null, role: null, mute: null };
  await deps.publisher.memberEvent(member.id, { ...event, room: toRoomInfo(view) }, { leave: [room.id] });
  await deps.publisher.roomEvent(event);
}
