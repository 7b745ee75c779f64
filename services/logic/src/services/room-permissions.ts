import { ChatError, type RoomRole } from "@chatroom/core";

/**
 * Who may do what to whom in a public or private room (docs/protocol.md, "Rooms and roles"):
 * - owners may act on moderators and members, set anyone's role but another owner's (making someone an owner too),
 *   and step down themselves while another owner remains;
 * - moderators may act on members (kick, ban, mute and their reversal) and invite to private rooms;
 * - members may do none of it. Nobody acts on themselves, except an owner stepping down and an invitee declining.
 */
const RANK: Record<RoomRole, number> = { member: 0, moderator: 1, owner: 2 };

export function roleRank(role: RoomRole): number {
  return RANK[role];
}

/** insufficient_role unless `actor` may kick, ban or mute (or lift a ban or mute of) a member with `target`'s role. */
export function requireOutranks(actor: RoomRole, target: RoomRole, what: string): void {
  if (RANK[actor] < RANK.moderator) {
    throw new ChatError("insufficient_role", `only owners and moderators may ${what}`);
  }
  if (RANK[actor] <= RANK[target]) {
    throw new ChatError("insufficient_role", `a ${actor} may not ${what} a ${target}`);
  }
}

/** insufficient_role unless the actor may change a role from `from` to `to` (never the caller's own: see stepDown). */
export function requireMaySetRole(actor: RoomRole, from: RoomRole): void {
  if (actor !== "owner") throw new ChatError("insufficient_role", "only owners may change roles");
  if (from === "owner") throw new ChatError("insufficient_role", "an owner's role is theirs to give up");
}

export function requireModerator(actor: RoomRole, what: string): void {
  if (RANK[actor] < RANK.moderator) {
    throw new ChatError("insufficient_role", `only owners and moderators may ${what}`);
  }
}
