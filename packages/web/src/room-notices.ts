import { type RoomEvent, RoomEventType } from "@chatroom/client";
import type { PendingInvitation } from "./invitations-view.ts";

/**
 * What the member's own room events mean for the page: a notice to show (removed from a room, invited) and the
 * change to the pending invitations. Pure; no DOM.
 */
export function ownEventNotice(event: RoomEvent): string | null {
  const by = event.actorName ? ` by ${event.actorName}` : "";
  const room = event.room?.name || event.roomId;
  switch (event.type) {
    case RoomEventType.ROOM_EVENT_TYPE_KICKED:
      return `You were removed from ${room}${by}.`;
    case RoomEventType.ROOM_EVENT_TYPE_BANNED:
      return `You were banned from ${room}${by}.`;
    case RoomEventType.ROOM_EVENT_TYPE_INVITED:
      return `You were invited to ${room}${by}.`;
    case RoomEventType.ROOM_EVENT_TYPE_MUTED:
      return `You were muted in ${room}${by}.`;
    default:
      return null;
  }
}

/** Applies an own event to the invitations held; true when they changed. */
export function applyToInvitations(invitations: Map<string, PendingInvitation>, event: RoomEvent): boolean {
  switch (event.type) {
    case RoomEventType.ROOM_EVENT_TYPE_INVITED:
      invitations.set(event.roomId, {
        roomId: event.roomId,
        name: event.room?.name ?? event.roomId,
        by: event.actorName ?? "",
      });
      return true;
    case RoomEventType.ROOM_EVENT_TYPE_UNINVITED:
    case RoomEventType.ROOM_EVENT_TYPE_JOINED:
    case RoomEventType.ROOM_EVENT_TYPE_BANNED:
      return invitations.delete(event.roomId);
    default:
      return false;
  }
}
