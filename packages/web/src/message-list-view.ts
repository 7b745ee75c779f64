import type { ChatMessage } from "@chatroom/client";
import type { Conversation, PendingSend } from "./conversation.ts";
import { dayKey, dayLabel } from "./dates.ts";
import { h } from "./dom.ts";

export interface MessageListHandlers {
  onLoadOlder(): void;
  onRetry(clientMsgId: string): void;
  onDiscard(clientMsgId: string): void;
  /** Controls shown with a stored message (edit, delete); none when absent or empty. */
  actionsFor?(message: ChatMessage): Node[];
  /** The inline editor's Enter: resolves true once saved (the editor then closes), false to keep it open. */
  onSaveEdit?(message: ChatMessage, text: string): Promise<boolean>;
}

/** What the list shows besides messages. */
export interface MessageListExtras {
  /** Who (besides the viewer and its sender) has read the newest message, shown under it. */
  seenBy: readonly string[];
}

/** Near the top by this much, scroll-back loads older messages. */
const LOAD_OLDER_THRESHOLD_PX = 80;
/** Within this much of the bottom, new messages keep the list scrolled to the bottom. */
const STICK_TO_BOTTOM_PX = 48;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/**
 * Renders one conversation into the message list. Stored message elements are built once and reused, so a
 * re-render only re-orders nodes; the scroll position is kept when older messages are prepended and follows new
 * ones when the user was at the bottom.
 */
export class MessageListView {
  readonly #container: HTMLElement;
  readonly #handlers: MessageListHandlers;
  readonly #memberId: () => number;
  /** Built message elements by seq, with the message (as revised) they show. */
  readonly #nodes = new Map<number, { message: ChatMessage; node: HTMLElement }>();
  /** The message being edited inline, and its editor element. */
  #editing: { seq: number; node: HTMLElement } | null = null;
  #lastRender: (() => void) | null = null;
  #roomId: string | null = null;

  constructor(container: HTMLElement, handlers: MessageListHandlers, memberId: () => number) {
    this.#container = container;
    this.#handlers = handlers;
    this.#memberId = memberId;
    container.addEventListener("scroll", () => {
      if (container.scrollTop < LOAD_OLDER_THRESHOLD_PX) handlers.onLoadOlder();
    });
  }

  /** Whether the list is scrolled (close) to the newest message. */
  get atBottom(): boolean {
    const c = this.#container;
    return c.scrollHeight - c.scrollTop - c.clientHeight < STICK_TO_BOTTOM_PX;
  }

  /** True when the list does not fill its box, so scrolling cannot trigger loading older messages. */
  get underfilled(): boolean {
    return this.#container.scrollHeight <= this.#container.clientHeight + LOAD_OLDER_THRESHOLD_PX;
  }

