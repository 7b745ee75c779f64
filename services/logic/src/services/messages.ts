import { randomUUID } from "node:crypto";
import { ChatError, type Logger, type Member, type RateLimiter, type RateRule, type Stores } from "@chatroom/core";
import type { ChatMessage } from "@chatroom/proto/protocol";
import type { RoomRef } from "../cache/membership-cache.ts";
import type { LogicMetrics } from "../metrics/logic-metrics.ts";
import { publishStored } from "./publish-stored.ts";
import type { Publisher } from "./publisher.ts";
import type { RoomService } from "./rooms.ts";
import { validateClientMsgId, validateText } from "./text.ts";
import { toChatMessage } from "./views.ts";

export interface SendInput {
  /** Exactly one of roomId and toMemberId. */
  roomId?: string | undefined;
  toMemberId?: number | undefined;
  text: unknown;
  clientMsgId?: unknown;
}

export interface SendResult {
  message: ChatMessage;
  duplicate: boolean;
}

export interface HistoryQuery {
  /** Messages with seq < beforeSeq; 0 or absent: from the newest. */
  beforeSeq?: number | undefined;
  /**
   * Messages with seq > afterSeq, oldest first; takes precedence over beforeSeq. Absent (undefined) means not set;
   * 0 is a real bound: from the beginning of the room.
   */
  afterSeq?: number | undefined;
  /** 0 or absent: the default page; clamped to the maximum. */
  limit?: number | undefined;
}

export interface HistoryPage {
  roomId: string;
  messages: ChatMessage[];
  hasMore: boolean;
}

interface MessageServiceDeps {
  stores: Stores;
  rooms: RoomService;
  publisher: Publisher;
  rateLimiter: RateLimiter;
  sendRate: RateRule;
  maxTextBytes: number;
  historyPageDefault: number;
  historyPageMax: number;
  /** Told when a member's read cursor was stored (read receipts). */
  readMoved?: (memberId: number, roomId: string) => void;
  now: () => number;
  logger?: Logger;
  metrics?: LogicMetrics | undefined;
}

/** Sending (room and direct), history paging and read cursors. Resume lives in resume.ts. */
export class MessageService {
  readonly #deps: MessageServiceDeps;

  constructor(deps: MessageServiceDeps) {
    this.#deps = deps;
  }

  /**
   * Validate, check membership, rate-limit, append (idempotent by clientMsgId), publish; resolves only once the
   * message is stored and handed to the bus. A duplicate is published again (delivery is at-least-once).
   */
  async send(sender: Member, input: SendInput): Promise<SendResult> {
    const { metrics } = this.#deps;
    try {
      const result = await this.#send(sender, input);
      metrics?.sendAccepted(result.duplicate);
      return result;
    } catch (error) {
      metrics?.sendRejected(error);
      throw error;
    }
  }

  async #send(sender: Member, input: SendInput): Promise<SendResult> {
    const { stores, publisher, logger } = this.#deps;
    const text = validateText(input.text, this.#deps.maxTextBytes);
    const clientMsgId = validateClientMsgId(input.clientMsgId) ?? "";
    const room = await this.#target(sender, input);
    await this.#consumeSendToken(sender.id);
    const { message: stored, duplicate } = await stores.messages.append({
      id: randomUUID(),
      roomId: room.id,
      senderId: sender.id,
      senderName: sender.username,
      text,
      sentAtMs: this.#deps.now(),
      clientMsgId,
    });
    const message = toChatMessage(stored, room.kind);
    const fields = { messageId: message.id, roomId: message.roomId, seq: message.seq, senderId: sender.id };
    try {
      await publishStored(publisher, message, room);
    } catch (error) {
      // Stored but not delivered live: the sender's retry publishes it again, readers get it from history/resume.
      logger?.warn({ ...fields, err: error }, "message stored but not published");
      throw error;
    }
    logger?.debug({ ...fields, duplicate }, "message accepted");
    return { message, duplicate };
  }

  async history(memberId: number, roomId: unknown, query: HistoryQuery): Promise<HistoryPage> {
    const room = await this.#deps.rooms.requireMember(memberId, roomId);
    const limit = this.#pageLimit(query.limit);
    const { afterSeq } = query;
    const beforeSeq = query.beforeSeq ?? 0;
    if ((afterSeq ?? 0) < 0 || beforeSeq < 0) throw new ChatError("bad_request", "seq bounds must not be negative");
    const { messages } = this.#deps.stores;
    let page: Awaited<ReturnType<typeof messages.after>>;
    let hasMore: boolean;
    if (afterSeq !== undefined) {
      page = await messages.after(room.id, afterSeq, limit + 1);
      hasMore = page.length > limit;
      if (hasMore) page = page.slice(0, limit);
    } else {
      page = await messages.before(room.id, beforeSeq, limit + 1);
      hasMore = page.length > limit;
      if (hasMore) page = page.slice(1);
    }
    return { roomId: room.id, messages: page.map((m) => toChatMessage(m, room.kind)), hasMore };
  }

  /** Moves the member's read cursor forward to `seq` (clamped to the room's last seq). */
  async ack(memberId: number, roomId: unknown, seq: number): Promise<{ roomId: string; seq: number }> {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new ChatError("bad_request", "seq must be a non-negative integer");
    const room = await this.#deps.rooms.requireMember(memberId, roomId);
    const lastSeq = await this.#deps.stores.messages.lastSeq(room.id);
    const acked = Math.min(seq, lastSeq);
    if (!(await this.#deps.stores.rooms.ack(room.id, memberId, acked))) {
      throw new ChatError("not_member", `not a member of ${room.id}`);
    }
    this.#deps.readMoved?.(memberId, room.id);
    return { roomId: room.id, seq: acked };
  }

  #pageLimit(limit: number | undefined): number {
    if (limit === undefined || limit === 0) return this.#deps.historyPageDefault;
    if (!Number.isSafeInteger(limit) || limit < 0) throw new ChatError("bad_request", "limit must be positive");
    return Math.min(limit, this.#deps.historyPageMax);
  }

  async #target(sender: Member, input: SendInput): Promise<RoomRef> {
    const hasRoom = input.roomId !== undefined && input.roomId !== "";
    const hasPeer = input.toMemberId !== undefined && input.toMemberId !== 0;
    if (hasRoom === hasPeer) throw new ChatError("bad_request", "give exactly one of room id and recipient member id");
    if (hasPeer) return this.#deps.rooms.ensureDirect(sender, input.toMemberId ?? 0);
    return this.#deps.rooms.requireSpeaker(sender.id, input.roomId);
  }

  async #consumeSendToken(memberId: number): Promise<void> {
    const decision = await this.#deps.rateLimiter.consume(`send:${memberId}`, this.#deps.sendRate);
    if (!decision.allowed) {
      throw new ChatError("rate_limited", "sending too fast; slow down", { retryAfterMs: decision.retryAfterMs });
    }
  }
}
