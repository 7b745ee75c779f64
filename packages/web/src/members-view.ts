import type { HttpRoomMember } from "@chatroom/client";
import { byId, h } from "./dom.ts";

/** The current room's members, online ones first, with a button to start a direct conversation. */
export class MembersView {
  readonly #panel = byId("members-panel");
  readonly #list = byId<HTMLUListElement>("member-list");
  readonly #onMessage: (member: HttpRoomMember) => void;

  constructor(onMessage: (member: HttpRoomMember) => void, onToggle: (open: boolean) => void) {
    this.#onMessage = onMessage;
    byId("toggle-members").addEventListener("click", () => {
      this.#panel.hidden = !this.#panel.hidden;
      onToggle(!this.#panel.hidden);
    });
    byId("close-members").addEventListener("click", () => {
      this.#panel.hidden = true;
      onToggle(false);
    });
  }

  get open(): boolean {
    return !this.#panel.hidden;
  }

  render(members: readonly HttpRoomMember[], memberId: number): void {
    const sorted = [...members].sort(
      (a, b) => Number(b.online) - Number(a.online) || a.username.localeCompare(b.username),
    );
    const items = sorted.map((member) => {
      const me = member.id === memberId;
      return h(
        "li",
        { testid: "member-item", dataset: { memberId: String(member.id), online: String(Boolean(member.online)) } },
        h("span", { class: "dot", attrs: { title: member.online ? "online" : "offline" } }),
        h("span", { class: "name", text: me ? `${member.username} (you)` : member.username }),
        !me &&
          h(
            "button",
            {
              class: "secondary",
              testid: "dm-button",
              attrs: { type: "button", "aria-label": `Message ${member.username}` },
              onClick: () => this.#onMessage(member),
            },
            "Message",
          ),
      );
    });
    this.#list.replaceChildren(...items);
  }

  showError(text: string): void {
    this.#list.replaceChildren(h("li", { class: "error small", text }));
  }
}
