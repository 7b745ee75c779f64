import { type HttpRole, RoomRole } from "@chatroom/client";

/** The web client's copy of the server's rules (services/logic/src/services/room-permissions.ts), to offer only what will be allowed. */
const RANK: Record<HttpRole, number> = { member: 0, moderator: 1, owner: 2 };

export function roleOfInfo(role: RoomRole | undefined): HttpRole | null {
  if (role === RoomRole.ROOM_ROLE_OWNER) return "owner";
  if (role === RoomRole.ROOM_ROLE_MODERATOR) return "moderator";
  if (role === RoomRole.ROOM_ROLE_MEMBER) return "member";
  return null;
}

/** Whether `actor` may kick, ban or mute a member with `target`'s role. */
export function mayModerate(actor: HttpRole | null, target: HttpRole | null): boolean {
  return actor !== null && RANK[actor] >= RANK.moderator && RANK[actor] > RANK[target ?? "member"];
}

/** Whether `actor` may change the role of a member with `target`'s role. */
export function maySetRole(actor: HttpRole | null, target: HttpRole | null): boolean {
  return actor === "owner" && target !== "owner";
}

export function isModerator(role: HttpRole | null): boolean {
  return role !== null && RANK[role] >= RANK.moderator;
}
