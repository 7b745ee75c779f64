import { ChatError, type Stores } from "@chatroom/core";
import type { ChatMessage } from "@chatroom/proto/protocol";
import type { RoomService } from "./rooms.ts";
import { toChatMessage } from "./views.ts";

export interface ResumeCursor {
  roomId: string;
  /** The client's last seen seq; 0 = from the beginning, -1 = the member's stored read cursor. */
  lastSeq: number;
}

export interface RoomReplay {
  roomId: string;
  /** Missed messages in seq order, at most the page size. */
  messages: ChatMessage[];
  /** The room's highest seq when the replay was read. */
  lastSeq: number;
  /** More missed messages follow the replayed ones (continue with history after_seq). */
  hasMore: boolean;
}

/**
 * Missed messages after a reconnect. Cursors for rooms the member does not belong to (any more) are left out of
 * the answer; no cursors at all means every room of the member from its stored read cursor.
 */
export class ResumeService {
  readonly #stores: Stores;
  readonly #rooms: RoomService;
  readonly #pageSize: number;

  constructor(deps: { stores: Stores; rooms: RoomService; resumePageSize: number }) {
    this.#stores = deps.stores;
    this.#rooms = deps.rooms;
    this.#pageSize = deps.resumePageSize;
  }

  async resume(memberId: number, cursors: readonly ResumeCursor[]): Promise<RoomReplay[]> {
    for (const cursor of cursors) {
      if (!Number.isSafeInteger(cursor.lastSeq) || cursor.lastSeq < -1) {
        throw new ChatError("bad_request", "last_seq must be -1 (stored cursor), 0 or a seq");
      }
    }
    const rooms = new Map((await this.#rooms.roomsOf(memberId)).map((r) => [r.room.id, r]));
    const wanted: ResumeCursor[] =
      cursors.length > 0 ? dedupe(cursors) : [...rooms.keys()].map((roomId) => ({ roomId, lastSeq: -1 }));
    const replays: RoomReplay[] = [];
    for (const cursor of wanted) {
      const view = rooms.get(cursor.roomId);
      if (!view) continue;
      const from = cursor.lastSeq === -1 ? view.ackedSeq : cursor.lastSeq;
      const [page, lastSeq] = await Promise.all([
        this.#stores.messages.after(view.room.id, from, this.#pageSize + 1),
        this.#stores.messages.lastSeq(view.room.id),
      ]);
      const hasMore = page.length > this.#pageSize;
      replays.push({
        roomId: view.room.id,
        messages: page.slice(0, this.#pageSize).map((m) => toChatMessage(m, view.room.kind)),
        lastSeq: Math.max(lastSeq, page.at(-1)?.seq ?? 0),
        hasMore,
      });
    }
    return replays;
  }
}

/** The last cursor given for a room wins. */
function dedupe(cursors: readonly ResumeCursor[]): ResumeCursor[] {
  return [...new Map(cursors.map((c) => [c.roomId, c])).values()];
}
