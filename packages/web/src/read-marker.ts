import type { ChatClient, RoomInfo } from "@chatroom/client";

const ACK_DELAY_MS = 400;

/**
 * Marks the open room read (OP_ACK of its newest message) a moment after it changed, only while the page is
 * visible; the server tells the member's other devices and the room (read receipts).
 */
export class ReadMarker {
  readonly #client: () => ChatClient | null;
  readonly #open: () => { roomId: string; room: RoomInfo | undefined } | null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(client: () => ChatClient | null, open: () => { roomId: string; room: RoomInfo | undefined } | null) {
    this.#client = client;
    this.#open = open;
  }

  schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (document.visibilityState !== "visible") return;
    this.#timer = setTimeout(() => this.flush(), ACK_DELAY_MS);
  }

  /** Sends the scheduled ack now (before switching rooms, so that the room left is marked read). */
  flush(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const open = this.#open();
    const client = this.#client();
    const room = open?.room;
    if (!open || !room || room.lastSeq <= room.ackedSeq || client?.state !== "open") return;
    client.ack(open.roomId, room.lastSeq).catch(() => undefined);
  }
}
