import type { ChatClient, ChatHttp, RoomEvent } from "@chatroom/client";
import { InvitationsView, type PendingInvitation } from "./invitations-view.ts";
import { applyToInvitations } from "./room-notices.ts";

export interface InvitationsDeps {
  http: ChatHttp;
  client(): ChatClient | null;
  /** Joins the room (true when joined). */
  join(roomId: string): Promise<boolean>;
  notify(text: string): void;
  me(): number;
}

/** The invitations to private rooms the member holds: loaded at sign-in, followed through their own room events. */
export class Invitations {
  readonly #deps: InvitationsDeps;
  readonly #pending = new Map<string, PendingInvitation>();
  readonly #view: InvitationsView;

  constructor(deps: InvitationsDeps) {
    this.#deps = deps;
    this.#view = new InvitationsView(
      (roomId) => void deps.join(roomId),
      (roomId) => void this.#decline(roomId),
    );
  }

  async load(): Promise<void> {
    try {
      for (const invitation of await this.#deps.http.myInvitations()) {
        this.#pending.set(invitation.room.id, {
          roomId: invitation.room.id,
          name: invitation.room.name,
          by: invitation.invitedBy.username,
        });
      }
      this.#view.render(this.#pending);
    } catch {
      // Invitations also arrive as events; the list fills as they come.
    }
  }

  /** One of the member's own room events (invited, uninvited, joined, banned). */
  apply(event: RoomEvent): void {
    if (applyToInvitations(this.#pending, event)) this.#view.render(this.#pending);
  }

  /** The room was joined (its invitation is used up). */
  used(roomId: string): void {
    if (this.#pending.delete(roomId)) this.#view.render(this.#pending);
  }

  clear(): void {
    this.#pending.clear();
    this.#view.render(this.#pending);
  }

  async #decline(roomId: string): Promise<void> {
    try {
      await this.#deps.client()?.uninvite(roomId, this.#deps.me());
    } catch (error) {
      this.#deps.notify(`Could not decline: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.used(roomId);
  }
}
