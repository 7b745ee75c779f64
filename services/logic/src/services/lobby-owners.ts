import type { Stores } from "@chatroom/core";
import type { MembershipCache } from "../cache/membership-cache.ts";
import { LOBBY_ROOM_ID } from "./room-ids.ts";

/** Owners read at once; a lobby with more stored owners than this is fixed over several starts. */
const OWNER_PAGE = 1000;

/**
 * The lobby is the one room nobody created (everyone joins it at registration), so it has no owner by creation:
 * its owners are the usernames in CHATROOM_LOBBY_OWNERS. They are made owners when they join it and at every start
 * (sync), when owners no longer listed become plain members again — so the list is the truth, and the lobby's
 * ownership can neither be given away in the app nor inherited.
 */
export class LobbyOwners {
  readonly #usernames: ReadonlySet<string>;

  constructor(usernames: readonly string[]) {
    this.#usernames = new Set(usernames.map((name) => name.trim().toLowerCase()).filter((name) => name !== ""));
  }

  /** Whether this username owns the lobby. */
  has(username: string): boolean {
    return this.#usernames.has(username.toLowerCase());
  }

  /** Gives the lobby's stored owners the configured list (idempotent; safe to run from several logics at once). */
  async sync(stores: Stores, memberships: MembershipCache): Promise<void> {
    for (const owner of await stores.rooms.withRole(LOBBY_ROOM_ID, "owner", OWNER_PAGE)) {
      const member = await stores.members.findById(owner.memberId);
      if (member && this.has(member.username)) continue;
      await stores.rooms.setRole(LOBBY_ROOM_ID, owner.memberId, "member");
      await memberships.changed(owner.memberId, LOBBY_ROOM_ID);
    }
    for (const username of this.#usernames) {
      const member = await stores.members.findByUsername(username);
      const membership = member && (await stores.rooms.membership(LOBBY_ROOM_ID, member.id));
      if (!member || !membership || membership.role === "owner") continue;
      await stores.rooms.setRole(LOBBY_ROOM_ID, member.id, "owner");
      await memberships.changed(member.id, LOBBY_ROOM_ID);
    }
  }
}
