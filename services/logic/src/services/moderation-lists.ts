import type { Invitation, Member, Room, RoomRestriction, Stores } from "@chatroom/core";
import type { ModerationService } from "./moderation.ts";

export interface BanView extends RoomRestriction {
  username: string;
}

export interface InvitationView extends Invitation {
  username: string;
}

/** Bans and invitations as owners and moderators list them, and the invitations a member holds. */
export class ModerationLists {
  readonly #stores: Stores;
  readonly #moderation: ModerationService;
  readonly #now: () => number;

  constructor(deps: { stores: Stores; moderation: ModerationService; now: () => number }) {
    this.#stores = deps.stores;
    this.#moderation = deps.moderation;
    this.#now = deps.now;
  }

  /** The room's bans in force, by member id (owners and moderators only). */
  async bans(viewerId: number, roomId: unknown, afterMemberId: number | undefined, limit: number): Promise<BanView[]> {
    const room = await this.#moderation.requireModeratorOf(viewerId, roomId);
    const page = afterMemberId === undefined ? { limit } : { afterMemberId, limit };
    return this.#named(await this.#stores.moderation.bans(room.id, this.#now(), page));
  }

  /** The room's pending invitations, by member id (owners and moderators only). */
  async invitations(
    viewerId: number,
    roomId: unknown,
    afterMemberId: number | undefined,
    limit: number,
  ): Promise<InvitationView[]> {
    const room = await this.#moderation.requireModeratorOf(viewerId, roomId);
    const page = afterMemberId === undefined ? { limit } : { afterMemberId, limit };
    return this.#named(await this.#stores.moderation.invitations(room.id, page));
  }

  /** The private rooms a member is invited to, newest first, with who invited them. */
  async invitationsOf(
    memberId: number,
    limit: number,
  ): Promise<Array<{ room: Room; invitedBy: Pick<Member, "id" | "username">; atMs: number }>> {
    const entries = await this.#stores.moderation.invitationsOf(memberId, limit);
    const inviters = await this.#names(entries.map((e) => e.invitation.invitedBy));
    return entries.map(({ invitation, room }) => ({
      room,
      invitedBy: { id: invitation.invitedBy, username: inviters.get(invitation.invitedBy) ?? "" },
      atMs: invitation.atMs,
    }));
  }

  async #named<T extends { memberId: number }>(rows: T[]): Promise<Array<T & { username: string }>> {
    const names = await this.#names(rows.map((row) => row.memberId));
    return rows.map((row) => ({ ...row, username: names.get(row.memberId) ?? "" }));
  }

  async #names(ids: number[]): Promise<Map<number, string>> {
    const members = await this.#stores.members.findByIds([...new Set(ids)]);
    return new Map(members.map((m) => [m.id, m.username]));
  }
}
