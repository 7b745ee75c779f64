import { type ChatClient, ChatClientError, newClientMsgId } from "@chatroom/client";
import type { Conversation, Conversations } from "./conversation.ts";
import { messageOf } from "./error-text.ts";

const PAGE = 50;

export interface MessageActionsDeps {
  client(): ChatClient | null;
  conversations: Conversations;
  /** The open conversation. */
  current(): Conversation | null;
  /** The other member when the open conversation is a direct one that does not exist yet. */
  peer(): { id: number } | null;
  /** Re-renders the message list if this room is open. */
  redraw(roomId: string): void;
  /** Whether the message list is too short to scroll (so scrolling can't ask for older messages). */
  underfilled(): boolean;
  notify(text: string): void;
}

/** Loading pages of history into conversations and sending (with pending / failed states and retry). */
export class MessageActions {
  readonly #deps: MessageActionsDeps;

  constructor(deps: MessageActionsDeps) {
    this.#deps = deps;
  }

  /** The newest page, once, when a room is first opened; then older pages until the list can scroll. */
  async loadLatest(conversation: Conversation): Promise<void> {
    const client = this.#deps.client();
    if (!client) return;
    try {
      const page = await client.history(conversation.roomId, { limit: PAGE });
      conversation.addPage(page.messages, page.hasMore);
    } catch {
      // Not readable (a direct conversation not created yet): show it as empty.
      conversation.hasOlder = false;
    }
    conversation.loadedLatest = true;
    this.#deps.redraw(conversation.roomId);
    if (conversation === this.#deps.current() && this.#deps.underfilled()) await this.loadOlder();
  }

  /** The page before the oldest message held (scroll-back). */
  async loadOlder(): Promise<void> {
    const conversation = this.#deps.current();
    const client = this.#deps.client();
    if (!client || !conversation?.loadedLatest || !conversation.hasOlder || conversation.loadingOlder) return;
    if (conversation.oldestSeq <= 1) {
      conversation.hasOlder = false;
      this.#deps.redraw(conversation.roomId);
      return;
    }
    conversation.loadingOlder = true;
    this.#deps.redraw(conversation.roomId);
    try {
      const page = await client.history(conversation.roomId, { beforeSeq: conversation.oldestSeq, limit: PAGE });
      conversation.addPage(page.messages, page.hasMore);
    } catch (error) {
      this.#deps.notify(`Could not load older messages: ${messageOf(error)}`);
    } finally {
      conversation.loadingOlder = false;
    }
    this.#deps.redraw(conversation.roomId);
    if (conversation === this.#deps.current() && this.#deps.underfilled()) await this.loadOlder();
  }

  /** Queues the text as a pending message of the open conversation and sends it; false when nothing is open. */
  send(text: string): boolean {
    const conversation = this.#deps.current();
    if (!conversation || !this.#deps.client()) return false;
    const peer = this.#deps.peer();
    const target = peer ? { memberId: peer.id } : { roomId: conversation.roomId };
    const pending = conversation.addPending({ clientMsgId: newClientMsgId(), text, target });
    this.#deps.redraw(conversation.roomId);
    void this.#deliver(conversation, pending.clientMsgId);
    return true;
  }

  /** Sends a failed message again, with its original clientMsgId (so it cannot be stored twice). */
  retry(clientMsgId: string): void {
    const conversation = this.#deps.current();
    if (!conversation?.retrying(clientMsgId)) return;
    this.#deps.redraw(conversation.roomId);
    void this.#deliver(conversation, clientMsgId);
  }

  async #deliver(conversation: Conversation, clientMsgId: string): Promise<void> {
    const pending = conversation.pending.get(clientMsgId);
    const client = this.#deps.client();
    if (!pending || !client) return;
    try {
      // The SDK resends after reconnects with the same clientMsgId, so the message is stored once.
      const reply =
        "roomId" in pending.target
          ? await client.send(pending.target.roomId, pending.text, { clientMsgId })
          : await client.sendDirect(pending.target.memberId, pending.text, { clientMsgId });
      if (reply.message) {
        conversation.pending.delete(clientMsgId);
        this.#deps.conversations.get(reply.message.roomId).add(reply.message);
      }
    } catch (error) {
      conversation.fail(clientMsgId, describeSendError(error));
    }
    this.#deps.redraw(conversation.roomId);
  }
}

function describeSendError(error: unknown): string {
  if (error instanceof ChatClientError) {
    if (error.code === "rate_limited") return `too fast, try again in ${Math.ceil(error.retryAfterMs / 1000)}s`;
    if (error.code === "closed") return "not connected";
    if (error.code === "timeout") return "no answer from the server";
  }
  return messageOf(error);
}
