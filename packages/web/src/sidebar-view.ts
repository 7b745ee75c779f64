import type { HttpRoom, RoomInfo } from "@chatroom/client";
import { byId, h, setText } from "./dom.ts";
import { messageOf } from "./error-text.ts";
import { isDirect, isPrivate, PUBLIC_ROOM_ID, roomTitle } from "./room-ids.ts";

export interface SidebarHandlers {
  onOpen(roomId: string): void;
  /** Resolves true when the room was joined. */
  onJoin(roomId: string): Promise<boolean>;
  /** Resolves with an error text, or null when the room was created. */
  onCreate(roomId: string, name: string, isPrivate: boolean): Promise<string | null>;
  /** A page of public rooms after `after` (by id). */
  listRooms(after: string | undefined): Promise<{ rooms: HttpRoom[]; next: string | null }>;
}

/**
 * The room list (with unread counts), direct conversations, the public room browser (rooms not joined yet; it
 * closes once one is joined) and the create form (public or private).
 */
export class SidebarView {
  readonly #handlers: SidebarHandlers;
  readonly #roomList = byId<HTMLUListElement>("room-list");
  readonly #dmList = byId<HTMLUListElement>("dm-list");
  readonly #dmHint = byId("dm-hint");
  readonly #browsePanel = byId("browse-panel");
  readonly #browseList = byId<HTMLUListElement>("browse-list");
  readonly #browseMore = byId<HTMLButtonElement>("browse-more");
  readonly #createError = byId("create-room-error");
  #browseAfter: string | undefined;
  #browsed: HttpRoom[] = [];
  #rooms: ReadonlyMap<string, RoomInfo> = new Map();

  constructor(handlers: SidebarHandlers) {
    this.#handlers = handlers;
    byId("browse-rooms").addEventListener("click", () => void this.#toggleBrowse());
    this.#browseMore.addEventListener("click", () => void this.#loadBrowsePage());
    const form = byId<HTMLFormElement>("create-room-form");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#create(form);
    });
  }

  /** `unread` counts a room's unread messages (ChatClient.unread). */
  render(rooms: ReadonlyMap<string, RoomInfo>, currentRoomId: string | null, unread: (roomId: string) => number): void {
    this.#rooms = rooms;
    const all = [...rooms.values()];
    const publicRooms = all.filter((r) => !isDirect(r)).sort((a, b) => roomTitle(a).localeCompare(roomTitle(b)));
    const directRooms = all.filter(isDirect).sort((a, b) => roomTitle(a).localeCompare(roomTitle(b)));
    this.#roomList.replaceChildren(...publicRooms.map((room) => this.#roomItem(room, currentRoomId, unread)));
    this.#dmList.replaceChildren(...directRooms.map((room) => this.#roomItem(room, currentRoomId, unread)));
    this.#dmHint.hidden = directRooms.length > 0;
    if (!this.#browsePanel.hidden) this.#renderBrowse();
  }

  #roomItem(room: RoomInfo, currentRoomId: string | null, unreadOf: (roomId: string) => number): HTMLLIElement {
    const unread = room.roomId === currentRoomId ? 0 : unreadOf(room.roomId);
    const button = h(
      "button",
      {
        class: "room-link",
        testid: "room-item",
        attrs: { type: "button", "aria-current": String(room.roomId === currentRoomId) },
        dataset: { roomId: room.roomId },
        onClick: () => this.#handlers.onOpen(room.roomId),
      },
      h("span", { class: "name", text: roomTitle(room) }),
      isPrivate(room) && h("span", { class: "private-badge", testid: "private-badge", text: "private" }),
      unread > 0 && h("span", { class: "badge", testid: "unread-badge", text: unread > 99 ? "99+" : String(unread) }),
    );
    return h("li", {}, button);
  }

  async #toggleBrowse(): Promise<void> {
    this.#browsePanel.hidden = !this.#browsePanel.hidden;
    if (this.#browsePanel.hidden) return;
    this.#browsed = [];
    this.#browseAfter = undefined;
    await this.#loadBrowsePage();
  }

  async #loadBrowsePage(): Promise<void> {
    this.#browseMore.disabled = true;
    try {
      const page = await this.#handlers.listRooms(this.#browseAfter);
      this.#browsed.push(...page.rooms);
      this.#browseAfter = page.next ?? undefined;
      this.#browseMore.hidden = page.next === null;
    } catch (error) {
      this.#browseList.replaceChildren(h("li", { class: "error small", text: messageOf(error) }));
      return;
    } finally {
      this.#browseMore.disabled = false;
    }
    this.#renderBrowse();
  }

  #renderBrowse(): void {
    // Rooms the member is in already are in the room list above; the browser offers the others.
    const items = this.#browsed
      .filter((room) => !this.#rooms.has(room.id))
      .map((room) => {
        const action = h(
          "button",
          {
            class: "join",
            testid: "browse-join",
            attrs: { type: "button" },
            dataset: { roomId: room.id },
            onClick: async (event) => {
              const button = event.currentTarget as HTMLButtonElement;
              button.disabled = true;
              if (await this.#handlers.onJoin(room.id)) this.#browsePanel.hidden = true;
              else button.disabled = false;
            },
          },
          "Join",
        );
        return h(
          "li",
          { testid: "browse-item", dataset: { roomId: room.id } },
          h("span", { class: "name", text: room.name ? `# ${room.name}` : `# ${room.id}` }),
          action,
        );
      });
    if (items.length === 0) {
      const text = this.#browsed.length === 0 ? "No public rooms yet." : "You are in every public room listed.";
      items.push(h("li", { class: "muted small", testid: "browse-empty", text }));
    }
    this.#browseList.replaceChildren(...items);
  }

  async #create(form: HTMLFormElement): Promise<void> {
    const idInput = byId<HTMLInputElement>("create-room-id");
    const nameInput = byId<HTMLInputElement>("create-room-name");
    const roomId = idInput.value.trim().toLowerCase();
    if (!PUBLIC_ROOM_ID.test(roomId)) {
      setText(this.#createError, "Room ids use a–z, 0–9, - and _ (up to 64), starting with a letter or digit.");
      return;
    }
    setText(this.#createError, "");
    const submit = form.querySelector("button");
    if (submit) submit.disabled = true;
    const isPrivate = byId<HTMLInputElement>("create-room-private").checked;
    const error = await this.#handlers.onCreate(roomId, nameInput.value.trim(), isPrivate);
    if (submit) submit.disabled = false;
    if (error) {
      setText(this.#createError, error);
      return;
    }
    form.reset();
  }
}
