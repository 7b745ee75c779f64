import type { HttpBan, HttpInvitation, HttpRole, HttpRoomMember } from "@chatroom/client";
import { byId, h, setText } from "./dom.ts";
import { isModerator, mayModerate, maySetRole } from "./room-roles.ts";

/** What an owner or moderator can do to a member from the members panel. */
export type MemberAction = "owner" | "moderator" | "member" | "mute" | "unmute" | "kick" | "ban";

export interface MembersHandlers {
  onMessage(member: HttpRoomMember): void;
  onToggle(open: boolean): void;
  onAction(member: HttpRoomMember, action: MemberAction): void;
  onUnban(memberId: number): void;
  /** Resolves with an error text, or null when invited. */
  onInvite(username: string): Promise<string | null>;
  onWithdraw(memberId: number): void;
}

/** The viewer as the panel needs it. */
export interface Viewer {
  id: number;
  /** Their role in the open room (null: a direct conversation). */
  role: HttpRole | null;
  private: boolean;
}

const ACTION_LABELS: Record<MemberAction, string> = {
  owner: "Make owner",
  moderator: "Make moderator",
  member: "Make member",
  mute: "Mute 1 h",
  unmute: "Unmute",
  kick: "Kick",
  ban: "Ban",
};

/**
 * The open room's members (online first) with their role and mute, a button to message each, and for owners and
 * moderators a menu of what they may do to each; below, for them, the room's bans and (private rooms) invitations.
 */
export class MembersView {
  readonly #panel = byId("members-panel");
  readonly #list = byId<HTMLUListElement>("member-list");
  readonly #inviteForm = byId<HTMLFormElement>("invite-form");
  readonly #inviteError = byId("invite-error");
  readonly #pending = byId<HTMLUListElement>("pending-invitations");
  readonly #bansSection = byId("bans-section");
  readonly #bans = byId<HTMLUListElement>("ban-list");
  readonly #handlers: MembersHandlers;
  /** Members whose action menu is open (kept across the periodic re-renders). */
  readonly #menus = new Set<number>();

  constructor(handlers: MembersHandlers) {
    this.#handlers = handlers;
    byId("toggle-members").addEventListener("click", () => {
      this.#panel.hidden = !this.#panel.hidden;
      handlers.onToggle(!this.#panel.hidden);
    });
    byId("close-members").addEventListener("click", () => {
      this.#panel.hidden = true;
      handlers.onToggle(false);
    });
    this.#inviteForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#invite();
    });
  }

  get open(): boolean {
    return !this.#panel.hidden;
  }

  render(members: readonly HttpRoomMember[], viewer: Viewer): void {
    const sorted = [...members].sort(
      (a, b) => Number(b.online) - Number(a.online) || a.username.localeCompare(b.username),
    );
    this.#list.replaceChildren(...sorted.map((member) => this.#item(member, viewer)));
    this.#inviteForm.hidden = !(viewer.private && isModerator(viewer.role));
    this.#bansSection.hidden = !isModerator(viewer.role);
  }

  renderBans(bans: readonly HttpBan[]): void {
    const items = bans.map((ban) =>
      h(
        "li",
        { testid: "ban-item", dataset: { memberId: String(ban.member.id) } },
        h("span", { class: "name", text: ban.member.username }),
        h("span", { class: "small muted", text: ban.untilMs === null ? "" : `until ${untilText(ban.untilMs)}` }),
        h(
          "button",
          {
            class: "secondary",
            testid: "unban-button",
            attrs: { type: "button" },
            onClick: () => this.#handlers.onUnban(ban.member.id),
          },
          "Unban",
        ),
      ),
    );
    if (items.length === 0) items.push(h("li", { class: "muted small", text: "Nobody is banned." }));
    this.#bans.replaceChildren(...items);
  }

  renderInvitations(invitations: readonly HttpInvitation[]): void {
    this.#pending.replaceChildren(
      ...invitations.map((invitation) =>
        h(
          "li",
          { testid: "pending-invitation", dataset: { memberId: String(invitation.member.id) } },
          h("span", { class: "name", text: `${invitation.member.username} (invited)` }),
          h(
            "button",
            {
              class: "secondary",
              testid: "withdraw-button",
              attrs: { type: "button" },
              onClick: () => this.#handlers.onWithdraw(invitation.member.id),
            },
            "Withdraw",
          ),
        ),
      ),
    );
  }

  showError(text: string): void {
    this.#list.replaceChildren(h("li", { class: "error small", text }));
  }

  #item(member: HttpRoomMember, viewer: Viewer): HTMLLIElement {
    const me = member.id === viewer.id;
    const actions = me ? [] : this.#actions(member, viewer.role);
    const open = this.#menus.has(member.id) && actions.length > 0;
    return h(
      "li",
      {
        testid: "member-item",
        dataset: { memberId: String(member.id), online: String(Boolean(member.online)), role: member.role ?? "" },
      },
      h(
        "div",
        { class: "member-row" },
        h("span", { class: "dot", attrs: { title: member.online ? "online" : "offline" } }),
        h("span", { class: "name", text: me ? `${member.username} (you)` : member.username }),
        member.role === "owner" && h("span", { class: "role-badge", testid: "role-badge", text: "owner" }),
        member.role === "moderator" && h("span", { class: "role-badge", testid: "role-badge", text: "mod" }),
        member.muted && h("span", { class: "muted-badge", testid: "muted-badge", text: "muted" }),
        !me &&
          h(
            "button",
            {
              class: "secondary",
              testid: "dm-button",
              attrs: { type: "button", "aria-label": `Message ${member.username}` },
              onClick: () => this.#handlers.onMessage(member),
            },
            "Message",
          ),
        actions.length > 0 &&
          h(
            "button",
            {
              class: "icon-button",
              testid: "member-menu-button",
              attrs: { type: "button", "aria-label": `Moderate ${member.username}`, "aria-expanded": String(open) },
              onClick: () => {
                if (!this.#menus.delete(member.id)) this.#menus.add(member.id);
                const item = this.#list.querySelector(`li[data-member-id="${member.id}"]`);
                item?.replaceWith(this.#item(member, viewer));
              },
            },
            "⋯",
          ),
      ),
      open &&
        h(
          "div",
          { class: "member-actions", testid: "member-actions" },
          ...actions.map((action) =>
            h(
              "button",
              {
                class: action === "ban" || action === "kick" ? "secondary danger" : "secondary",
                testid: `member-action-${action}`,
                attrs: { type: "button" },
                onClick: () => {
                  this.#menus.delete(member.id);
                  this.#handlers.onAction(member, action);
                },
              },
              ACTION_LABELS[action],
            ),
          ),
        ),
    );
  }

  /** What the viewer may do to this member (the server checks again). */
  #actions(member: HttpRoomMember, role: HttpRole | null): MemberAction[] {
    const actions: MemberAction[] = [];
    if (maySetRole(role, member.role)) {
      if (member.role !== "moderator") actions.push("moderator");
      if (member.role !== "member") actions.push("member");
      actions.push("owner");
    }
    if (mayModerate(role, member.role)) actions.push(member.muted ? "unmute" : "mute", "kick", "ban");
    return actions;
  }

  async #invite(): Promise<void> {
    const input = byId<HTMLInputElement>("invite-username");
    const username = input.value.trim();
    if (!username) return;
    setText(this.#inviteError, "");
    const error = await this.#handlers.onInvite(username);
    if (error) setText(this.#inviteError, error);
    else input.value = "";
  }
}

const untilFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "short" });

export function untilText(ms: number): string {
  return untilFormat.format(new Date(ms));
}