  render(conversation: Conversation | null, emptyText: string, extras: MessageListExtras = { seenBy: [] }): void {
    this.#lastRender = () => this.render(conversation, emptyText, extras);
    const c = this.#container;
    const switched = conversation?.roomId !== this.#roomId;
    if (switched) {
      this.#nodes.clear();
      this.#editing = null;
    }
    this.#roomId = conversation?.roomId ?? null;
    const stick = switched || this.atBottom;
    const fromBottom = c.scrollHeight - c.scrollTop;

    const children: HTMLElement[] = [];
    if (!conversation) {
      children.push(h("p", { class: "empty", text: emptyText }));
    } else {
      children.push(this.#edge(conversation));
      const now = Date.now();
      let day = "";
      for (const message of conversation.messages) {
        // A separator before the first message of each local day (date separators).
        const key = dayKey(message.sentAtMs);
        if (key !== day) {
          day = key;
          children.push(
            h("div", { class: "day-separator", testid: "date-separator", text: dayLabel(message.sentAtMs, now) }),
          );
        }
        children.push(
          this.#editing?.seq === message.seq && !message.deleted ? this.#editing.node : this.#messageNode(message),
        );
      }
      if (extras.seenBy.length > 0 && conversation.messages.length > 0) {
        children.push(h("div", { class: "seen-by", testid: "seen-by", text: seenByText(extras.seenBy) }));
      }
      for (const send of conversation.pending.values()) children.push(this.#pendingNode(send));
      if (conversation.messages.length === 0 && conversation.pending.size === 0 && conversation.loadedLatest) {
        children.push(h("p", { class: "empty", text: emptyText }));
      }
    }
    c.replaceChildren(...children);
    c.scrollTop = stick ? c.scrollHeight : c.scrollHeight - fromBottom;
  }

  #edge(conversation: Conversation): HTMLElement {
    if (conversation.loadingOlder) return h("div", { class: "history-edge", text: "Loading older messages…" });
    if (conversation.hasOlder && conversation.loadedLatest) {
      return h(
        "button",
        {
          class: "link-button history-edge",
          testid: "load-older",
          attrs: { type: "button" },
          onClick: () => this.#handlers.onLoadOlder(),
        },
        "Load older messages",
      );
    }
    if (!conversation.loadedLatest) return h("div", { class: "history-edge", text: "Loading…" });
    return h("div", { class: "history-edge", testid: "history-start", text: "Beginning of the conversation" });
  }

  /** Forgets the built message elements (their controls depend on the viewer's role, which changed). */
  invalidate(): void {
    this.#nodes.clear();
  }

  /** Opens the inline editor on one of the viewer's messages (Enter saves, Esc cancels). */
  startEdit(message: ChatMessage): void {
    const textarea = h("textarea", {
      class: "edit-input",
      testid: "edit-input",
      attrs: { rows: "2", "aria-label": "Edit message", maxlength: "4096" },
    });
    textarea.value = message.text;
    const cancel = () => {
      this.#editing = null;
      this.#rerender();
    };
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        cancel();
      } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        const text = textarea.value;
        if (text.trim() === "" || text === message.text) {
          cancel();
          return;
        }
        textarea.disabled = true;
        void (this.#handlers.onSaveEdit?.(message, text) ?? Promise.resolve(true)).then((saved) => {
          textarea.disabled = false;
          if (saved) cancel();
          else textarea.focus();
        });
      }
    });
    const node = h(
      "article",
      {
        class: "message mine editing",
        testid: "message-editor",
        dataset: { seq: String(message.seq), room: message.roomId, state: "editing" },
      },
      textarea,
      h("div", { class: "edit-hint", text: "Enter to save · Esc to cancel" }),
    );
    this.#editing = { seq: message.seq, node };
    this.#rerender();
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  }

  /** The last conversation drawn, drawn again (after the editor opened or closed). */
  #rerender(): void {
    this.#lastRender?.();
  }

  #messageNode(message: ChatMessage): HTMLElement {
    const cached = this.#nodes.get(message.seq);
    if (cached?.message === message) return cached.node;
    const mine = message.senderId === this.#memberId();
    const sent = new Date(message.sentAtMs);
    const classes = ["message", mine && "mine", message.deleted && "deleted"].filter(Boolean).join(" ");
    const edited = message.editedAtMs && !message.deleted ? new Date(message.editedAtMs) : null;
    const node = h(
      "article",
      {
        class: classes,
        testid: "message",
        dataset: {
          seq: String(message.seq),
          room: message.roomId,
          state: message.deleted ? "deleted" : "sent",
          sender: message.senderName,
        },
      },
      h(
        "div",
        { class: "meta" },
        h("span", { class: "sender", testid: "message-sender", text: message.senderName }),
        h("time", {
          text: timeFormat.format(sent),
          attrs: { datetime: sent.toISOString(), title: dateTimeFormat.format(sent) },
        }),
        edited &&
          h("span", {
            class: "edited",
            testid: "message-edited",
            text: "(edited)",
            attrs: { title: `Edited ${dateTimeFormat.format(edited)}` },
          }),
      ),
      message.deleted
        ? h("p", { class: "text tombstone", testid: "message-deleted", text: "message deleted" })
        : h("p", { class: "text", testid: "message-text", text: message.text }),
      ...(message.deleted ? [] : (this.#handlers.actionsFor?.(message) ?? [])),
    );
    this.#nodes.set(message.seq, { message, node });
    return node;
  }

  #pendingNode(send: PendingSend): HTMLElement {
    const status =
      send.state === "failed"
        ? h(
            "div",
            { class: "status", testid: "message-status" },
            `Not sent: ${send.error}`,
            h(
              "button",
              {
                class: "link-button",
                testid: "retry-button",
                attrs: { type: "button" },
                onClick: () => this.#handlers.onRetry(send.clientMsgId),
              },
              "Retry",
            ),
            h(
              "button",
              {
                class: "link-button",
                testid: "discard-button",
                attrs: { type: "button" },
                onClick: () => this.#handlers.onDiscard(send.clientMsgId),
              },
              "Discard",
            ),
          )
        : h("div", { class: "meta", testid: "message-status", text: "Sending…" });
    return h(
      "article",
      {
        class: "message mine",
        testid: "message",
        dataset: { state: send.state, clientMsgId: send.clientMsgId },
      },
      h("p", { class: "text", testid: "message-text", text: send.text }),
      status,
    );
  }
}

/** "Seen by bob", "Seen by bob and carol", "Seen by bob, carol and 3 others". */
export function seenByText(names: readonly string[]): string {
  if (names.length <= 2) return `Seen by ${names.join(" and ")}`;
  if (names.length === 3) return `Seen by ${names[0]}, ${names[1]} and ${names[2]}`;
  return `Seen by ${names[0]}, ${names[1]} and ${names.length - 2} others`;
}
