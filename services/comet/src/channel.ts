import { CHAT_OPS } from "@chatroom/proto/protocol";
import { CloseCode } from "./close-codes.ts";
import type { PushFrame } from "./push-frame.ts";

/** The part of a `ws` WebSocket a channel writes to. */
export interface ChannelSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array, options: { binary: boolean }, callback: (error?: Error) => void): void;
  close(code: number, reason: string): void;
}

export interface ChannelLimits {
  /** Frames handed to the socket and not yet written out. */
  sendQueueMax: number;
  /** ws.bufferedAmount ceiling. */
  maxBufferedBytes: number;
}

const OPEN = 1;
const NO_OPS: ReadonlySet<number> = new Set();

/**
 * One authenticated connection (goim's Channel). Writes are already-encoded frames, one ws.send each; the socket
 * buffers them, and the channel bounds that buffer: a consumer too slow to keep up is closed with 4009 rather than
 * holding memory or ever making a fan-out wait.
 */
export class Channel {
  readonly key: string;
  readonly memberId: number;
  /** The login session the connection belongs to ("" when logic did not say). */
  readonly sessionId: string;
  readonly rooms = new Set<string>();
  /** Non-chat ops this connection accepts; undefined while none (most connections: no Set each). */
  private acceptSet: Set<number> | undefined;
  /** How the client speaks: goim connections get goim's frames and never chat frames (docs/goim-compat.md). */
  readonly dialect: "chatroom" | "goim";
  private readonly socket: ChannelSocket;
  private readonly limits: ChannelLimits;
  private readonly onSlowConsumer: () => void;
  private unwritten = 0;
  private closed = false;
  private readonly onWritten = (): void => {
    this.unwritten--;
  };

  constructor(options: {
    key: string;
    memberId: number;
    sessionId?: string;
    accepts?: Iterable<number>;
    dialect?: "chatroom" | "goim";
    socket: ChannelSocket;
    limits: ChannelLimits;
    /** Told when the channel closes itself as a slow consumer (metrics). */
    onSlowConsumer?: () => void;
  }) {
    this.key = options.key;
    this.memberId = options.memberId;
    this.sessionId = options.sessionId ?? "";
    for (const op of options.accepts ?? []) this.accept(op);
    this.dialect = options.dialect ?? "chatroom";
    this.socket = options.socket;
    this.limits = options.limits;
    this.onSlowConsumer = options.onSlowConsumer ?? (() => {});
  }

  /** Non-chat ops this connection accepts from the push API (goim's watch ops). */
  get accepts(): ReadonlySet<number> {
    return this.acceptSet ?? NO_OPS;
  }

  accept(op: number): void {
    this.acceptSet ??= new Set();
    this.acceptSet.add(op);
  }

  unaccept(op: number): void {
    this.acceptSet?.delete(op);
    if (this.acceptSet?.size === 0) this.acceptSet = undefined;
  }

  /**
   * goim's NeedPush: chat ops reach every chatroom connection, other ops only the connections that accept them.
   * A goim connection gets exactly the ops it accepts, as in goim (it could not read a chat frame's protobuf).
   */
  needPush(op: number): boolean {
    return (this.dialect === "chatroom" && CHAT_OPS.has(op)) || this.acceptSet?.has(op) === true;
  }

  get isClosed(): boolean {
    return this.closed || this.socket.readyState !== OPEN;
  }

  /** Queues one encoded frame. False when the frame was dropped (closed, or closed now as a slow consumer). */
  push(frame: Uint8Array): boolean {
    if (this.isClosed) return false;
    const buffered = this.socket.bufferedAmount;
    const overBytes = buffered > 0 && buffered + frame.byteLength > this.limits.maxBufferedBytes;
    if (this.unwritten >= this.limits.sendQueueMax || overBytes) {
      this.close(CloseCode.SLOW_CONSUMER, "slow consumer");
      this.onSlowConsumer();
      return false;
    }
    this.unwritten++;
    this.socket.send(frame, { binary: true }, this.onWritten);
    return true;
  }

  /** Queues a push in this connection's dialect (see PushFrame). */
  deliver(push: PushFrame): boolean {
    return this.push(push.bytesFor(this.dialect));
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.socket.readyState === OPEN) this.socket.close(code, reason);
  }
}
