import { byId, h } from "./dom.ts";

/** A private room the member is invited to. */
export interface PendingInvitation {
  roomId: string;
  name: string;
  /** Who invited them ("" when unknown). */
  by: string;
}

/** The sidebar's invitations to private rooms, each with Join and Decline; hidden when there are none. */
export class InvitationsView {
  readonly #section = byId("invitations-section");
  readonly #list = byId<HTMLUListElement>("invitation-list");
  readonly #onJoin: (roomId: string) => void;
  readonly #onDecline: (roomId: string) => void;

  constructor(onJoin: (roomId: string) => void, onDecline: (roomId: string) => void) {
    this.#onJoin = onJoin;
    this.#onDecline = onDecline;
  }

  render(invitations: ReadonlyMap<string, PendingInvitation>): void {
    this.#section.hidden = invitations.size === 0;
    this.#list.replaceChildren(
      ...[...invitations.values()].map((invitation) =>
        h(
          "li",
          { testid: "invitation-item", dataset: { roomId: invitation.roomId } },
          h("span", {
            class: "name",
            text: `# ${invitation.name || invitation.roomId}`,
            attrs: { title: invitation.by ? `invited by ${invitation.by}` : "" },
          }),
          h(
            "button",
            {
              class: "join",
              testid: "invitation-join",
              attrs: { type: "button" },
              onClick: () => this.#onJoin(invitation.roomId),
            },
            "Join",
          ),
          h(
            "button",
            {
              class: "link-button",
              testid: "invitation-decline",
              attrs: { type: "button" },
              onClick: () => this.#onDecline(invitation.roomId),
            },
            "Decline",
          ),
        ),
      ),
    );
  }
}
