import {
  type ChatClient,
  type ChatMessage,
  type MessageDelete,
  type MessageEdit,
  MessageKind,
  type RoomInfo,
  RoomKind,
} from "@chatroom/client";
import { h } from "./dom.ts";
import { messageOf } from "./error-text.ts";
import { isModerator, roleOfInfo } from "./room-roles.ts";

export interface MessageRevisionsDeps {
  client(): ChatClient | null;
  me(): number;
  /** The viewer's room (its role decides who may delete others' messages). */
  room(roomId: string): RoomInfo | undefined;
  /** Opens the inline editor on the message. */
  startEdit(message: ChatMessage): void;
  /** The server's answer (the stored event): applied at once, before its push arrives. */
  applied(event: ChatMessage): void;
  notify(text: string): void;
}

/**
 * Editing and deleting messages in the web client: the Edit and Delete controls a message gets (the web client's
 * copy of the server's rules, services/logic/src/services/revision-rules.ts: the author within the edit window from
 * AuthReply, owners and moderators delete any), and the requests behind them.
 */
export class MessageRevisionControls {
  readonly #deps: MessageRevisionsDeps;

  constructor(deps: MessageRevisionsDeps) {
    this.#deps = deps;
  }

  actionsFor(message: ChatMessage): Node[] {
    const client = this.#deps.client();
    if (!client || message.deleted) return [];
    const mine = message.senderId === this.#deps.me();
    const inWindow = this.#inWindow(message);
    const moderates = isModerator(roleOfInfo(this.#deps.room(message.roomId)?.role));
    const mayEdit = mine && inWindow;
    const mayDelete = (mine && inWindow) || moderates;
    if (!mayEdit && !mayDelete) return [];
    return [
      h(
        "div",
        { class: "message-actions" },
        mayEdit &&
          h("button", {
            class: "link-button",
            testid: "edit-message",
            text: "Edit",
            attrs: { type: "button", "aria-label": "Edit message" },
            // The controls were drawn earlier: the window may have closed since.
            onClick: () =>
              this.#inWindow(message)
                ? this.#deps.startEdit(message)
                : this.#deps.notify("Too late to edit: the edit window has closed."),
          }),
        mayDelete &&
          h("button", {
            class: "link-button danger",
            testid: "delete-message",
            text: "Delete",
            attrs: { type: "button", "aria-label": "Delete message" },
            onClick: () => void this.delete(message),
          }),
      ),
    ];
  }

  /** Whether the author may still edit or delete the message (the server's window, from AuthReply). */
  #inWindow(message: ChatMessage): boolean {
    const window = this.#deps.client()?.member?.editWindowMs ?? 0;
    return window === 0 || Date.now() - message.sentAtMs <= window;
  }

  /** Saves an edit; false (with a notice) when the server refused it. */
  async save(message: ChatMessage, text: string): Promise<boolean> {
    const client = this.#deps.client();
    if (!client) return false;
    try {
      const reply = await client.edit(message.roomId, message.seq, text);
      if (reply.event) this.#deps.applied(reply.event);
      return true;
    } catch (error) {
      this.#deps.notify(`Could not edit: ${messageOf(error)}`);
      return false;
    }
  }

  async delete(message: ChatMessage): Promise<void> {
    const client = this.#deps.client();
    if (!client) return;
    try {
      const reply = await client.delete(message.roomId, message.seq);
      if (reply.event) this.#deps.applied(reply.event);
    } catch (error) {
      this.#deps.notify(`Could not delete: ${messageOf(error)}`);
    }
  }
}

/** The SDK's `edit` as the event it came from (what Conversation.revise takes). */
export function editEvent(edit: MessageEdit): ChatMessage {
  return revisionEvent(edit, MessageKind.MESSAGE_KIND_EDIT, edit.text, edit.editedAtMs);
}

export function deleteEvent(deletion: MessageDelete): ChatMessage {
  return revisionEvent(deletion, MessageKind.MESSAGE_KIND_DELETE, "", deletion.deletedAtMs);
}

function revisionEvent(
  detail: MessageEdit | MessageDelete,
  kind: MessageKind,
  text: string,
  atMs: number,
): ChatMessage {
  return {
    id: "",
    roomId: detail.roomId,
    seq: detail.seq,
    senderId: detail.memberId,
    senderName: detail.username,
    text,
    sentAtMs: atMs,
    clientMsgId: "",
    roomKind: RoomKind.ROOM_KIND_UNSPECIFIED,
    kind,
    targetSeq: detail.targetSeq,
  };
}
