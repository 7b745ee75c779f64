import { decodeFrame, decodeRawBatch, encodeFrame, type Frame, Op } from "@chatroom/proto/protocol";

/** The part of the WHATWG WebSocket the SDK uses; browsers', Node's global one and `ws` all fit. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: "error", listener: (event: unknown) => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface FrameSocketHandlers {
  onOpen(): void;
  /** One frame; the frames of an OP_RAW batch come one by one, in order. */
  onFrame(frame: Frame): void;
  /** The socket closed or failed (`code` 1006 when it never opened or died without a close frame). */
  onClose(code: number, reason: string): void;
}

/** Close code the client uses for its own reasons (the browser only allows 1000 and 3000–4999). */
export const CLIENT_CLOSE_CODE = 4000;
const OPEN = 1;
const CLOSED = 3;

/**
 * One WebSocket speaking goim frames. After `abandon()` (or the first close) no handler runs again, so a
 * socket that is being replaced can never disturb its successor.
 */
export class FrameSocket {
  readonly #ws: WebSocketLike;
  readonly #handlers: FrameSocketHandlers;
  readonly #ended: Promise<void>;
  #live = true;

  constructor(ctor: WebSocketConstructor, url: string, handlers: FrameSocketHandlers) {
    this.#handlers = handlers;
    this.#ws = new ctor(url);
    this.#ws.binaryType = "arraybuffer";
    this.#ended = new Promise((resolve) => {
      this.#ws.addEventListener("close", () => resolve());
    });
    this.#ws.addEventListener("open", () => {
      if (this.#live) handlers.onOpen();
    });
    this.#ws.addEventListener("message", (event) => this.#onMessage(event.data));
    this.#ws.addEventListener("close", (event) => this.#finish(event.code || 1006, event.reason ?? ""));
    // Browsers follow "error" with "close"; some implementations don't when the connection never opened.
    this.#ws.addEventListener("error", () => this.#finish(1006, "connection failed"));
  }

  get isOpen(): boolean {
    return this.#live && this.#ws.readyState === OPEN;
  }

  send(op: number, seq: number, body?: Uint8Array): boolean {
    if (!this.isOpen) return false;
    this.#ws.send(encodeFrame(op, seq, body));
    return true;
  }

  /** Closes the socket and reports `onClose(code, reason)` right away, without waiting for the close handshake. */
  close(code: number, reason: string): void {
    if (!this.#live) return;
    this.#live = false;
    try {
      this.#ws.close(code === 1000 || (code >= 3000 && code <= 4999) ? code : CLIENT_CLOSE_CODE, reason);
    } catch {
      // Already closing.
    }
    this.#handlers.onClose(code, reason);
  }

  /** Closes the socket without reporting anything; resolves when it is closed (or after `waitMs`). */
  abandon(waitMs = 2000): Promise<void> {
    this.#live = false;
    if (this.#ws.readyState === CLOSED) return Promise.resolve();
    try {
      this.#ws.close(1000, "client closed");
    } catch {
      // Already closing.
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    return Promise.race([this.#ended, timeout]).finally(() => clearTimeout(timer));
  }

  #finish(code: number, reason: string): void {
    if (!this.#live) return;
    this.#live = false;
    this.#handlers.onClose(code, reason);
  }

  #onMessage(data: unknown): void {
    if (!this.#live) return;
    const bytes = toBytes(data);
    if (!bytes) {
      this.close(CLIENT_CLOSE_CODE, "unexpected non-binary message");
      return;
    }
    let frames: Frame[];
    try {
      const frame = decodeFrame(bytes, Number.MAX_SAFE_INTEGER);
      frames = frame.op === Op.RAW ? flatten(frame) : [frame];
    } catch (error) {
      this.close(CLIENT_CLOSE_CODE, `bad frame: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const frame of frames) {
      if (!this.#live) return;
      this.#handlers.onFrame(frame);
    }
  }
}

function flatten(raw: Frame): Frame[] {
  const out: Frame[] = [];
  for (const frame of decodeRawBatch(raw.body)) {
    if (frame.op === Op.RAW) out.push(...flatten(frame));
    else out.push(frame);
  }
  return out;
}

function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // `ws` with binaryType "fragments".
  if (Array.isArray(data) && data.every((part) => ArrayBuffer.isView(part))) {
    const parts = data as ArrayBufferView[];
    const out = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), offset);
      offset += part.byteLength;
    }
    return out;
  }
  return null;
}
