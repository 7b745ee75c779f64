import { randomUUID } from "node:crypto";
import {
  ChatError,
  type Logger,
  type Member,
  type RateLimiter,
  type RateRule,
  type RevisionKind,
  type Stores,
} from "@chatroom/core";
import type { ChatMessage } from "@chatroom/proto/protocol";
import { publishStored } from "./publish-stored.ts";
import type { Publisher } from "./publisher.ts";
import { decideRevision } from "./revision-rules.ts";
import type { RoomService } from "./rooms.ts";
import { validateClientMsgId, validateText } from "./text.ts";
import { toChatMessage } from "./views.ts";

export interface RevisionInput {
  roomId: unknown;
  /** The seq of the message to edit or delete. */
  seq: unknown;
  /** Edits only: the new text (validated like a sent message's). */
  text?: unknown;
  clientMsgId?: unknown;
}

export interface RevisionResult {
  /** The stored EDIT or DELETE event (the earlier DELETE when the message was deleted already). */
  event: ChatMessage;
  duplicate: boolean;
}

interface RevisionServiceDeps {
  stores: Stores;
  rooms: RoomService;
  publisher: Publisher;
  rateLimiter: RateLimiter;
  /** Edits and deletes spend the member's send tokens: each is pushed to the room like a message. */
  sendRate: RateRule;
  maxTextBytes: number;
  /** CHATROOM_MESSAGE_EDIT_WINDOW_MS (0: no limit). */
  editWindowMs: number;
  now: () => number;
  logger?: Logger;
}

/**
 * Edits and deletes of messages: checked (revision-rules.ts), stored as events with their own seq in the room's log
 * (the store changes the message in the same transaction), and published to the room like messages, so that live
 * connections, resume and history all see them in order.
 */
export class RevisionService {
  readonly #deps: RevisionServiceDeps;

  constructor(deps: RevisionServiceDeps) {
    this.#deps = deps;
  }

  /** The author changes their message's text. Muted members may not (muted); the text is checked like SEND's. */
  edit(actor: Member, input: RevisionInput): Promise<RevisionResult> {
    return this.#revise(actor, "edit", input);
  }

  /** The author (within the window), an owner or a moderator deletes a message; again: the earlier delete. */
  delete(actor: Member, input: RevisionInput): Promise<RevisionResult> {
    return this.#revise(actor, "delete", input);
  }

  async #revise(actor: Member, kind: RevisionKind, input: RevisionInput): Promise<RevisionResult> {
    const { stores, rooms, logger } = this.#deps;
    const text = kind === "edit" ? validateText(input.text, this.#deps.maxTextBytes) : "";
    const clientMsgId = validateClientMsgId(input.clientMsgId) ?? "";
    const seq = input.seq;
    if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq <= 0) {
      throw new ChatError("bad_request", "seq must be a positive integer");
    }
    if (kind === "edit") await rooms.requireSpeaker(actor.id, input.roomId);
    const { room, role } = await rooms.access(actor.id, input.roomId);
    const target = await stores.messages.bySeq(room.id, seq);
    const decision = decideRevision({
      kind,
      actorId: actor.id,
      role,
      target,
      nowMs: this.#deps.now(),
      windowMs: this.#deps.editWindowMs,
    });
    if (decision === "revise") await this.#consumeSendToken(actor.id);
    const { message: stored, duplicate } = await stores.messages.append({
      id: randomUUID(),
      roomId: room.id,
      senderId: actor.id,
      senderName: actor.username,
      text,
      sentAtMs: this.#deps.now(),
      clientMsgId,
      kind,
      targetSeq: seq,
    });
    const event = toChatMessage(stored, room.kind);
    const fields = { roomId: room.id, seq: event.seq, targetSeq: seq, kind, actorId: actor.id };
    try {
      await publishStored(this.#deps.publisher, event, room);
    } catch (error) {
      logger?.warn({ ...fields, err: error }, "message revision stored but not published");
      throw error;
    }
    logger?.debug({ ...fields, duplicate }, "message revised");
    return { event, duplicate };
  }

  async #consumeSendToken(memberId: number): Promise<void> {
    const decision = await this.#deps.rateLimiter.consume(`send:${memberId}`, this.#deps.sendRate);
    if (!decision.allowed) {
      throw new ChatError("rate_limited", "sending too fast; slow down", { retryAfterMs: decision.retryAfterMs });
    }
  }
}
