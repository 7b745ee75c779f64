import type { RoomInfo } from "@chatroom/client";
import { RoomKind } from "@chatroom/client";

/** Mirrors core's directRoomId: the same id whichever of the two members asks. */
export function directRoomId(a: number, b: number): string {
  const [low, high] = a < b ? [a, b] : [b, a];
  return `dm:${low}:${high}`;
}

export function isDirect(room: Pick<RoomInfo, "kind" | "roomId">): boolean {
  return room.kind === RoomKind.ROOM_KIND_DIRECT || room.roomId.startsWith("dm:");
}

export function isPrivate(room: Pick<RoomInfo, "kind">): boolean {
  return room.kind === RoomKind.ROOM_KIND_PRIVATE;
}

export function roomTitle(room: RoomInfo): string {
  if (isDirect(room)) return `@${room.peerUsername || "someone"}`;
  return `# ${room.name || room.roomId}`;
}

export const PUBLIC_ROOM_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
