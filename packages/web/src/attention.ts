import type { ChatMessage } from "@chatroom/client";
import { byId, setText } from "./dom.ts";

const NOTIFY_KEY = "chatroom.notifications";
const BASE_TITLE = "chatroom";

/**
 * Getting the user's attention: the unread total in the tab title, and optional browser notifications — off by
 * default, permission asked only when the user turns them on, shown only while the page is hidden.
 */
export class Attention {
  readonly #toggle = byId<HTMLButtonElement>("notifications");
  #enabled = false;

  constructor() {
    const supported = typeof Notification !== "undefined";
    this.#toggle.hidden = !supported;
    if (!supported) return;
    this.#enabled = localStorage.getItem(NOTIFY_KEY) === "on" && Notification.permission === "granted";
    this.#drawToggle();
    this.#toggle.addEventListener("click", () => void this.#flip());
  }

  /** The tab title with the number of unread messages, "(3) chatroom". */
  title(unread: number): void {
    const title = unread > 0 ? `(${unread > 999 ? "999+" : unread}) ${BASE_TITLE}` : BASE_TITLE;
    if (document.title !== title) document.title = title;
  }

  /** A notification for someone else's message while the page is hidden (when the user turned them on). */
  message(message: ChatMessage, roomTitle: string, onOpen: () => void): void {
    if (!this.#enabled || document.visibilityState === "visible") return;
    const notification = new Notification(`${message.senderName} in ${roomTitle}`, {
      body: message.text.slice(0, 200),
      tag: message.roomId,
    });
    notification.addEventListener("click", () => {
      window.focus();
      onOpen();
      notification.close();
    });
  }

  async #flip(): Promise<void> {
    if (this.#enabled) {
      this.#enabled = false;
    } else {
      const permission =
        Notification.permission === "default" ? await Notification.requestPermission() : Notification.permission;
      this.#enabled = permission === "granted";
    }
    localStorage.setItem(NOTIFY_KEY, this.#enabled ? "on" : "off");
    this.#drawToggle();
  }

  #drawToggle(): void {
    setText(this.#toggle, this.#enabled ? "Notifications on" : "Notifications off");
    this.#toggle.setAttribute("aria-pressed", String(this.#enabled));
    this.#toggle.title =
      Notification.permission === "denied"
        ? "Notifications are blocked for this site in the browser's settings"
        : "Notify me of new messages while this tab is in the background";
  }
}
