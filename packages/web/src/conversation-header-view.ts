import type { RoomInfo } from "@chatroom/client";
import type { ComposerView } from "./composer-view.ts";
import { byId, setText } from "./dom.ts";
import { isDirect, roomTitle } from "./room-ids.ts";

/** The open conversation's title, online count and buttons, and whether (and where) the composer sends. */
export class ConversationHeaderView {
  readonly #title = byId("room-title");
  readonly #online = byId("room-online");
  readonly #leave = byId("leave-room");
  readonly #members = byId("toggle-members");
  readonly #composer: ComposerView;

  constructor(composer: ComposerView) {
    this.#composer = composer;
  }

  /** `room` when a room is open; `peer` for a direct conversation its first message will create. */
  render(room: RoomInfo | undefined, peer: { username: string } | null, online: number | undefined): void {
    setText(this.#title, room ? roomTitle(room) : peer ? `@${peer.username}` : "No room open");
    // The viewer is online in the room too, even before the server's counts include them.
    setText(this.#online, online === undefined ? "" : `${Math.max(online, 1)} online`);
    this.#leave.hidden = !room || isDirect(room);
    this.#members.hidden = !room;
    const placeholder = peer
      ? `Message @${peer.username}`
      : room
        ? `Message ${roomTitle(room)}`
        : "Open a room to chat";
    this.#composer.setEnabled(Boolean(room || peer), placeholder);
  }
}
