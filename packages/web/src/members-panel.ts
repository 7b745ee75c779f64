import type { ChatClient, ChatHttp, HttpRoomMember, RoomInfo } from "@chatroom/client";
import { messageOf } from "./error-text.ts";
import { MembersView } from "./members-view.ts";
import { isPrivate } from "./room-ids.ts";
import { RoomModeration } from "./room-moderation.ts";
import { isModerator, roleOfInfo } from "./room-roles.ts";

/** While the panel is open, online changes reload it at most this often. */
const MEMBERS_REFRESH_MS = 3000;

export interface MembersPanelDeps {
  http: ChatHttp;
  client(): ChatClient | null;
  /** The open conversation: a room (`room` once the member is in it), or a direct one not created yet (peer). */
  open(): { roomId: string; room: RoomInfo | undefined; peer: boolean } | null;
  me(): number;
  /** A fresh members page of the open room (its read cursors feed "seen by …"). */
  onMembers(roomId: string, members: readonly HttpRoomMember[]): void;
  onMessage(member: HttpRoomMember): void;
  notify(text: string): void;
}

/**
 * The open room's members: loaded when the room opens and when its membership changes (for read cursors, even
 * with the panel closed), shown in the panel with roles and mutes, and for owners and moderators their actions,
 * the room's bans and its invitations.
 */
export class MembersPanel {
  readonly #deps: MembersPanelDeps;
  readonly #view: MembersView;
  readonly #moderation: RoomModeration;
  #loadedAt = 0;

  constructor(deps: MembersPanelDeps) {
    this.#deps = deps;
    this.#view = new MembersView({
      onMessage: (member) => deps.onMessage(member),
      onToggle: (open) => {
        if (open) void this.refresh(true);
      },
      onAction: (member, action) => void this.#moderation.act(member, action),
      onUnban: (memberId) => void this.#moderation.unban(memberId),
      onInvite: (username) => this.#moderation.invite(username),
      onWithdraw: (memberId) => void this.#moderation.withdraw(memberId),
    });
    this.#moderation = new RoomModeration({
      http: deps.http,
      client: deps.client,
      members: this.#view,
      moderated: () => {
        const room = deps.open()?.room;
        return room && isModerator(roleOfInfo(room.role)) ? { roomId: room.roomId, private: isPrivate(room) } : null;
      },
      refreshMembers: () => void this.refresh(true),
      notify: deps.notify,
    });
  }

  /** Reloads the members (forced, or while the panel is open and the last load is a few seconds old). */
  async refresh(force: boolean): Promise<void> {
    const open = this.#deps.open();
    if (!open) return;
    if (open.peer) {
      this.#view.render([], { id: this.#deps.me(), role: null, private: false });
      return;
    }
    if (!force && (!this.#view.open || Date.now() - this.#loadedAt < MEMBERS_REFRESH_MS)) return;
    this.#loadedAt = Date.now();
    if (this.#view.open) void this.#moderation.refreshLists();
    let members: HttpRoomMember[];
    try {
      ({ members } = await this.#deps.http.members(open.roomId, { limit: 200 }));
    } catch (error) {
      if (this.#view.open) this.#view.showError(messageOf(error));
      return;
    }
    const now = this.#deps.open();
    if (now?.roomId !== open.roomId) return;
    this.#deps.onMembers(open.roomId, members);
    const viewer = {
      id: this.#deps.me(),
      role: roleOfInfo(now.room?.role),
      private: now.room ? isPrivate(now.room) : false,
    };
    this.#view.render(members, viewer);
  }
}
