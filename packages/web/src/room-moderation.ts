import { type ChatClient, type ChatHttp, type HttpRoomMember, RoomRole } from "@chatroom/client";
import { messageOf } from "./error-text.ts";
import type { MemberAction, MembersView } from "./members-view.ts";

const MUTE_MS = 3_600_000;

export interface RoomModerationDeps {
  http: ChatHttp;
  client(): ChatClient | null;
  members: MembersView;
  /** The open room, when it is one the viewer moderates; null otherwise. */
  moderated(): { roomId: string; private: boolean } | null;
  /** Reloads the open room's members (after an action changed them). */
  refreshMembers(): void;
  notify(text: string): void;
}

/** What owners and moderators do from the members panel: actions on members, the ban list, invitations. */
export class RoomModeration {
  readonly #deps: RoomModerationDeps;

  constructor(deps: RoomModerationDeps) {
    this.#deps = deps;
  }

  /** Loads the open room's bans and (private rooms) pending invitations, when the viewer moderates it. */
  async refreshLists(): Promise<void> {
    const room = this.#deps.moderated();
    if (!room) return;
    try {
      const [{ bans }, invitations] = await Promise.all([
        this.#deps.http.bans(room.roomId, { limit: 200 }),
        room.private ? this.#deps.http.invitations(room.roomId, { limit: 200 }) : { invitations: [] },
      ]);
      if (this.#deps.moderated()?.roomId !== room.roomId) return;
      this.#deps.members.renderBans(bans);
      this.#deps.members.renderInvitations(invitations.invitations);
    } catch (error) {
      this.#deps.notify(`Could not load the room's bans: ${messageOf(error)}`);
    }
  }

  async act(member: HttpRoomMember, action: MemberAction): Promise<void> {
    const client = this.#deps.client();
    const room = this.#deps.moderated();
    if (!client || !room) return;
    try {
      switch (action) {
        case "owner":
          await client.setRole(room.roomId, member.id, RoomRole.ROOM_ROLE_OWNER);
          break;
        case "moderator":
          await client.setRole(room.roomId, member.id, RoomRole.ROOM_ROLE_MODERATOR);
          break;
        case "member":
          await client.setRole(room.roomId, member.id, RoomRole.ROOM_ROLE_MEMBER);
          break;
        case "mute":
          await client.mute(room.roomId, member.id, { durationMs: MUTE_MS });
          break;
        case "unmute":
          await client.unmute(room.roomId, member.id);
          break;
        case "kick":
          await client.kick(room.roomId, member.id);
          break;
        case "ban":
          await client.ban(room.roomId, member.id);
          break;
      }
    } catch (error) {
      this.#deps.notify(`Could not ${ACTION_VERBS[action]} ${member.username}: ${messageOf(error)}`);
    }
    this.#deps.refreshMembers();
    await this.refreshLists();
  }

  async unban(memberId: number): Promise<void> {
    const room = this.#deps.moderated();
    if (!room) return;
    await this.#run(() => this.#deps.client()?.unban(room.roomId, memberId), "lift the ban");
  }

  /** Resolves with an error text, or null once invited. */
  async invite(username: string): Promise<string | null> {
    const client = this.#deps.client();
    const room = this.#deps.moderated();
    if (!client || !room) return "not connected";
    try {
      await client.invite(room.roomId, username);
    } catch (error) {
      return messageOf(error);
    }
    await this.refreshLists();
    return null;
  }

  async withdraw(memberId: number): Promise<void> {
    const room = this.#deps.moderated();
    if (!room) return;
    await this.#run(() => this.#deps.client()?.uninvite(room.roomId, memberId), "withdraw the invitation");
  }

  async #run(call: () => Promise<unknown> | undefined, what: string): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.#deps.notify(`Could not ${what}: ${messageOf(error)}`);
    }
    await this.refreshLists();
  }
}

const ACTION_VERBS: Record<MemberAction, string> = {
  owner: "make an owner of",
  moderator: "make a moderator of",
  member: "change the role of",
  mute: "mute",
  unmute: "unmute",
  kick: "kick",
  ban: "ban",
};
