import type { RoomInfo } from "@chatroom/client";
import type { ComposerView } from "./composer-view.ts";
import { byId, setText } from "./dom.ts";
import { isDirect, isPrivate, roomTitle } from "./room-ids.ts";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

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

  /**
   * `room` when a room is open; `peer` for a direct conversation its first message will create; `mutedUntil` when
   * the member is muted in the room (0: until unmuted), null otherwise.
   */
  render(
    room: RoomInfo | undefined,
    peer: { username: string } | null,
    online: number | undefined,
    mutedUntil: number | null = null,
  ): void {
    setText(this.#title, room ? roomTitle(room) : peer ? `@${peer.username}` : "No room open");
    // The viewer is online in the room too, even before the server's counts include them.
    const count = online === undefined ? "" : `${Math.max(online, 1)} online`;
    setText(this.#online, room && isPrivate(room) ? `private${count ? ` · ${count}` : ""}` : count);
    this.#leave.hidden = !room || isDirect(room);
    this.#members.hidden = !room;
    const muted = room !== undefined && mutedUntil !== null && (mutedUntil === 0 || mutedUntil > Date.now());
    if (muted) {
      const until = mutedUntil === 0 ? "" : ` until ${timeFormat.format(new Date(mutedUntil))}`;
      this.#composer.setEnabled(false, `You are muted in this room${until}`);
      this.#composer.notice(`You are muted in this room${until}: you can read, not write.`);
      return;
    }
    this.#composer.notice("");
    const placeholder = peer
      ? `Message @${peer.username}`
      : room
        ? `Message ${roomTitle(room)}`
        : "Open a room to chat";
    this.#composer.setEnabled(Boolean(room || peer), placeholder);
  }
}
